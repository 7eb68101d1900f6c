package signin_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/signin"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// tokenServer is a fake IdP whose token endpoint answers with status and body.
func tokenServer(t *testing.T, status int, body string) *testidp.Fake {
	return testidp.NewFake(t, map[string]http.HandlerFunc{"/token": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}})
}

// redirectBack runs a sign-in and plays the browser's redirect to the
// loopback with the query that query builds from the request's state.
// It returns the findings and the page the browser was shown.
func redirectBack(t *testing.T, cfg checks.Config, client *http.Client, query func(state string) string, pre ...*checks.Report) ([]checks.Finding, string) {
	t.Helper()
	testidp.LockLoopbackPort(t)
	urls := make(chan string, 1)
	done := make(chan *checks.SignInResult, 1)
	testidp.Background(t, 20*time.Second, func(ctx context.Context) {
		opts := suite.SignInOptions{HTTPClient: client, RequestTimeout: 2 * time.Second, Ready: func(u string) { urls <- u }}
		if len(pre) > 0 {
			opts.Preflight = pre[0]
		}
		done <- suite.SignIn(ctx, cfg, opts)
	})
	var signInURL string
	select {
	case signInURL = <-urls:
	case res := <-done:
		t.Fatalf("ended early: %s", dumpFindings(res.Findings))
	}
	u, _ := url.Parse(signInURL)
	resp, err := http.Get("http://localhost:18080/?" + query(u.Query().Get("state")))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res := <-done
	return res.Findings, string(page)
}

func TestSignInFaults(t *testing.T) {
	ok := func(state string) string { return "code=SplxlOBeZQQYbYS6WxSbIA&state=" + state }
	tests := []struct {
		name   string
		status int
		body   string
		query  func(string) string
		idp    *checks.IdP
		step   string
		row    catalog.ID
	}{
		{"access denied", 200, "{}", func(s string) string {
			return "error=access_denied&error_description=" + url.QueryEscape("User is not assigned to the client application.") + "&state=" + s
		}, idp.Okta, signin.StepRedirect, "access_denied_policy"},
		{"consent", 200, "{}", func(s string) string {
			return "error=consent_required&error_description=" + url.QueryEscape("AADSTS65001: The user or administrator has not consented to use the application") + "&state=" + s
		}, idp.Entra, signin.StepRedirect, "consent_required"},
		{"cognito invalid_scope", 200, "{}", func(s string) string { return "error=invalid_scope&state=" + s }, idp.Cognito, signin.StepRedirect, "cognito_offline_access"},
		{"entra public client disabled", 401, `{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}`,
			ok, idp.Entra, signin.StepExchange, "public_client_disabled"},
		{"google secret missing", 400, `{"error":"invalid_request","error_description":"client_secret is missing."}`, ok, idp.Google, signin.StepExchange, "google_client_secret_missing"},
		{"pkce rejected", 400, `{"error":"invalid_grant","error_description":"PKCE verification failed"}`, ok, nil, signin.StepExchange, "pkce_unsupported"},
		{"a client the authorize step accepted, refused at the token endpoint", 401, `{"error":"invalid_client"}`, ok, nil, signin.StepExchange, "public_client_disabled"},
		{"okta client authentication", 401, `{"error":"invalid_client","error_description":"Client authentication failed. Either the client or the client credentials are invalid."}`, ok, idp.Okta, signin.StepExchange, "public_client_disabled"},
		{"token endpoint answers HTML", 502, `<html><body>Bad gateway</body></html>`, ok, nil, signin.StepExchange, "idp_error"},
		{"no ID token", 200, `{"access_token":"at-123456","token_type":"Bearer","expires_in":3600}`, ok, nil, signin.StepIDToken, "token_validation_failure"},
		{"ID token is garbage", 200, `{"access_token":"at-123456","token_type":"Bearer","id_token":"not.a.jwt"}`, ok, nil, signin.StepIDToken, "token_validation_failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tokenServer(t, tt.status, tt.body)
			cfg := f.Values()
			if tt.idp != nil {
				cfg.IdP = tt.idp.ID
			}
			fs, page := redirectBack(t, cfg, testidp.ClientTrusting(t, f.Server), tt.query)
			var found bool
			for _, x := range fs {
				if x.Check == tt.step && x.Status == checks.Fail && x.Row == tt.row {
					found = true
				}
			}
			if !found {
				t.Errorf("want fail %s from %s; got:\n%s", tt.row, tt.step, dumpFindings(fs))
			}
			if !strings.Contains(page, "Sign-in failed") {
				t.Errorf("page: %s", page)
			}
			if strings.Contains(dumpFindings(fs), "SplxlOBeZQQYbYS6WxSbIA") {
				t.Error("the code appears in a finding")
			}
		})
	}
}

