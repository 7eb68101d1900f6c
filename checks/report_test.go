package checks_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
)

func TestRedaction(t *testing.T) {
	const secret = "GOCSPX-q8Zc1vN3tR5wY7uI9oP2aS4d"
	cfg := checks.Config{Issuer: "https://accounts.google.com", AuthorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth",
		TokenEndpoint: "https://oauth2.googleapis.com/token?client_secret=" + secret, JWKSURI: "https://www.googleapis.com/oauth2/v3/certs", ClientID: "1-x.apps.googleusercontent.com"}
	cfg.ClientSecret = secret
	r := checks.NewReport(cfg, nil, time.Now())
	r.Findings = []checks.Finding{{
		Check: "x", Status: checks.Fail, Row: "idp_error", Title: "got " + secret,
		Detail:   "token endpoint " + cfg.TokenEndpoint + " answered with id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl and code=SplxlOBeZQQYbYS6WxSbIA&state=ok",
		Fix:      "see eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
		Evidence: &checks.Evidence{Expected: "refresh_token=8xLOxBtZp8 stays", Got: strings.ReplaceAll(secret, "-", "%2D")},
	}}
	r.Finish()
	out, _ := json.Marshal(r)
	for _, leak := range []string{secret, "eyJhbGciOiJSUzI1NiJ9", "SplxlOBeZQQYbYS6WxSbIA", "8xLOxBtZp8", "c2lnbmF0dXJl"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("%q leaks into %s", leak, out)
		}
	}
	if r.Config.ClientSecret != checks.Redacted || !strings.Contains(r.Config.TokenEndpoint, "client_secret=%28redacted%29") {
		t.Errorf("config not redacted: %+v", r.Config)
	}
	if !strings.Contains(string(out), "state=ok") {
		t.Error("redaction removed a parameter that is not secret")
	}
	if r.Summary.Fail != 1 {
		t.Errorf("summary %+v", r.Summary)
	}
}

func TestByPhase(t *testing.T) {
	r := &checks.Report{Findings: []checks.Finding{
		{Check: "signin.email", Phase: checks.PhaseSignIn}, {Check: "jwks.keys", Phase: checks.PhaseKeys}, {Check: "values.urls", Phase: checks.PhaseValues},
		{Check: "discovery.fetch", Phase: checks.PhaseDiscovery}, {Check: "discovery.issuer", Phase: checks.PhaseDiscovery},
	}}
	var got []string
	for _, g := range r.ByPhase() {
		ids := []string{}
		for _, f := range g.Findings {
			ids = append(ids, f.Check)
		}
		got = append(got, string(g.Phase)+": "+strings.Join(ids, " "))
	}
	want := []string{
		string(checks.PhaseValues) + ": values.urls",
		string(checks.PhaseDiscovery) + ": discovery.fetch discovery.issuer",
		string(checks.PhaseKeys) + ": jwks.keys",
		string(checks.PhaseSignIn) + ": signin.email",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ByPhase:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
