package checks_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
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

// TestWithSignIn checks the one assembly of a preflight and a sign-in: the
// duration runs to the sign-in's end, the sign-in's raw values are
// redacted everywhere, and the preflight's report is left as it was.
func TestWithSignIn(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	pre := checks.NewReport(checks.Config{Issuer: "https://idp.example"}, nil, start)
	pre.Findings = []checks.Finding{checks.Passf("discovery read")}
	pre.DurationMS = 120
	pre.Finish()
	const code = "SplxlOBeZQQYbYS6WxSbIA"
	live := &checks.SignInResult{
		Findings: []checks.Finding{checks.Problem(checks.Fail, catalog.IdPError, "refused code "+code)},
		Ended:    start.Add(42 * time.Second),
		Secrets:  []string{code},
	}
	got := pre.WithSignIn(live)
	if got.DurationMS != 42000 {
		t.Errorf("duration %d ms, want 42000 (to the sign-in's end)", got.DurationMS)
	}
	if len(got.Findings) != 2 || strings.Contains(got.Findings[1].Title, code) {
		t.Errorf("findings %+v: want both, the code redacted", got.Findings)
	}
	if got.Verdict != checks.VerdictProblems || got.Summary.Fail != 1 {
		t.Errorf("verdict %s, summary %+v", got.Verdict, got.Summary)
	}
	if len(pre.Findings) != 1 || pre.DurationMS != 120 {
		t.Errorf("the preflight's report changed: %+v", pre)
	}
}

func TestVerdict(t *testing.T) {
	for _, tt := range []struct {
		findings []checks.Finding
		want     checks.Verdict
	}{
		{[]checks.Finding{checks.Passf("ok")}, checks.VerdictOK},
		{[]checks.Finding{checks.Passf("ok"), checks.Skipf("nothing to check")}, checks.VerdictOK},
		{[]checks.Finding{checks.Passf("ok"), checks.Unfinished("Not finished: the time limit was reached.")}, checks.VerdictIncomplete},
		{[]checks.Finding{checks.Unfinished("stopped"), checks.Problem(checks.Fail, catalog.IdPError, "refused")}, checks.VerdictProblems},
	} {
		r := checks.NewReport(checks.Config{}, nil, time.Now())
		r.Findings = tt.findings
		r.Finish()
		if r.Verdict != tt.want {
			t.Errorf("%+v: verdict %s, want %s", tt.findings, r.Verdict, tt.want)
		}
	}
}

// TestReportBoundsAndRedactsClaims: claims are kept bounded (depth, size)
// and token-shaped or secret values in them redacted.
func TestReportBoundsAndRedactsClaims(t *testing.T) {
	deep := map[string]any{}
	cur := deep
	for range 9000 {
		next := map[string]any{}
		cur["x"] = next
		cur = next
	}
	r := checks.NewReport(checks.Config{}, nil, time.Now())
	r.Token = &checks.TokenReport{IDToken: &checks.DecodedJWT{Header: map[string]any{"alg": "RS256"}, Claims: map[string]any{
		"deep": deep, "big": strings.Repeat("A", 1<<20), "leak": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "email": "alice@example.com",
	}}, Userinfo: map[string]any{"note": "Bearer abcdefghijklmnop"}}
	r.Finish()
	out, _ := json.Marshal(r)
	if len(out) > 64<<10 {
		t.Errorf("the report is %d bytes: claims are not bounded", len(out))
	}
	for _, leak := range []string{"eyJhbGciOiJSUzI1NiJ9", "abcdefghijklmnop"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("%q leaks into the report", leak)
		}
	}
	if !strings.Contains(string(out), "alice@example.com") || !strings.Contains(string(out), "nested too deep") {
		t.Errorf("the claims lost what they should keep: %.300s", out)
	}
}