func TestSignInTimeout(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res := suite.SignIn(ctx, oktaValues, suite.SignInOptions{})
	last := res.Findings[len(res.Findings)-1]
	// Nobody completed the sign-in: unfinished, never a pass, and the run is incomplete.
	if last.Check != signin.StepRedirect || last.Status != checks.Skip || !last.Incomplete || !strings.Contains(last.Detail, "own error page") {
		t.Errorf("findings:\n%s", dumpFindings(res.Findings))
	}
	if rep := suite.Report(oktaValues, nil, res, "test"); rep.Verdict != checks.VerdictIncomplete {
		t.Errorf("verdict %s, want incomplete", rep.Verdict)
	}
	// The port is released.
	l, err := net.Listen("tcp", "127.0.0.1:18080")
	if err != nil {
		t.Fatalf("port 18080 still held: %v", err)
	}
	l.Close()
}

func TestSignInInterrupted(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := suite.SignIn(ctx, oktaValues, suite.SignInOptions{Ready: func(string) {
		// The person visits the listener by hand, then presses Ctrl-C.
		go func() {
			if resp, err := http.Get("http://127.0.0.1:18080/favicon.ico"); err == nil {
				resp.Body.Close()
			}
			cancel()
		}()
	}})
	last := res.Findings[len(res.Findings)-1]
	if last.Status != checks.Skip || !last.Incomplete || !strings.Contains(last.Title, "Stopped") || !strings.Contains(last.Detail, "1 time(s)") {
		t.Errorf("findings:\n%s", dumpFindings(res.Findings))
	}
}

func TestLoopbackRefusesForeignHost(t *testing.T) {
	testidp.LockLoopbackPort(t)
	status := make(chan int, 1)
	testidp.Background(t, 20*time.Second, func(ctx context.Context) {
		suite.SignIn(ctx, oktaValues, suite.SignInOptions{Ready: func(string) {
			go func() {
				req, _ := http.NewRequest("GET", "http://127.0.0.1:18080/?code=x&state=y", nil)
				req.Host = "attacker.example:18080" // DNS rebinding
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					status <- 0
					return
				}
				resp.Body.Close()
				status <- resp.StatusCode
			}()
		}})
	})
	if got := <-status; got != http.StatusMisdirectedRequest {
		t.Errorf("status %d, want 421", got)
	}
}

func TestSignInOpensOnlyWebAddresses(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // without the check, it would wait for a redirect
	defer cancel()
	for _, endpoint := range []string{"javascript:alert(1)", "file:///etc/passwd", "acme.okta.com/oauth2/v1/authorize"} {
		cfg := oktaValues
		cfg.AuthorizationEndpoint = endpoint
		opened := false
		res := suite.SignIn(ctx, cfg, suite.SignInOptions{Ready: func(string) { opened = true }})
		if opened || len(res.Findings) != 1 || res.Findings[0].Status != checks.Skip || !strings.Contains(res.Findings[0].Detail, "http(s) URLs") {
			t.Errorf("%s: opened=%v %s", endpoint, opened, dumpFindings(res.Findings))
		}
	}
}

func TestPortIsFreeWhenSignInReturns(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stopped at once: SignIn binds, then must let go before it returns
	for i := 0; i < 200; i++ {
		suite.SignIn(ctx, oktaValues, suite.SignInOptions{})
		for _, addr := range []string{"127.0.0.1:18080", "[::1]:18080"} {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				if strings.Contains(err.Error(), "cannot assign requested address") {
					continue // no IPv6 here
				}
				t.Fatalf("run %d: %s still held after SignIn returned: %v", i, addr, err)
			}
			l.Close()
		}
	}
}

