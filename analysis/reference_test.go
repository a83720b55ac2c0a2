package analysis_test

import (
	"testing"

	"github.com/empulse/empulse/analysis"
)

// The reference values below were computed with R 4.2.2 (psych 2.2.9,
// multilevel 2.7-1) and cross-checked where noted with SciPy 1.10.1. The R
// script prints 15 significant digits; the tolerance is 1e-9 relative (see
// approx), far below any reported precision and well above the differences
// between the incomplete beta implementations (observed: below 1e-11).
// The script that printed them is testdata/reference.R. Spearman intervals
// are not computed by cor.test; their reference is the stated formula
// evaluated in R:
//
//	tanh(atanh(rho) + c(-1, 1) * qnorm(0.975) * sqrt(1.06/(n-3)))
const refTol = 1e-9

// Paired samples. NA in R is NaN here.
var (
	// D1: ties in x, one NaN on each side (20 complete pairs).
	d1x = []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, nan, 6}
	d1y = []float64{2.7, 1.8, 2.8, 1.8, 4.5, 9.0, 4.5, 2.3, 5.3, 6.0, 2.8, 7.4, 7.1, 3.5, 6.2, 1.0, 3.3, 4.4, 8.1, 2.2, 5, nan}
	// D2: a zero-heavy count of recognitions against a score, ties on both sides.
	d2x = []float64{0, 0, 0, 1, 0, 2, 0, 0, 3, 1, 0, 0, 5, 1}
	d2y = []float64{6.1, 5.8, 6.1, 6.5, 5.2, 7.0, 6.1, 5.9, 7.3, 6.0, 4.8, 6.1, 6.9, 6.6}
	// D3: exactly the minimum n = 10, negative.
	d3x = []float64{10, 12, 9, 15, 11, 14, 8, 13, 16, 7}
	d3y = []float64{3.1, 2.5, 3.3, 1.9, 2.9, 2.4, 3.6, 2.0, 2.2, 3.0}
	// D4: weak, n = 11.
	d4x = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	d4y = []float64{5, 3, 8, 1, 9, 2, 7, 4, 6, 10, 3}
)

func TestPearson_Reference(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want ref
	}{
		// R: cor.test(x1, y1, method="pearson")
		{"D1", d1x, d1y, ref{r: 0.731718469496513, lo: 0.427681095153826, hi: 0.887021221728857, p: 0.000245619345254943, df: 18}},
		// R: cor.test(rec, eng, method="pearson")
		// SciPy: pearsonr(rec, eng) -> 0.7115689116557565, p 0.004315867660823303,
		//        confidence_interval(0.95) -> (0.29076653450720047, 0.9017124121921795)
		{"D2", d2x, d2y, ref{r: 0.711568911655756, lo: 0.2907665345072, hi: 0.901712412192179, p: 0.00431586766082331, df: 12}},
		// R: cor.test(x3, y3, method="pearson")
		{"D3", d3x, d3y, ref{r: -0.872168863576874, lo: -0.96943770284146, hi: -0.537955924007745, p: 0.000998388697421954, df: 8}},
		// R: cor.test(x4, y4, method="pearson")
		{"D4", d4x, d4y, ref{r: 0.162455386421379, lo: -0.484650208639997, hi: 0.694636080657531, p: 0.633187334781203, df: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.Pearson(tt.x, tt.y, 0)
			checkResult(t, got, tt.want, refTol)
			if got.N != tt.want.df+2 {
				t.Errorf("N = %d, want %d", got.N, tt.want.df+2)
			}
		})
	}
}

