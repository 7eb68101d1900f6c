package handlers

import (
	"net/http"
	"slices"
	"strings"
)

// hostOnly refuses requests whose Host is not one of the wizard's own
// addresses: a web page that rebinds its DNS name to 127.0.0.1 cannot
// reach the wizard.
func hostOnly(hosts []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !slices.Contains(hosts, strings.ToLower(r.Host)) {
				http.Error(w, "quickdiag answers only on its own loopback address", http.StatusMisdirectedRequest)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// contentSecurityPolicy allows the wizard's own script, style and requests
// only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses state-changing requests from other origins
// (net/http's CSRF protection, from Sec-Fetch-Site and Origin).
func crossOriginProtection() func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused: use the wizard's own pages", http.StatusForbidden)
	}))
	return cop.Handler
}