func TestSignInTokenAnswerCutShort(t *testing.T) {
	// The token endpoint starts its answer and never finishes it: the
	// finding says so, rather than "cannot parse" or a refusal.
	f := testidp.NewFake(t, map[string]http.HandlerFunc{"/token": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at-`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}})
	ok := func(state string) string { return "code=SplxlOBeZQQYbYS6WxSbIA&state=" + state }
	fs, _ := redirectBack(t, f.Values(), testidp.ClientTrusting(t, f.Server), ok)
	for _, x := range fs {
		if x.Check == signin.StepExchange && x.Status == checks.Fail && x.Row == "discovery_unreachable" &&
			x.Evidence != nil && strings.Contains(x.Evidence.Got, "no complete answer from "+f.Listener.Addr().String()) {
			return
		}
	}
	t.Errorf("want the exchange to fail with no complete answer; got:\n%s", dumpFindings(fs))
}

func TestSignInTokenAnswerCutByDeadlineDoesNotParse(t *testing.T) {
	// The token endpoint's answer ends at the deadline after a part that
	// happens to be valid JSON: the exchange still fails as cut short.
	f := testidp.NewFake(t, nil)
	client := testidp.ClientTrusting(t, f.Server)
	base := client.Transport
	client.Transport = testidp.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/token" {
			return base.RoundTrip(r)
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
			Body: &testidp.CutBody{Ctx: r.Context(), Chunk: `{"access_token":"at-123456","token_type":"Bearer"}`}}, nil
	})
	ok := func(state string) string { return "code=SplxlOBeZQQYbYS6WxSbIA&state=" + state }
	fs, _ := redirectBack(t, f.Values(), client, ok)
	for _, x := range fs {
		if x.Check == signin.StepExchange && x.Status == checks.Fail && x.Row == "discovery_unreachable" {
			return
		}
	}
	t.Errorf("want the exchange to fail as cut short; got:\n%s", dumpFindings(fs))
}

// oktaValues are an Okta org's documented values; nothing answers at them.
var oktaValues = checks.Config{
	Issuer:                "https://acme.okta.com/oauth2/default",
	AuthorizationEndpoint: "https://acme.okta.com/oauth2/default/v1/authorize",
	TokenEndpoint:         "https://acme.okta.com/oauth2/default/v1/token",
	JWKSURI:               "https://acme.okta.com/oauth2/default/v1/keys",
	ClientID:              "0oa8f3k2l9PqRsTuV5d7",
}

// TestSignInReusesThePreflightsInputs checks that the live sign-in takes
// the discovery document and the key set the preflight fetched, instead of
// fetching them again; without a preflight it fetches them itself.
func TestSignInReusesThePreflightsInputs(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	var f *testidp.Fake
	count := func(path string, serve func(w http.ResponseWriter)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits[path]++
			mu.Unlock()
			serve(w)
		}
	}
	f = testidp.NewFake(t, map[string]http.HandlerFunc{
		"/.well-known/openid-configuration": count("discovery", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"jwks_uri":%q}`, f.URL, f.URL+"/authorize", f.URL+"/token", f.URL+"/jwks")
		}),
		"/jwks": count("jwks", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"keys":[]}`)
		}),
		"/token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"at-123456","token_type":"Bearer","id_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"}`)
		},
	})
	client := testidp.ClientTrusting(t, f.Server)
	ok := func(state string) string { return "code=SplxlOBeZQQYbYS6WxSbIA&state=" + state }
	pre := suite.Run(context.Background(), f.Values(), suite.Options{HTTPClient: client, RequestTimeout: 2 * time.Second})
	mu.Lock()
	before := map[string]int{"discovery": hits["discovery"], "jwks": hits["jwks"]}
	mu.Unlock()
	if before["discovery"] != 1 || before["jwks"] != 1 {
		t.Fatalf("the preflight fetched %v, want each once", before)
	}
	// Each sign-in in a subtest of its own: each holds port 18080 until it ends.
	t.Run("with the preflight", func(t *testing.T) { redirectBack(t, f.Values(), client, ok, pre) })
	mu.Lock()
	after := map[string]int{"discovery": hits["discovery"], "jwks": hits["jwks"]}
	mu.Unlock()
	if after["discovery"] != 1 || after["jwks"] != 1 {
		t.Errorf("after a sign-in with the preflight's inputs: %v, want each still once", after)
	}
	t.Run("without", func(t *testing.T) { redirectBack(t, f.Values(), client, ok) })
	mu.Lock()
	defer mu.Unlock()
	if hits["discovery"] != 2 || hits["jwks"] != 2 {
		t.Errorf("a sign-in without a preflight fetched %v, want each once more", hits)
	}
}