func TestSpearman_Reference(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want ref
	}{
		// R: cor.test(x1, y1, method="spearman", exact=FALSE)
		{"D1", d1x, d1y, ref{r: 0.678575515624609, lo: 0.324845592577748, hi: 0.865756500386446, p: 0.00100491721803409, df: 18}},
		// R: cor.test(rec, eng, method="spearman", exact=FALSE)
		// SciPy: spearmanr(rec, eng) -> 0.7844156045592121, p 0.000894621001295365
		{"D2", d2x, d2y, ref{r: 0.784415604559212, lo: 0.420521357286355, hi: 0.930910031926127, p: 0.000894621001295367, df: 12}},
		// R: cor.test(x3, y3, method="spearman", exact=FALSE)
		{"D3", d3x, d3y, ref{r: -0.866666666666667, lo: -0.969399005954181, hi: -0.505622921754471, p: 0.00117353818015546, df: 8}},
		// R: cor.test(x4, y4, method="spearman", exact=FALSE)
		{"D4", d4x, d4y, ref{r: 0.159453716652372, lo: -0.502474953813564, hi: 0.703533970963968, p: 0.63956242608364, df: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, analysis.Spearman(tt.x, tt.y, 0), tt.want, refTol)
		})
	}
}

// teamWeeks is the team-week reference data set: six teams, a missing week
// (team E, week 4) and NaN cells. Within teams recognition and engagement
// rise together; across teams, teams with more recognition score lower.
//
// In R:
//
//	tw <- data.frame(
//	  team = c(rep("A",5), rep("B",6), rep("C",4), rep("D",7), rep("E",5), rep("F",3)),
//	  week = c(1:5, 1:6, 2:5, 1:7, c(1,2,3,5,6), 3:5),
//	  rec  = c(1,3,2,4,5,  4,6,5,8,7,NA,  0,1,1,2,  7,9,8,10,6,9,11,  3,2,4,5,3,  6,6,7),
//	  eng  = c(60,63,61,64,66,  55,57,54,59,58,56,  70,69,72,73,  50,52,49,53,48,51,NA,  62,60,65,66,61,  57,58,57))
func teamWeeks() []analysis.Series {
	mk := func(team string, weeks []int, rec, eng []float64) analysis.Series {
		s := analysis.Series{Team: team, Week: weeks}
		s.Values[analysis.Recognition] = rec
		s.Values[analysis.Engagement] = eng
		return s
	}
	return []analysis.Series{
		mk("A", []int{1, 2, 3, 4, 5}, []float64{1, 3, 2, 4, 5}, []float64{60, 63, 61, 64, 66}),
		mk("B", []int{1, 2, 3, 4, 5, 6}, []float64{4, 6, 5, 8, 7, nan}, []float64{55, 57, 54, 59, 58, 56}),
		mk("C", []int{2, 3, 4, 5}, []float64{0, 1, 1, 2}, []float64{70, 69, 72, 73}),
		mk("D", []int{1, 2, 3, 4, 5, 6, 7}, []float64{7, 9, 8, 10, 6, 9, 11}, []float64{50, 52, 49, 53, 48, 51, nan}),
		mk("E", []int{1, 2, 3, 5, 6}, []float64{3, 2, 4, 5, 3}, []float64{62, 60, 65, 66, 61}),
		mk("F", []int{3, 4, 5}, []float64{6, 6, 7}, []float64{57, 58, 57}),
	}
}

