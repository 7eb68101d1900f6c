package signin_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/signin"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

type liveRun struct {
	res      *checks.SignInResult
	page     string
	url      string
	secrets  []string
	report   *checks.Report
	reportJS string
}

// signIn runs a live sign-in against cfg, completing it as login in the browser.
func signIn(t *testing.T, browser context.Context, idp *testidp.IdP, cfg checks.Config, login string, users []string) liveRun {
	t.Helper()
	testidp.LockLoopbackPort(t)
	rec := &testidp.TokenRecorder{Base: idp.HTTPClient().Transport}
	client := &http.Client{Transport: rec}
	urls := make(chan string, 1)
	done := make(chan *checks.SignInResult, 1)
	testidp.Background(t, 60*time.Second, func(ctx context.Context) {
		done <- suite.SignIn(ctx, cfg, suite.SignInOptions{HTTPClient: client, Users: users, Ready: func(u string) { urls <- u }})
	})
	var run liveRun
	select {
	case run.url = <-urls:
	case res := <-done:
		t.Fatalf("sign-in ended before it was ready: %+v", res.Findings)
	}
	page, err := testbrowser.SignIn(testbrowser.NewTab(t, browser), run.url, login)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	run.page = page
	run.res = <-done
	run.secrets = rec.Tokens()
	run.report = suite.Report(cfg, nil, run.res, "test")
	js, _ := json.Marshal(run.report)
	run.reportJS = string(js)
	return run
}

func (r liveRun) expect(t *testing.T, step string, status checks.Status, row catalog.ID) {
	t.Helper()
	for _, f := range r.res.Findings {
		if f.Check == step && f.Status == status && f.Row == row {
			return
		}
	}
	t.Errorf("want %s %s from %s; got:\n%s", status, row, step, dumpFindings(r.res.Findings))
}

