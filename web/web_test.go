package web_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/web"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// sample is a fixed report: every status, evidence, a live sign-in.
func sample() *checks.Report {
	r := &checks.Report{
		Schema: 1, ToolVersion: "v1.2.3", IdP: "entra", IdPName: "Microsoft Entra ID",
		StartedAt: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC),
		Config: checks.Config{
			Issuer:                "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c",
			AuthorizationEndpoint: "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/oauth2/v2.0/authorize",
			TokenEndpoint:         "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/oauth2/v2.0/token",
			JWKSURI:               "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/discovery/v2.0/keys",
			ClientID:              "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23",
		},
		Findings: []checks.Finding{
			{Check: "values.urls", Status: checks.Pass, Title: "The four URLs are clean, absolute https URLs"},
			{Check: "entra.issuer", Status: checks.Fail, Row: "invalid_issuer", Title: "Issuer URL lacks the /v2.0 suffix",
				Detail: "This is the portal's Authority URL.", Fix: "Recreate the extension access with the Issuer URL …/v2.0",
				Evidence: &checks.Evidence{Expected: "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/v2.0", Got: "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c"}},
			{Check: "discovery.refresh", Status: checks.Warn, Row: "invalid_scope", Title: "offline_access is not among the advertised scopes", Fix: "Enable offline_access."},
			{Check: "jwks.same_keys", Status: checks.Skip, Title: "JWKS URI is the issuer's key set", Detail: "Not run: the discovery document is not available."},
			{Check: "signin.email", Status: checks.Fail, Row: "email_case_mismatch", Title: "The email differs from the provisioned one only in letter case <b>",
				Evidence: &checks.Evidence{Expected: "alice@example.com", Got: "Alice@Example.com"}},
		},
		Token: &checks.TokenReport{IDToken: &checks.DecodedJWT{
			Header: map[string]any{"alg": "RS256", "kid": "k1"},
			Claims: map[string]any{"email": "Alice@Example.com", "exp": 1795485647.0, "aud": "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23"},
		}},
	}
	tenant := "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c"
	r.SetPaste(checks.PasteValues{
		checks.Issuer: &checks.Paste{Value: tenant + "/v2.0", Status: checks.Corrected, Entered: tenant,
			Why: "The IdP's discovery document publishes " + tenant + "/v2.0."},
		checks.AuthorizationEndpoint: &checks.Paste{Value: tenant + "/oauth2/v2.0/authorize", Status: checks.Verified},
		checks.TokenEndpoint:         &checks.Paste{Value: tenant + "/oauth2/v2.0/token", Status: checks.Verified},
		checks.JWKSURI:               &checks.Paste{Value: tenant + "/discovery/v2.0/keys", Status: checks.Verified},
		checks.ClientID:              &checks.Paste{Value: "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23", Status: checks.Unverified, Why: "No document publishes the Client ID."},
	})
	r.Finish()
	return r
}

func TestReportGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := web.Report(web.NewReport(sample()), "/* css */").Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden.html")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./web -update)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("report changed (-want +got); run go test ./web -update if intended:\n%s", diff)
	}
}

func TestFindingRendering(t *testing.T) {
	html := render(t, web.Phases(web.NewReport(sample()).Phases))
	for _, want := range []string{
		`data-status="pass"`, "✓ Pass", `data-status="fail"`, "✗ Fail", `data-status="warn"`, "! Warning", `data-status="skip"`, "– Skipped",
		`data-row="invalid_issuer"`, `title="Entra issuer entered without /v2.0"`, "<dt>Expected</dt>", "<strong>Fix:</strong>",
		"letter case &lt;b&gt;", // escaped, never markup
	} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered findings lack %q", want)
		}
	}
	// A pass shows no detail, evidence or fix.
	pass := render(t, web.Finding(web.NewFinding(checks.Finding{Check: "x", Status: checks.Pass, Title: "ok", Detail: "d", Fix: "f",
		Evidence: &checks.Evidence{Expected: "e", Got: "g"}})))
	if strings.Contains(pass, "<dt>") || strings.Contains(pass, "Fix:") || strings.Contains(pass, ">d<") {
		t.Errorf("a pass shows details: %s", pass)
	}
}

