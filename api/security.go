package api

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// ContentSecurityPolicy is the Content-Security-Policy of every response:
// everything from the server's own origin only, no inline scripts or
// styles ('unsafe-inline' is never allowed), images also as data: URLs, no
// framing by any page, no <base> and forms posted only to the origin.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders sets the security headers on every response, before the
// rest of the chain runs, so that they are also on error responses, on 404s
// and on the 500 of a recovered panic:
//
//	Content-Security-Policy      ContentSecurityPolicy
//	X-Content-Type-Options       nosniff
//	Referrer-Policy              no-referrer
//	X-Frame-Options              DENY (frame-ancestors for old browsers)
//	Cross-Origin-Opener-Policy   same-origin
//
// Responses under /api/ also get Cache-Control: no-store, since they carry
// personal and per-caller data; a handler that chooses its own caching sets
// Cache-Control itself, which replaces this default.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") && h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}