func dumpFindings(fs []checks.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Check + " " + string(f.Status) + " " + string(f.Row) + ": " + f.Title + " | " + f.Detail)
		if f.Evidence != nil {
			b.WriteString(" | expected " + f.Evidence.Expected + " got " + f.Evidence.Got)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// noLeaks fails if a raw token, the code or a signature appears in the report.
func (r liveRun) noLeaks(t *testing.T) {
	t.Helper()
	if len(r.secrets) == 0 {
		t.Error("no tokens were recorded: the leak check would prove nothing")
	}
	for _, s := range r.secrets {
		if strings.Contains(r.reportJS, s) {
			t.Errorf("a raw token or signature appears in the report")
		}
	}
	if strings.Contains(r.reportJS, "code=") || strings.Contains(r.reportJS, "eyJ") {
		t.Errorf("a code or JWT-shaped value appears in the report: %s", r.reportJS)
	}
}

func TestLiveSignIn(t *testing.T) {
	okta := func(name string, edit func(*testidp.Server)) testidp.Server {
		s := testidp.OktaServer(name)
		s.Accounts = map[string]testidp.Account{"alice": {Email: "alice@example.com"}, "bob": {Email: "Bob@Example.com"}, "upn": {}}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	entra := testidp.EntraServer(testidp.DesktopClient(testidp.EntraClientID))
	idp := testidp.Start(t, testidp.Options{Servers: []testidp.Server{
		okta("default", nil),
		okta("noemail", func(s *testidp.Server) { s.OmitEmail = true }),
		okta("norefresh", func(s *testidp.Server) { s.NoRefreshToken = true }),
		okta("refreshnoid", func(s *testidp.Server) { s.RefreshNoIDToken = true }),
		okta("refreshnoemail", func(s *testidp.Server) { s.RefreshOmitEmail = true }),
		okta("noscope", func(s *testidp.Server) { s.RejectScopes = []string{"offline_access"} }),
		okta("other", nil),
		entra,
	}})
	browser := testbrowser.Start(t)

	t.Run("good path", func(t *testing.T) {
		cfg := idp.ServerConfig("default")
		cfg.Email = "alice@example.com"
		r := signIn(t, browser, idp, cfg, "alice", nil)
		for _, f := range r.res.Findings {
			if f.Status != checks.Pass {
				t.Errorf("%s: %s %s %s", f.Check, f.Status, f.Row, f.Title)
			}
		}
		for _, step := range []string{signin.StepListen, signin.StepRedirect, signin.StepExchange, signin.StepIDToken, signin.StepEmail, signin.StepUserinfo, signin.StepRefresh} {
			if !strings.Contains(r.reportJS, `"check":"`+step+`"`) {
				t.Errorf("no finding from %s", step)
			}
		}
		tok := r.report.Token
		if tok == nil || tok.IDToken == nil || tok.IDToken.Claims["email"] != "alice@example.com" || tok.Refresh == nil || tok.Refresh.IDToken.Claims["email"] != "alice@example.com" {
			t.Errorf("token report: %+v", tok)
		}
		if tok != nil && tok.IDToken != nil && tok.IDToken.Header["kid"] == nil {
			t.Errorf("no decoded header: %+v", tok.IDToken.Header)
		}
		if !strings.Contains(r.page, "Signed in — return to quickdiag") {
			t.Errorf("browser page: %q", r.page)
		}
		r.noLeaks(t)
	})

	tests := []struct {
		name   string
		cfg    func() checks.Config
		login  string
		users  []string
		step   string
		row    catalog.ID
		status checks.Status
	}{
		{"no email claim", func() checks.Config { return idp.ServerConfig("noemail") }, "alice", nil, signin.StepEmail, "email_claim_missing", checks.Fail},
		{"no refresh token", func() checks.Config { return idp.ServerConfig("norefresh") }, "alice", nil, signin.StepRefresh, "refresh_token_missing", checks.Fail},
		{"refresh without ID token", func() checks.Config { return idp.ServerConfig("refreshnoid") }, "alice", nil, signin.StepRefresh, "refresh_id_token_missing", checks.Fail},
		{"refreshed ID token without email", func() checks.Config { return idp.ServerConfig("refreshnoemail") }, "alice", nil, signin.StepRefresh, "refresh_email_missing", checks.Fail},
		{"signing key not in the entered JWKS", func() checks.Config {
			c := idp.ServerConfig("default")
			c.JWKSURI = idp.ServerConfig("other").JWKSURI
			return c
		}, "alice", nil, signin.StepIDToken, "jwks_mismatch", checks.Fail},
		{"issuer entered without /v2.0", func() checks.Config {
			c := idp.EntraConfig()
			c.Issuer = strings.TrimSuffix(c.Issuer, "/v2.0")
			return c
		}, "alice", nil, signin.StepIDToken, "invalid_issuer", checks.Fail},
		{"email differs only in case", func() checks.Config {
			c := idp.ServerConfig("default")
			c.Email = "bob@example.com"
			return c
		}, "bob", nil, signin.StepEmail, "email_case_mismatch", checks.Fail},
		{"email not provisioned", func() checks.Config { return idp.ServerConfig("default") }, "alice",
			[]string{"carol@example.com", "ALICE@example.org"}, signin.StepEmail, "email_not_provisioned", checks.Fail},
		{"email among the users", func() checks.Config { return idp.ServerConfig("default") }, "alice",
			[]string{"carol@example.com", "alice@example.com"}, signin.StepEmail, "", checks.Pass},
		{"provider answers invalid_scope", func() checks.Config { return idp.ServerConfig("noscope") }, "alice", nil, signin.StepRedirect, "invalid_scope", checks.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signIn(t, browser, idp, tt.cfg(), tt.login, tt.users)
			r.expect(t, tt.step, tt.status, tt.row)
			for _, f := range r.res.Findings {
				// Only a first ID token with email can lose it on refresh.
				if tt.row == catalog.EmailClaimMissing && f.Row == catalog.RefreshEmailMissing {
					t.Errorf("refresh_email_missing although the first ID token had no email: %s", f.Detail)
				}
			}
			if tt.status == checks.Fail && !strings.Contains(r.page, "Sign-in failed") {
				t.Errorf("the browser page does not say the sign-in failed: %q", r.page)
			}
			if len(r.secrets) > 0 {
				r.noLeaks(t)
			}
		})
	}
}

func TestLoopbackPortHeld(t *testing.T) {
	testidp.LockLoopbackPort(t)
	l, err := net.Listen("tcp", "127.0.0.1:18080")
	if err != nil {
		t.Skipf("cannot hold port 18080 for the test: %v", err)
	}
	defer l.Close()
	cfg := oktaValues
	// A second is plenty: the port must be refused at once, never waited on.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ready := false
	res := suite.SignIn(ctx, cfg, suite.SignInOptions{Ready: func(string) { ready = true }})
	if ready {
		t.Error("the sign-in URL was offered although the port is held")
	}
	if len(res.Findings) != 1 || res.Findings[0].Row != "loopback_unavailable" || res.Findings[0].Status != checks.Fail ||
		!strings.Contains(res.Findings[0].Detail, "lsof -nP -iTCP:18080 -sTCP:LISTEN") {
		t.Errorf("findings: %s", dumpFindings(res.Findings))
	}
}