// rmcorr is not packaged in Debian bookworm and CRAN's current rmcorr does not
// install on its R 4.2.2, so the reference values repeat the computation of
// rmcorr::rmcorr (the same in CRAN's 0.4.6 to 0.6.0 sources) in R:
//
//	rmc <- function(d, x, y) {
//	  d <- na.omit(data.frame(team=factor(d$team), x=d[[x]], y=d[[y]]))
//	  options(contrasts=c("contr.sum","contr.poly"))
//	  m <- lm(y ~ team + x, data=d)
//	  t3 <- drop1(m, ~., test="F")
//	  ssx <- t3$"Sum of Sq"[3]; sse <- t3$RSS[1]
//	  r <- as.numeric(sign(coef(m)["x"]) * sqrt(ssx/(ssx+sse)))
//	  c(r, psych::r.con(r, m$df.residual, p=0.95), t3$"Pr(>F)"[3], m$df.residual)
//	}
//
// and the between-team values from
//
//	mx <- tapply(d$x, d$team, mean); my <- tapply(d$y, d$team, mean); cor.test(mx, my)
//
// Lagged pairs are formed in R by a merge on team and shifted week:
//
//	lagged <- function(k) {
//	  a <- tw[, c("team","week","rec")]
//	  b <- tw[, c("team","week","eng")]; b$week <- b$week - k
//	  merge(a, b, by=c("team","week"))
//	}
func TestLagged_Reference(t *testing.T) {
	data := teamWeeks()
	tests := []struct {
		name   string
		lag    int
		method analysis.Method
		n, k   int
		want   ref
	}{
		// R: rmc(tw, "rec", "eng")
		{"RMCorrLag0", 0, analysis.MethodRMCorr, 28, 6,
			ref{r: 0.883595595331946, lo: 0.73057793228169, hi: 0.952112051237753, p: 2.31363367866879e-08, df: 21}},
		// R: cor.test(mx, my) with the team means of rmc(tw, "rec", "eng")
		{"BetweenLag0", 0, analysis.MethodBetweenTeams, 28, 6,
			ref{r: -0.984450093139857, lo: -0.998371150788461, hi: -0.859893414947477, p: 0.000360819424383152, df: 4}},
		// R: l1 <- lagged(1); cor.test(l1$rec, l1$eng)
		{"PearsonLag1", 1, analysis.MethodPearson, 22, 6,
			ref{r: -0.886236514559727, lo: -0.952098359771723, hi: -0.74179645675977, p: 4.06620722772115e-08, df: 20}},
		// R: cor.test(l1$rec, l1$eng, method="spearman", exact=FALSE)
		{"SpearmanLag1", 1, analysis.MethodSpearman, 22, 6,
			ref{r: -0.890035961234335, lo: -0.954938100062666, hi: -0.743901675889825, p: 2.94274022305201e-08, df: 20}},
		// R: rmc(l1, "rec", "eng")
		{"RMCorrLag1", 1, analysis.MethodRMCorr, 22, 6,
			ref{r: -0.212584034777635, lo: -0.653663627271886, hi: 0.33630169450336, p: 0.412689713124985, df: 15}},
		// R: cor.test(mx, my) with the team means of rmc(l1, "rec", "eng")
		{"BetweenLag1", 1, analysis.MethodBetweenTeams, 22, 6,
			ref{r: -0.983250532384272, lo: -0.998244547089096, hi: -0.849812426482461, p: 0.000418467511221434, df: 4}},
		// R: l2 <- lagged(-2); cor.test(l2$rec, l2$eng)
		{"PearsonLagMinus2", -2, analysis.MethodPearson, 16, 6,
			ref{r: -0.833657696435521, lo: -0.940643465497449, hi: -0.575971945725213, p: 6.01334337469737e-05, df: 14}},
		// R: cor.test(l2$rec, l2$eng, method="spearman", exact=FALSE)
		{"SpearmanLagMinus2", -2, analysis.MethodSpearman, 16, 6,
			ref{r: -0.83198748183357, lo: -0.941854561000362, hi: -0.561411927450318, p: 6.41871987273292e-05, df: 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The between-team correlation has 6 teams; allow it.
			got := analysis.Lagged(data, analysis.Recognition, analysis.Engagement, tt.lag, tt.method, 4)
			checkResult(t, got, tt.want, refTol)
			if got.N != tt.n || got.Groups != tt.k {
				t.Errorf("N, Groups = %d, %d, want %d, %d", got.N, got.Groups, tt.n, tt.k)
			}
		})
	}
}

func TestAdjustBH_Reference(t *testing.T) {
	p := []float64{0.01, 0.04, nan, 0.03, 0.2, 0.04, 0.5, nan, 0.001, 1, 0.0449}
	// R: p.adjust(c(0.01, 0.04, NA, 0.03, 0.2, 0.04, 0.5, NA, 0.001, 1, 0.0449), method="BH")
	want := []float64{0.045, 0.06735, nan, 0.06735, 0.257142857142857, 0.06735, 0.5625, nan, 0.009, 1, 0.06735}
	got := analysis.AdjustBH(nil, p)
	for i := range want {
		approx(t, "adj", got[i], want[i], refTol)
	}
}

