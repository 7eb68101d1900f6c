package oidc

import (
	"net/http"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks"
)

// BenchmarkClassifyPage reads a 2 MiB sign-in page that names none of the
// known errors: the worst case of reading the probe's page.
func BenchmarkClassifyPage(b *testing.B) {
	body := []byte("<html><body><form><input name=username><input type=password></form><script>" +
		strings.Repeat("var x = 'lorem ipsum dolor sit amet, consectetur adipiscing elit'; ", 2<<20/70) + "</script></body></html>")
	resp := &Response{URL: "https://idp.example/authorize", Status: http.StatusOK, Body: body, ContentType: "text/html"}
	p := &checks.Target{IdP: &checks.IdP{ID: "generic"}}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if fs := classifyPage(p, resp, nil); len(fs) != 1 || fs[0].Status != checks.Pass {
			b.Fatalf("findings %+v", fs)
		}
	}
}