func TestClaimsHighlightEmail(t *testing.T) {
	v := web.NewReport(sample())
	html := render(t, web.Claims("Claims", v.IDToken.Claims))
	if !strings.Contains(html, `<tr class="email"><th scope="row">email</th><td>Alice@Example.com</td>`) {
		t.Errorf("email not highlighted: %s", html)
	}
	if !strings.Contains(html, "1795485647 (2026-11-24T02:00:47Z)") {
		t.Errorf("exp not shown as a date: %s", html)
	}
	if v.Email != "Alice@Example.com" {
		t.Errorf("view email %q", v.Email)
	}
}

func TestVerdict(t *testing.T) {
	for _, tt := range []struct {
		s      checks.Summary
		status string
	}{
		{checks.Summary{Pass: 3}, "pass"}, {checks.Summary{Pass: 3, Warn: 1}, "warn"}, {checks.Summary{Warn: 1, Fail: 1}, "fail"},
	} {
		if _, st := web.Verdict(tt.s); st != tt.status {
			t.Errorf("%+v: %s, want %s", tt.s, st, tt.status)
		}
	}
}

func render(t *testing.T, c interface {
	Render(context.Context, io.Writer) error
}) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestAnalysisSummary: an analyzer's verdict speaks of its findings, not
// of the console entry, and nothing is green while something could not be
// checked.
func TestAnalysisSummary(t *testing.T) {
	for _, tt := range []struct {
		s      checks.Summary
		status string
		want   string
	}{
		{checks.Summary{Pass: 3, Fail: 1}, "fail", "1 check failed: each says what to change."},
		{checks.Summary{Pass: 3, Warn: 2}, "warn", "read the 2 warnings"},
		{checks.Summary{Pass: 3, Skip: 8}, "skip", "8 things could not be checked"},
		{checks.Summary{Pass: 3}, "pass", "No problem found."},
	} {
		v := web.NewAnalysisSummary(tt.s)
		if v.Status != tt.status || !strings.Contains(v.Verdict, tt.want) || strings.Contains(v.Verdict, "extension access") {
			t.Errorf("%+v: %s %q", tt.s, v.Status, v.Verdict)
		}
	}
}

// TestReportAnalysisHeadings: an analysis carried in a report says its own
// outcome in its heading — the verdict above does not count it.
func TestReportAnalysisHeadings(t *testing.T) {
	r := checks.NewReport(checks.Config{Issuer: "https://idp.example"}, nil, time.Now())
	r.Findings = []checks.Finding{checks.Passf("discovery read")}
	r.Finish()
	bad := checks.NewAnalysis("doctor", "this machine")
	bad.Add("doctor.clock", checks.Problem(checks.Fail, catalog.ClockSkew, "the clock is 9 minutes ahead"))
	bad.Add("doctor.proxy", checks.Problem(checks.Warn, catalog.ProxyInterceptsLoopback, "a proxy for localhost"))
	skipped := checks.NewAnalysis("saml", "the metadata")
	skipped.Add("saml.response", checks.Finding{Status: checks.Skip, Title: "no response given"})
	partly := checks.NewAnalysis("users", "list-users")
	partly.Add("users.count", checks.Passf("12 users"))
	partly.Add("users.idp", checks.Finding{Status: checks.Skip, Title: "no IdP export given"})
	v := web.NewReport(r.WithAnalyses(bad, skipped, partly))
	var names []string
	for _, p := range v.Analyses {
		names = append(names, p.Name)
	}
	want := []string{"This machine — 1 failed, 1 warning", "SAML sign-in to the web app — nothing verified", "AWS account: provisioned users — no problem found, 1 not run"}
	if !slices.Equal(names, want) {
		t.Errorf("headings %q, want %q", names, want)
	}
}