func TestICC1_Reference(t *testing.T) {
	t.Run("Balanced", func(t *testing.T) {
		groups := [][]float64{{62, 60, 65, 63}, {55, 57, 54, 58}, {70, 66, 71, 69}, {58, 61, 57, 60}, {64, 63, 67, 62}}
		got := analysis.ICC1(groups)
		// R: m <- matrix(c(62,60,65,63, 55,57,54,58, 70,66,71,69, 58,61,57,60, 64,63,67,62), nrow=5, byrow=TRUE)
		//    psych::ICC(m, lmer=FALSE)$results[1, c("ICC","F","df1","df2","p")]   # the ICC1 row
		// and the same ICC from multilevel 2.7-1: multilevel::ICC1(aov(v ~ g)).
		approx(t, "ICC", got.ICC, 0.852657004830918, refTol)
		approx(t, "F", got.F, 24.1475409836065, refTol)
		approx(t, "P", got.P, 2.17810571214213e-06, refTol)
		approx(t, "K0", got.K0, 4, refTol)
		if got.DF1 != 4 || got.DF2 != 15 || got.Groups != 5 || got.N != 20 {
			t.Errorf("DF1, DF2, Groups, N = %d, %d, %d, %d, want 4, 15, 5, 20", got.DF1, got.DF2, got.Groups, got.N)
		}
	})
	t.Run("Unbalanced", func(t *testing.T) {
		groups := [][]float64{{62, 60, 65, 63, 61}, {55, 57, 54}, {70, 66, 71, 69, 72, 68}, {58, 61}, {64, nan, 63, 67, 62}, {nan}}
		got := analysis.ICC1(groups)
		// R: s <- summary(aov(v ~ g))[[1]]; msb <- s[1,3]; msw <- s[2,3]
		//    k0 <- (N - sum(table(g)^2)/N)/(nlevels(g)-1)
		//    c(k0, (msb-msw)/(msb+(k0-1)*msw), s[1,4], s[1,5])
		// (multilevel::ICC1(aov(v ~ g)), with the mean group size N/g, gives
		// 0.86778285544816 instead.)
		approx(t, "K0", got.K0, 3.875, refTol)
		approx(t, "ICC", got.ICC, 0.871383224251941, refTol)
		approx(t, "F", got.F, 27.2532626427406, refTol)
		approx(t, "P", got.P, 1.00019139200844e-06, refTol)
		if got.DF1 != 4 || got.DF2 != 15 || got.Groups != 5 || got.N != 20 {
			t.Errorf("DF1, DF2, Groups, N = %d, %d, %d, %d, want 4, 15, 5, 20", got.DF1, got.DF2, got.Groups, got.N)
		}
	})
}

func TestKendall_Reference(t *testing.T) {
	// Kendall's test is a z test: DF is 0. The interval is evaluated in R as
	// tanh(atanh(tau) + c(-1, 1) * qnorm(0.975) * sqrt(0.437/(n-4))).
	tests := []struct {
		name string
		x, y []float64
		n    int
		want ref
	}{
		// R: cor.test(x1, y1, method="kendall", exact=FALSE)
		{"D1", d1x, d1y, 20, ref{r: 0.510026098529661, lo: 0.234410853573934, hi: 0.709749236417714, p: 0.00251721121215064}},
		// R: cor.test(rec, eng, method="kendall", exact=FALSE)
		// SciPy: kendalltau(rec, eng, method="asymptotic") -> 0.6721344403334447, p 0.0028294845933138015
		{"D2", d2x, d2y, 14, ref{r: 0.672134440333445, lo: 0.384137794382097, hi: 0.840932028752137, p: 0.00282948459331381}},
		// R: cor.test(x3, y3, method="kendall", exact=FALSE)
		{"D3", d3x, d3y, 10, ref{r: -0.733333333333333, lo: -0.898590346310733, hi: -0.38588231095531, p: 0.00316122202090696}},
		// R: cor.test(x4, y4, method="kendall", exact=FALSE)
		{"D4", d4x, d4y, 11, ref{r: 0.110096376512636, lo: -0.361983355696634, hi: 0.537231275491368, p: 0.639411852803375}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.Kendall(tt.x, tt.y, 0)
			checkResult(t, got, tt.want, refTol)
			if got.N != tt.n {
				t.Errorf("N = %d, want %d", got.N, tt.n)
			}
		})
	}
}
