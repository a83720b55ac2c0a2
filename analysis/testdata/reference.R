# Reference values for the analysis package tests (reference_test.go).
# Run: Rscript analysis/testdata/reference.R
# Produced with R 4.2.2, psych 2.2.9, multilevel 2.7-1 (Debian bookworm:
# apt-get install r-base-core r-cran-psych r-cran-multilevel). rmcorr is not
# packaged in bookworm and CRAN's current rmcorr does not install on R 4.2.2,
# so rmc() repeats rmcorr::rmcorr's own computation (CRAN 0.4.6-0.6.0: lm,
# drop1 with contr.sum, psych::r.con on the residual df).
# The Go tests never run this script.

options(digits=15)
p15 <- function(label, v) cat(label, paste(formatC(v, digits=15, format="g"), collapse=", "), "\n")
pear <- function(name, x, y) {
  ct <- cor.test(x, y, method="pearson")
  p15(paste(name, "pearson r lo hi p df:"), c(ct$estimate, ct$conf.int, ct$p.value, ct$parameter))
}
spear <- function(name, x, y) {
  ok <- complete.cases(x, y); n <- sum(ok)
  ct <- suppressWarnings(cor.test(x, y, method="spearman", exact=FALSE))
  rho <- unname(ct$estimate)
  ci <- tanh(atanh(rho) + c(-1, 1) * qnorm(0.975) * sqrt(1.06/(n-3)))
  p15(paste(name, "spearman rho lo hi p n:"), c(rho, ci, ct$p.value, n))
}
x1 <- c(3,1,4,1,5,9,2,6,5,3,5,8,9,7,9,3,2,3,8,4,NA,6)
y1 <- c(2.7,1.8,2.8,1.8,4.5,9.0,4.5,2.3,5.3,6.0,2.8,7.4,7.1,3.5,6.2,1.0,3.3,4.4,8.1,2.2,5,NA)
rec <- c(0,0,0,1,0,2,0,0,3,1,0,0,5,1)
eng <- c(6.1,5.8,6.1,6.5,5.2,7.0,6.1,5.9,7.3,6.0,4.8,6.1,6.9,6.6)
x3 <- c(10,12,9,15,11,14,8,13,16,7)
y3 <- c(3.1,2.5,3.3,1.9,2.9,2.4,3.6,2.0,2.2,3.0)
x4 <- c(1,2,3,4,5,6,7,8,9,10,11)
y4 <- c(5,3,8,1,9,2,7,4,6,10,3)
for (d in list(list("D1", x1, y1), list("D2", rec, eng), list("D3", x3, y3), list("D4", x4, y4))) {
  pear(d[[1]], d[[2]], d[[3]]); spear(d[[1]], d[[2]], d[[3]])
}

# Team-week data for rmcorr, between-team and lags.
tw <- data.frame(
  team = c(rep("A",5), rep("B",6), rep("C",4), rep("D",7), rep("E",5), rep("F",3)),
  week = c(1:5, 1:6, 2:5, 1:7, c(1,2,3,5,6), 3:5),
  rec  = c(1,3,2,4,5,  4,6,5,8,7,NA,  0,1,1,2,  7,9,8,10,6,9,11,  3,2,4,5,3,  6,6,7),
  eng  = c(60,63,61,64,66,  55,57,54,59,58,56,  70,69,72,73,  50,52,49,53,48,51,NA,  62,60,65,66,61,  57,58,57))
