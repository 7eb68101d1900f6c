package demo_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/demo"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/checks/triage"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
	"golang.org/x/oauth2"
)

func start(t *testing.T, s demo.Scenario) *demo.Provider {
	t.Helper()
	p, err := demo.Start(s, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// problems returns the rows of the report's failures and warnings.
func problems(r *checks.Report) map[catalog.ID]bool {
	out := map[catalog.ID]bool{}
	for _, f := range r.Findings {
		if f.Status == checks.Fail || f.Status == checks.Warn {
			out[f.Row] = true
		}
	}
	return out
}

// TestScenariosPreflight: for every scenario, the preflight ends with
// exactly its row (a failure), or clean for the good ones and for those
// that only a sign-in shows.
func TestScenariosPreflight(t *testing.T) {
	for _, s := range demo.All() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			p := start(t, s)
			r := suite.Run(context.Background(), p.Values(), suite.Options{})
			got := problems(r)
			switch {
			case s.Row == "" || s.Live:
				if len(got) != 0 || r.Verdict != checks.VerdictOK {
					t.Errorf("want a clean preflight, got %v (%s):\n%s", got, r.Verdict, testidp.Dump(r))
				}
			case !got[s.Row]:
				t.Errorf("want %s, got %v:\n%s", s.Row, got, testidp.Dump(r))
			}
		})
	}
}

// TestScenariosSignIn: every scenario that only a sign-in shows, signed in
// through the practice login page by headless Chromium, ends with exactly
// its row; the good one of every IdP shape signs in cleanly.
func TestScenariosSignIn(t *testing.T) {
	browser := testbrowser.Start(t)
	for _, s := range demo.All() {
		if !s.Live && s.Row != "" {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			p := start(t, s)
			cfg := p.Values()
			pre := suite.Run(context.Background(), cfg, suite.Options{})
			email := s.Email
			if email == "" {
				email = demo.Users[0].Email
			}
			testidp.LockLoopbackPort(t)
			tab := testbrowser.NewTab(t, browser)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			urls := make(chan string, 1)
			done := make(chan *checks.SignInResult, 1)
			go func() {
				done <- suite.SignIn(ctx, cfg, suite.SignInOptions{Preflight: pre, Users: []string{email}, Ready: func(u string) { urls <- u }})
			}()

			select {
			case u := <-urls:
				if _, err := testbrowser.SignIn(tab, u, demo.Users[0].Username); err != nil {
					t.Logf("browser: %v", err)
				}
			case res := <-done:
				t.Fatalf("the sign-in ended before it listened: %+v", res)
			}
			res := <-done
			rep := suite.Report(cfg, pre, res, "test")
			got := problems(rep)
			if s.Row == "" {
				if len(got) != 0 {
					t.Errorf("want a clean sign-in, got %v:\n%s", got, testidp.Dump(rep))
				}
				return
			}
			if !got[s.Row] {
				t.Errorf("want %s, got %v:\n%s", s.Row, got, testidp.Dump(rep))
			}

		})
	}
}

// TestLoginPageListsUsers: the practice login page names the practice
// users and their passwords, and never the scenario.
func TestLoginPageListsUsers(t *testing.T) {
	s, _ := demo.Lookup("entra-no-email")
	p := start(t, s)
	resp, err := http.Get(p.Origin + "/login/username?authRequestID=x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if !strings.Contains(page, demo.Users[0].Password) || !strings.Contains(page, demo.Users[0].Email) || strings.Contains(page, s.Title) {
		t.Errorf("login page: %.500s", page)
	}
}

// TestLoopbackOnly: the practice IdP refuses to listen beyond loopback.
func TestLoopbackOnly(t *testing.T) {
	s, _ := demo.Lookup("okta-good")
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "nonsense"} {
		if p, err := demo.Start(s, addr); err == nil {
			p.Close()
			t.Errorf("listened on %s", addr)
		}
	}
}

// TestConsentPages: where the vendor asks for consent (Entra here), the
// login goes to its consent page; declining ends at the desktop app's
// redirect with the vendor's error, which triage names; an IdP without a
// consent page (Okta) goes straight back with a code.
func TestConsentPages(t *testing.T) {
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// login walks the authorization request and the login form, and
	// returns where the login sends the browser.
	login := func(p *demo.Provider) string {
		cfg := p.Values()
		q := url.Values{"client_id": {cfg.ClientID}, "redirect_uri": {checks.RedirectURI}, "response_type": {"code"}, "scope": {strings.Join(checks.Scopes, " ")},
			"state": {"st4te"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
		u := cfg.AuthorizationEndpoint + "?" + q.Encode()
		for range 5 { // to the login page
			resp, err := noFollow.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := resp.Location()
			if err != nil {
				break
			}
			u = loc.String()
		}
		pu, _ := url.Parse(u)
		id := pu.Query().Get("authRequestID")
		if id == "" {
			t.Fatalf("no login page: %s", u)
		}
		resp, err := noFollow.PostForm(p.Origin+"/login/username", url.Values{"id": {id}, "username": {demo.Users[0].Username}, "password": {demo.Users[0].Password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Location")
	}

	okta, _ := demo.Lookup("okta-good")
	if loc, _ := url.Parse(login(start(t, okta))); loc == nil || loc.Path != "/auth/callback" || loc.Query().Get("id") == "" {
		t.Errorf("Okta: the login goes to %q, want the callback", loc)
	}

	entra, _ := demo.Lookup("entra-good")
	p := start(t, entra)
	loc := login(p)
	if !strings.HasPrefix(loc, "/consent?id=") {
		t.Fatalf("Entra: the login goes to %q, want the consent page", loc)
	}
	resp, err := noFollow.Get(p.Origin + loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Permissions requested") || !strings.Contains(string(body), ">Accept</button>") {
		t.Errorf("consent page: %.800s", body)
	}
	id := strings.TrimPrefix(loc, "/consent?id=")
	id, _ = url.QueryUnescape(id)
	resp, err = noFollow.PostForm(p.Origin+"/consent", url.Values{"id": {id}, "answer": {"decline"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := resp.Location()
	if err != nil || back.Host != "localhost:18080" || back.Query().Get("error") != "access_denied" || back.Query().Get("state") != "st4te" {
		t.Fatalf("declined: redirect %v (%v)", back, err)
	}
	res := triage.Analyze(back.Query().Get("error_description"))
	if len(res.Matches) == 0 || res.Matches[0].Row != catalog.ConsentRequired {
		t.Errorf("triage of %q: %+v", back.Query().Get("error_description"), res.Matches)
	}
}
