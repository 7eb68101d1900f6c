package suite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// BenchmarkPreflight runs the whole preflight against an IdP that delays
// every response by a fixed latency. The checks run concurrently and share
// their fetches, so a run takes about the longest chain of round trips
// (discovery, then the issuer's key set when it differs from the entered
// one), not the sum of all requests. It reports requests/op and
// latencies/op: wall time divided by the per-response latency.
func BenchmarkPreflight(b *testing.B) {
	for _, latency := range []time.Duration{20 * time.Millisecond, 100 * time.Millisecond} {
		for _, sameJWKS := range []bool{true, false} {
			name := fmt.Sprintf("latency=%s/jwks=%s", latency, map[bool]string{true: "same", false: "other"}[sameJWKS])
			b.Run(name, func(b *testing.B) { benchPreflight(b, latency, sameJWKS) })
		}
	}
}

func benchPreflight(b *testing.B, latency time.Duration, sameJWKS bool) {
	var requests atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		time.Sleep(latency)
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
				"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/jwks",
			})
		case "/jwks", "/other-jwks":
			fmt.Fprint(w, `{"keys":[{"kty":"EC","crv":"P-256","kid":"a","use":"sig","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`)
		default:
			fmt.Fprint(w, "<form><input type=password></form>")
		}
	}))
	defer srv.Close()
	cfg := checks.Config{Issuer: srv.URL, AuthorizationEndpoint: srv.URL + "/authorize", TokenEndpoint: srv.URL + "/token",
		JWKSURI: srv.URL + "/jwks", ClientID: "bench", IdP: "generic"}
	if !sameJWKS {
		cfg.JWKSURI = srv.URL + "/other-jwks"
	}
	client, _ := oidc.NewHTTPClient(oidc.HTTPOptions{})
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		r := suite.Run(context.Background(), cfg, suite.Options{HTTPClient: client})
		if len(testidp.Findings(r, "probe.authorize")) == 0 || testidp.Findings(r, "jwks.keys")[0].Status != checks.Pass {
			b.Fatalf("unexpected report:\n%s", testidp.Dump(r))
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(requests.Load())/float64(b.N), "requests/op")
	b.ReportMetric(float64(elapsed)/float64(b.N)/float64(latency), "latencies/op")
}