rmc <- function(name, d, x, y) {
  d <- na.omit(data.frame(team=factor(d$team), x=d[[x]], y=d[[y]]))
  options(contrasts=c("contr.sum","contr.poly"))
  m <- lm(y ~ team + x, data=d)
  t3 <- drop1(m, ~., test="F")
  ssx <- t3$"Sum of Sq"[3]; sse <- t3$RSS[1]
  r <- as.numeric(sign(coef(m)["x"]) * sqrt(ssx/(ssx+sse)))
  df <- m$df.residual
  ci <- psych::r.con(r, df, p=0.95)
  p15(paste(name, "rmcorr r lo hi p df N k:"), c(r, ci, t3$"Pr(>F)"[3], df, nrow(d), nlevels(droplevels(d$team))))
  mx <- tapply(d$x, d$team, mean); my <- tapply(d$y, d$team, mean)
  ct <- cor.test(mx, my)
  p15(paste(name, "between r lo hi p df:"), c(ct$estimate, ct$conf.int, ct$p.value, ct$parameter))
}
rmc("TW lag0", tw, "rec", "eng")
# lag +1: rec in week w with eng in week w+1, within team
lagged <- function(k) {
  a <- tw[, c("team","week","rec")]
  b <- tw[, c("team","week","eng")]; b$week <- b$week - k
  merge(a, b, by=c("team","week"))
}
l1 <- lagged(1); lm1 <- lagged(-2)
cat("lag1 n complete:", sum(complete.cases(l1)), "\n")
pear("TW lag1", l1$rec, l1$eng); spear("TW lag1", l1$rec, l1$eng)
rmc("TW lag1", l1, "rec", "eng")
cat("lag-2 n complete:", sum(complete.cases(lm1)), "\n")
pear("TW lag-2", lm1$rec, lm1$eng); spear("TW lag-2", lm1$rec, lm1$eng)

# BH
p <- c(0.01, 0.04, NA, 0.03, 0.2, 0.04, 0.5, NA, 0.001, 1, 0.0449)
p15("BH:", p.adjust(p, method="BH"))

# ICC(1), balanced: 5 teams (rows) x 4 weeks (columns)
m <- matrix(c(62,60,65,63,  55,57,54,58,  70,66,71,69,  58,61,57,60,  64,63,67,62), nrow=5, byrow=TRUE)
ic <- psych::ICC(m, lmer=FALSE)
p15("ICC balanced psych ICC1 F df1 df2 p:", unlist(ic$results[1, c("ICC","F","df1","df2","p")]))
g <- factor(rep(1:5, each=4)); v <- as.vector(t(m))
s <- summary(aov(v ~ g))[[1]]
msb <- s[1,3]; msw <- s[2,3]
p15("ICC balanced aov (MSB-MSW)/(MSB+(4-1)MSW):", (msb-msw)/(msb+3*msw))
# Unbalanced with NaN: groups of 5, 3, 6, 2, 4 values
ub <- list(c(62,60,65,63,61), c(55,57,54), c(70,66,71,69,72,68), c(58,61), c(64,NA,63,67,62))
v <- unlist(ub); g <- factor(rep(seq_along(ub), lengths(ub)))
ok <- !is.na(v); v <- v[ok]; g <- g[ok]
s <- summary(aov(v ~ g))[[1]]
msb <- s[1,3]; msw <- s[2,3]; N <- length(v); ng <- nlevels(g); ni <- table(g)
k0 <- (N - sum(ni^2)/N)/(ng-1)
p15("ICC unbalanced k0 ICC1 F p:", c(k0, (msb-msw)/(msb+(k0-1)*msw), s[1,4], s[1,5]))
p15("ICC unbalanced multilevel-style (N/g):", (msb-msw)/(msb+(N/ng-1)*msw))

# Kendall tau-b (exact=FALSE: normal approximation with tie correction)
kend <- function(name, x, y) {
  ok <- complete.cases(x, y); n <- sum(ok)
  ct <- suppressWarnings(cor.test(x, y, method="kendall", exact=FALSE))
  tau <- unname(ct$estimate)
  ci <- tanh(atanh(tau) + c(-1, 1) * qnorm(0.975) * sqrt(0.437/(n-4)))
  p15(paste(name, "kendall tau lo hi p n:"), c(tau, ci, ct$p.value, n))
}
kend("D1", x1, y1); kend("D2", rec, eng); kend("D3", x3, y3); kend("D4", x4, y4)

# multilevel::ICC1 uses the mean group size N/g
m <- matrix(c(62,60,65,63,  55,57,54,58,  70,66,71,69,  58,61,57,60,  64,63,67,62), nrow=5, byrow=TRUE)
g <- factor(rep(1:5, each=4)); v <- as.vector(t(m))
p15("ICC balanced multilevel::ICC1:", multilevel::ICC1(aov(v ~ g)))
v <- unlist(ub); g <- factor(rep(seq_along(ub), lengths(ub)))
ok <- !is.na(v); v <- v[ok]; g <- g[ok]
p15("ICC unbalanced multilevel::ICC1:", multilevel::ICC1(aov(v ~ g)))