// TestTabTellsTheTruth: the page the browser shows after the redirect says
// "Signed in" only when the ID token verified. Here the token is right in
// every claim, but the key set cannot be read: the tab says it is not
// verified; once the keys can be read, it says signed in.
func TestTabTellsTheTruth(t *testing.T) {
	for _, tt := range []struct {
		name     string
		keysDown bool
		want     string
	}{
		{"keys unreadable", true, "not verified"},
		{"keys readable", false, "Signed in —"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testidp.LockLoopbackPort(t)
			var nonce atomic.Value
			var f *testidp.Fake
			overrides := map[string]http.HandlerFunc{
				"/token": func(w http.ResponseWriter, r *http.Request) {
					tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
						"iss": f.URL, "aud": "quickdiag-test", "sub": "alice", "email": "alice@example.com",
						"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(), "nonce": nonce.Load(),
					})
					tok.Header["kid"] = "k1"
					id, _ := tok.SignedString(f.Key)
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"access_token":"at-123456","refresh_token":"rt-123456","token_type":"Bearer","id_token":%q}`, id)
				},
			}
			if tt.keysDown {
				overrides["/jwks"] = func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
			}
			f = testidp.NewFake(t, overrides)
			urls := make(chan string, 1)
			done := make(chan *checks.SignInResult, 1)
			testidp.Background(t, 20*time.Second, func(ctx context.Context) {
				done <- suite.SignIn(ctx, f.Values(), suite.SignInOptions{HTTPClient: testidp.ClientTrusting(t, f.Server), RequestTimeout: 2 * time.Second,
					Ready: func(u string) { urls <- u }})
			})
			u, _ := url.Parse(<-urls)
			nonce.Store(u.Query().Get("nonce"))
			resp, err := http.Get("http://localhost:18080/?code=SplxlOBeZQQYbYS6WxSbIA&state=" + u.Query().Get("state"))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			res := <-done
			if !strings.Contains(string(page), tt.want) {
				t.Errorf("the tab says %s; want %q\n%s", page, tt.want, dumpFindings(res.Findings))
			}
			if tt.keysDown && strings.Contains(string(page), "Signed in —") {
				t.Errorf("the tab claims the app would accept an unverified sign-in: %s", page)
			}
		})
	}
}

// TestForgedStateIsIgnored: any web page the admin has open can send a
// request to http://localhost:18080. One without the sign-in's state (or
// with a forged one) is answered 400 and ignored; the sign-in goes on and
// completes with the IdP's redirect, and reports the stray requests.
func TestForgedStateIsIgnored(t *testing.T) {
	testidp.LockLoopbackPort(t)
	f := tokenServer(t, 400, `{"error":"invalid_grant"}`)
	urls := make(chan string, 1)
	done := make(chan *checks.SignInResult, 1)
	testidp.Background(t, 20*time.Second, func(ctx context.Context) {
		done <- suite.SignIn(ctx, f.Values(), suite.SignInOptions{HTTPClient: testidp.ClientTrusting(t, f.Server), RequestTimeout: 2 * time.Second,
			Ready: func(u string) { urls <- u }})
	})
	u, _ := url.Parse(<-urls)
	for _, forged := range []string{"?state=forged&error=access_denied", "?error=access_denied", "?code=stolen&state=" + u.Query().Get("state") + "x"} {
		resp, err := http.Get("http://localhost:18080/" + forged)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", forged, resp.StatusCode)
		}
	}
	select {
	case res := <-done:
		t.Fatalf("a forged request ended the sign-in:\n%s", dumpFindings(res.Findings))
	case <-time.After(200 * time.Millisecond):
	}
	resp, err := http.Get("http://localhost:18080/?code=SplxlOBeZQQYbYS6WxSbIA&state=" + u.Query().Get("state"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res := <-done
	var warned, exchanged bool
	for _, f := range res.Findings {
		if f.Check == signin.StepRedirect && f.Status == checks.Warn && strings.Contains(f.Title, "3 request(s)") {
			warned = true
			if f.Evidence == nil || strings.Contains(f.Evidence.Got, "stolen") || strings.Contains(f.Evidence.Got, "forged") {
				t.Errorf("the stray requests' values appear: %+v", f.Evidence)
			}
		}
		if f.Check == signin.StepExchange {
			exchanged = true
		}
		if f.Check == signin.StepRedirect && f.Status == checks.Fail {
			t.Errorf("the redirect step failed: %s", f.Title)
		}
	}
	if !warned || !exchanged {
		t.Errorf("want the real redirect exchanged and the strays reported:\n%s", dumpFindings(res.Findings))
	}
}

// TestTokenEndpointRedirectIsNotFollowed: a 307 from the token endpoint
// would re-POST the code and the PKCE verifier to another host; the
// sign-in does not follow it and names the row.
func TestTokenEndpointRedirectIsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	f := testidp.NewFake(t, map[string]http.HandlerFunc{"/token": func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal?x=1", http.StatusTemporaryRedirect)
	}})
	ok := func(state string) string { return "code=SplxlOBeZQQYbYS6WxSbIA&state=" + state }
	fs, _ := redirectBack(t, f.Values(), testidp.ClientTrusting(t, f.Server), ok)
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the code was sent on to the redirect's target %d time(s)", n)
	}
	var named bool
	for _, f := range fs {
		if f.Check == signin.StepExchange && f.Status == checks.Fail && f.Row == catalog.EndpointRedirects {
			named = true
		}
	}
	if !named {
		t.Errorf("no endpoint_redirects at the exchange:\n%s", dumpFindings(fs))
	}
}