// TestRedactorCredentials: what people paste carries secrets in many
// shapes; none survives.
func TestRedactorCredentials(t *testing.T) {
	red := &checks.Redactor{}
	for _, s := range []string{
		"client secret GOCSPX-q8Zc1vN3tR5wY7uI9oP2aS4d",
		"Authorization: Bearer ya29.a0AfH6SMBx1234567890abcdef",
		"refresh 1//0gLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPq",
		"Authorization: Basic dXNlcjpzZWNyZXRwYXNz",
		`{"client_secret": "s3cr3t-value-here"}`,
		"password: hunter2hunter2",
		"https://admin:s3cr3tpass@idp.example/oauth2/token",
	} {
		got := red.String(s)
		for _, secret := range []string{"q8Zc1vN3", "a0AfH6SMBx", "0gLmNoPq", "dXNlcjpz", "s3cr3t-value", "hunter2", "s3cr3tpass"} {
			if strings.Contains(got, secret) {
				t.Errorf("%q → %q keeps the secret", s, got)
			}
		}
	}
}

// TestRedactorInert: a text Inert calls inert is one String leaves as it
// is, every part of it too; every text with a secret in it is not inert.
func TestRedactorInert(t *testing.T) {
	red := &checks.Redactor{}
	red.Add("s3cr3t-Zq9vN3tR5w")
	for _, s := range []string{
		"Authorization: Bearer ya29.a0AfH6SMBx1234567890abcdef",
		"http://localhost:18080/?code=0.AX8Aabcdefghijklmnop&state=xyz",
		"https://admin:pass123@idp.example/token",
		"id_token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
		"the secret s3cr3t-Zq9vN3tR5w leaked",
		"password: hunter2hunter2",
	} {
		if red.String(s) == s {
			t.Fatalf("%q: String redacts nothing; the test needs a secret in it", s)
		}
		if red.Inert(s) {
			t.Errorf("%q is redacted, yet inert", s)
		}
	}
	for _, s := range []string{"localhost refused to connect. ERR_CONNECTION_REFUSED", "AADSTS50011: The redirect URI 'http://localhost:18080' does not match", ""} {
		if !red.Inert(s) {
			t.Errorf("%q holds nothing to redact, yet is not inert", s)
		}
		for i := 0; i <= len(s); i++ {
			for j := i; j <= len(s); j++ {
				if red.String(s[i:j]) != s[i:j] {
					t.Fatalf("%q is inert, yet String changes its part %q", s, s[i:j])
				}
			}
		}
	}
}

// TestWithAnalyses: analyzers run alongside travel with the report,
// redacted with its secrets, without changing its verdict or the analyses
// they were copied from.
func TestWithAnalyses(t *testing.T) {
	const secret = "s3cr3t-Zq9vN3tR5wY7uI9oP"
	cfg := checks.Config{Issuer: "https://idp.example", ClientSecret: secret}
	pre := checks.NewReport(cfg, nil, time.Now())
	pre.Findings = []checks.Finding{checks.Passf("discovery read")}
	pre.Finish()
	machine := checks.NewAnalysis("doctor", "this machine")
	machine.Add("doctor.proxy", checks.Problem(checks.Fail, catalog.ProxyInterceptsLoopback, "the proxy http://admin:"+secret+"@proxy.example:8080 takes localhost"))
	got := pre.WithAnalyses(machine, nil)
	if len(got.Analyses) != 1 || got.Analyses[0].Analyzer != "doctor" {
		t.Fatalf("analyses %+v", got.Analyses)
	}
	out, _ := json.Marshal(got)
	if strings.Contains(string(out), secret) {
		t.Errorf("the secret leaks from an analysis: %s", out)
	}
	if !strings.Contains(string(out), `"analyses":[{`) || !strings.Contains(string(out), "proxy.example") {
		t.Errorf("the analysis is not in the report's JSON: %s", out)
	}
	if got.Verdict != checks.VerdictOK || got.Summary.Fail != 0 {
		t.Errorf("an analysis changed the report's verdict: %s %+v", got.Verdict, got.Summary)
	}
	if !strings.Contains(machine.Findings[0].Title, secret) || pre.Analyses != nil {
		t.Error("WithAnalyses changed what it was given")
	}
}
