package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/handlers"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// wizard starts the handler on a loopback test server answering to its own
// address, and returns it with a client that keeps the session cookie and
// does not follow redirects.
func wizard(t *testing.T, opts handlers.Options) (*httptest.Server, *http.Client) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	opts.Hosts = []string{ts.Listener.Addr().String()}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Engine == nil {
		opts.Engine = &suite.Engine{ToolVersion: opts.Version}
	}
	wz := handlers.New(opts)
	ts.Config.Handler = wz
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(wz.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return ts, c
}

func do(t *testing.T, c *http.Client, method, u string, body io.Reader, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, body)
	if method == http.MethodPost && header["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func form(kv ...string) io.Reader {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode())
}

// unreachable returns values whose IdP refuses connections at once.
func unreachable(t *testing.T) []string {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	base := "https://" + l.Addr().String()
	l.Close()
	return []string{"issuer", base + "/oauth2/default", "authorization_endpoint", base + "/oauth2/default/v1/authorize",
		"token_endpoint", base + "/oauth2/default/v1/token", "jwks_uri", base + "/oauth2/default/v1/keys", "client_id", "0oa1quickdiagtest0x7"}
}

func TestRoutes(t *testing.T) {
	ts, c := wizard(t, handlers.Options{Version: "test"})
	get := func(path string, wantStatus int, wantBody string) string {
		t.Helper()
		resp, body := do(t, c, "GET", ts.URL+path, nil, nil)
		if resp.StatusCode != wantStatus || !strings.Contains(body, wantBody) {
			t.Errorf("GET %s: %d, want %d with %q:\n%.400s", path, resp.StatusCode, wantStatus, wantBody, body)
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("GET %s: no strict CSP", path)
		}
		return body
	}
	post := func(path string, body io.Reader, wantStatus int, wantLocation string) {
		t.Helper()
		resp, b := do(t, c, "POST", ts.URL+path, body, nil)
		if resp.StatusCode != wantStatus || resp.Header.Get("Location") != wantLocation {
			t.Errorf("POST %s: %d %q, want %d %q: %.300s", path, resp.StatusCode, resp.Header.Get("Location"), wantStatus, wantLocation, b)
		}
	}

	// The session cookie.
	resp, _ := do(t, c, "GET", ts.URL+"/", nil, nil)
	cookie := resp.Cookies()
	if len(cookie) != 1 || !cookie[0].HttpOnly || cookie[0].SameSite != http.SameSiteStrictMode || len(cookie[0].Value) < 26 {
		t.Errorf("session cookie: %+v", cookie)
	}
	get("/", 200, "Which identity provider")
	get("/static/app.css", 200, "--fail")
	get("/static/app.js", 200, "EventSource")
	get("/results", 200, "Nothing has been checked yet")
	get("/export", 200, "Nothing to export yet")
	get("/preflight", 200, "Paste the values first")
	if r, _ := do(t, c, "GET", ts.URL+"/export/report.html", nil, nil); r.StatusCode != http.StatusConflict {
		t.Errorf("export before any check: %d", r.StatusCode)
	}
	post("/idp", form("idp", "okta"), 303, "/values")
	post("/idp", form("idp", "onelogin"), 400, "")
	get("/values", 200, "Paste the five values — Okta")

	vals := unreachable(t)
	post("/values", form(vals...), 303, "/preflight")
	body := get("/preflight", 200, `data-events="/preflight/events"`)
	slots := strings.Count(body, `data-testid="running"`)
	if slots < 10 {
		t.Errorf("only %d checks announced", slots)
	}
	// The stream: one "check" event per announced check, then "done".
	req, _ := http.NewRequest("GET", ts.URL+"/preflight/events", nil)
	stream, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if stream.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("content type %q", stream.Header.Get("Content-Type"))
	}
	events := map[string]int{}
	sc := bufio.NewScanner(stream.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events[ev]++
		}
		if strings.HasPrefix(sc.Text(), "data: ") && strings.Contains(sc.Text(), "discovery_unreachable") {
			events["unreachable"]++
		}
	}
	stream.Body.Close()
	if events["check"] != slots || events["done"] != 1 || events["unreachable"] == 0 {
		t.Errorf("events %v for %d checks", events, slots)
	}
	get("/preflight", 200, `data-testid="summary"`)
	post("/preflight/run", nil, 303, "/preflight")
	get("/signin", 200, "Sign in exactly as the desktop app does")
	get("/results", 200, "cannot be edited")
	resp, v := do(t, c, "POST", ts.URL+"/api/value/issuer", nil, nil)
	if resp.StatusCode != 200 || v != vals[1] {
		t.Errorf("copy value: %d %q", resp.StatusCode, v)
	}
	if r, _ := do(t, c, "POST", ts.URL+"/api/value/nope", nil, nil); r.StatusCode != 404 {
		t.Errorf("unknown value: %d", r.StatusCode)
	}
	get("/export", 200, "Download the HTML report")
	resp, html := do(t, c, "GET", ts.URL+"/export/report.html", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(html, "<style>") || strings.Contains(html, "<script") || strings.Contains(html, `href="http`) {
		t.Errorf("HTML report: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	resp, js := do(t, c, "GET", ts.URL+"/export/report.json", nil, nil)
	var doc map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(js), &doc) != nil || doc["schema"] != 1.0 {
		t.Errorf("JSON report: %d %.200s", resp.StatusCode, js)
	}
	get("/export/values.json", 200, `"client_id": "0oa1quickdiagtest0x7"`)
	// Live feedback on the values.
	resp, lint := do(t, c, "POST", ts.URL+"/api/lint", strings.NewReader(`{"issuer":"https://acme-admin.okta.com/oauth2/default"}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 200 || !strings.Contains(lint, "okta_admin_host") {
		t.Errorf("lint: %d %.300s", resp.StatusCode, lint)
	}
	// Import.
	post("/values/import", form("json", `{"issuer": "https://a.example", "client_id": "x"}`), 303, "/values")
	_, bad := do(t, c, "POST", ts.URL+"/values/import", form("json", `{"issuer": 1}`), nil)
	if !strings.Contains(bad, "Could not import the values") {
		t.Errorf("bad import: %.300s", bad)
	}
	// Sign-in with an unreadable users list never starts.
	_, page := do(t, c, "POST", ts.URL+"/signin/start", form("users", "{not json"), nil)
	if !strings.Contains(page, "could not be read") {
		t.Errorf("bad users: %.300s", page)
	}
}

func TestRefusals(t *testing.T) {
	ts, c := wizard(t, handlers.Options{})
	host := strings.TrimPrefix(ts.URL, "http://")
	for _, path := range []string{"/", "/values", "/static/app.css", "/export/report.json"} {
		if r, _ := do(t, c, "GET", ts.URL+path, nil, map[string]string{"Host": "attacker.example:" + strings.Split(host, ":")[1]}); r.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("GET %s with a foreign Host: %d", path, r.StatusCode)
		}
	}
	for name, h := range map[string]map[string]string{
		"cross-site fetch": {"Sec-Fetch-Site": "cross-site"},
		"foreign origin":   {"Origin": "http://attacker.example"},
		"same-site":        {"Sec-Fetch-Site": "same-site"},
	} {
		for _, path := range []string{"/idp", "/values", "/signin/start", "/api/value/issuer", "/preflight/run"} {
			if r, _ := do(t, c, "POST", ts.URL+path, form("idp", "okta"), h); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", name, path, r.StatusCode)
			}
		}
	}
	if r, _ := do(t, c, "POST", ts.URL+"/idp", form("idp", "okta"), map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ts.URL}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin POST refused: %d", r.StatusCode)
	}
}

func TestSessionsAreSeparate(t *testing.T) {
	ts, a := wizard(t, handlers.Options{})
	do(t, a, "POST", ts.URL+"/values", form("issuer", "https://only-a.example", "client_id", "a"), nil)
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar}
	_, body := do(t, b, "GET", ts.URL+"/values", nil, nil)
	if strings.Contains(body, "only-a.example") {
		t.Error("another session's values are visible")
	}
	_, body = do(t, a, "GET", ts.URL+"/values", nil, nil)
	if !strings.Contains(body, "only-a.example") {
		t.Error("the session lost its values")
	}
}

func TestSecretsAreMasked(t *testing.T) {
	const secret = "GOCSPX-q8Zc1vN3tR5wY7uI9oP2aS4d"
	ts, c := wizard(t, handlers.Options{})
	do(t, c, "POST", ts.URL+"/idp", form("idp", "google"), nil)
	do(t, c, "POST", ts.URL+"/values", form("issuer", "https://accounts.google.com", "authorization_endpoint", "https://127.0.0.1:1/o/oauth2/v2/auth",
		"token_endpoint", "https://127.0.0.1:1/token?client_secret="+secret, "jwks_uri", "https://127.0.0.1:1/certs",
		"client_id", "1-a.apps.googleusercontent.com", "client_secret", secret), nil)
	// The streamed findings are redacted too.
	_, events := do(t, c, "GET", ts.URL+"/preflight/events", nil, nil)
	if !strings.Contains(events, "event: done") || strings.Contains(events, secret) || strings.Contains(events, url.QueryEscape(secret)) {
		t.Errorf("the event stream shows the secret or did not finish: %.300s", events)
	}
	do(t, c, "POST", ts.URL+"/preflight/run", nil, nil)
	for _, path := range []string{"/values", "/preflight", "/results", "/export/report.html", "/export/report.json", "/export/values.json"} {
		_, body := do(t, c, "GET", ts.URL+path, nil, nil)
		if strings.Contains(body, secret) || strings.Contains(body, url.QueryEscape(secret)) {
			t.Errorf("%s shows the secret", path)
		}
	}
	// The values file leaves the secret out and says where it goes; it imports again.
	_, file := do(t, c, "GET", ts.URL+"/export/values.json", nil, nil)
	if !strings.Contains(file, `client_secret=\u003cCLIENT_SECRET\u003e`) || strings.Contains(file, "redacted") {
		t.Errorf("values file: %s", file)
	}
	if r, body := do(t, c, "POST", ts.URL+"/values/import", form("json", file), nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the values file does not import again: %d %.300s", r.StatusCode, body)
	}
	if _, page := do(t, c, "GET", ts.URL+"/values", nil, nil); !strings.Contains(page, "placeholder") {
		t.Errorf("the imported file's secret placeholder is not flagged: %.300s", page)
	}
	do(t, c, "POST", ts.URL+"/values", form("issuer", "https://accounts.google.com", "authorization_endpoint", "https://127.0.0.1:1/o/oauth2/v2/auth",
		"token_endpoint", "https://127.0.0.1:1/token?client_secret="+secret, "jwks_uri", "https://127.0.0.1:1/certs",
		"client_id", "1-a.apps.googleusercontent.com", "client_secret", secret), nil)
	// Re-submitting the masked value keeps the secret; the copy button gets it.
	_, page := do(t, c, "GET", ts.URL+"/values", nil, nil)
	masked := "https://127.0.0.1:1/token?client_secret=%28redacted%29"
	if !strings.Contains(page, masked) {
		t.Fatalf("masked token endpoint not shown")
	}
	do(t, c, "POST", ts.URL+"/values", form("issuer", "https://accounts.google.com", "token_endpoint", masked, "client_id", "x"), nil)
	_, v := do(t, c, "POST", ts.URL+"/api/value/token_endpoint", nil, nil)
	if v != "https://127.0.0.1:1/token?client_secret="+secret {
		t.Errorf("copy value %q", v)
	}
}

func TestDiscoverFillsValues(t *testing.T) {
	var idp *httptest.Server
	idp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tenant/v2.0/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": idp.URL + "/tenant/v2.0", "authorization_endpoint": idp.URL + "/tenant/oauth2/v2.0/authorize",
			"token_endpoint": idp.URL + "/tenant/oauth2/v2.0/token", "jwks_uri": idp.URL + "/tenant/discovery/v2.0/keys"})
	}))
	defer idp.Close()
	ts, c := wizard(t, handlers.Options{})
	_, page := do(t, c, "POST", ts.URL+"/values/discover", form("discovery", idp.URL+"/tenant/v2.0/.well-known/openid-configuration"), nil)
	for _, want := range []string{`value="` + idp.URL + `/tenant/v2.0"`, `value="` + idp.URL + `/tenant/discovery/v2.0/keys"`, "Filled in from"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	_, page = do(t, c, "POST", ts.URL+"/values/discover", form("discovery", idp.URL+"/nowhere"), nil)
	if !strings.Contains(page, "Could not read the discovery document") || !strings.Contains(page, "HTTP 404") {
		t.Errorf("a missing document is not explained: %.500s", page)
	}
}

func TestDiscoverUsesTheEngineClient(t *testing.T) {
	// Filling values from discovery follows redirects as the preflight
	// does: at most five (net/http's default client would follow ten).
	var idp *httptest.Server
	idp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, _ := strconv.Atoi(r.URL.Query().Get("hop")); n < 7 {
			http.Redirect(w, r, idp.URL+"/.well-known/openid-configuration?hop="+strconv.Itoa(n+1), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": idp.URL, "authorization_endpoint": idp.URL + "/a", "token_endpoint": idp.URL + "/t", "jwks_uri": idp.URL + "/k"})
	}))
	defer idp.Close()
	ts, c := wizard(t, handlers.Options{})
	_, page := do(t, c, "POST", ts.URL+"/values/discover", form("discovery", idp.URL), nil)
	if !strings.Contains(page, "Could not read the discovery document") || !strings.Contains(page, "more than 5 redirects") {
		t.Errorf("seven redirects were followed: %.500s", page)
	}
}

func TestTriageAndAnalyzePages(t *testing.T) {
	ts, c := wizard(t, handlers.Options{})
	_, page := do(t, c, "GET", ts.URL+"/triage", nil, nil)
	if !strings.Contains(page, "Triage a reported error") {
		t.Errorf("triage page: %.300s", page)
	}
	_, page = do(t, c, "POST", ts.URL+"/triage", form("text", "Sorry, but we're having trouble\nAADSTS50011: The redirect URI 'http://localhost:18080' specified in the request does not match"), nil)
	if !strings.Contains(page, `data-row="redirect_mismatch"`) || !strings.Contains(page, "Fix:") {
		t.Errorf("triage result: %.500s", page)
	}
	_, page = do(t, c, "POST", ts.URL+"/triage", form("text", "User not found"), nil)
	if !strings.Contains(page, `data-testid="question"`) || strings.Count(page, `data-testid="match"`) != 3 {
		t.Errorf("ambiguous triage: %.500s", page)
	}
	_, page = do(t, c, "POST", ts.URL+"/triage", form("text", "<script>alert(1)</script> all fine"), nil)
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "No known cause") {
		t.Errorf("unescaped or unexpected: %.500s", page)
	}
	// The guided path: start → after sign-in → User not found → letter case.
	_, page = do(t, c, "GET", ts.URL+"/triage/guide", nil, nil)
	if !strings.Contains(page, "What happens when the user chooses Enterprise login") || !strings.Contains(page, "/triage/guide?q=after") {
		t.Errorf("guide start: %.500s", page)
	}
	_, page = do(t, c, "GET", ts.URL+"/triage/guide?q=user", nil, nil)
	if !strings.Contains(page, "/triage/guide?row=email_case_mismatch") || !strings.Contains(page, "/triage/guide?from=user&amp;step=%2Fsignin") {
		t.Errorf("guide user: %.800s", page)
	}
	_, page = do(t, c, "GET", ts.URL+"/triage/guide?row=email_case_mismatch", nil, nil)
	if !strings.Contains(page, `data-row="email_case_mismatch"`) || !strings.Contains(page, "identical, letter case included") {
		t.Errorf("guide conclusion: %.500s", page)
	}
	_, page = do(t, c, "GET", ts.URL+"/triage/guide?from=user&step=/signin", nil, nil)
	if !strings.Contains(page, `data-testid="step"`) || !strings.Contains(page, `href="/signin"`) {
		t.Errorf("guide step: %.500s", page)
	}
	for _, bad := range []string{"?q=nope", "?row=nope", "?from=user&step=/elsewhere"} {
		if r, _ := do(t, c, "GET", ts.URL+"/triage/guide"+bad, nil, nil); r.StatusCode != 404 {
			t.Errorf("guide %s: %d", bad, r.StatusCode)
		}
	}
	// The analyzers.
	_, page = do(t, c, "GET", ts.URL+"/analyze", nil, nil)
	if !strings.Contains(page, "get-key-policy") {
		t.Errorf("analyze page: %.300s", page)
	}
	_, page = do(t, c, "POST", ts.URL+"/analyze/kms-policy", form("primary", `{"Statement": [{"Effect": "Allow", "Principal": {"Service": "sso.amazonaws.com"}, "Action": "kms:Decrypt"}]}`), nil)
	if !strings.Contains(page, `data-row="kms_decrypt_quicksight"`) || !strings.Contains(page, `data-testid="summary"`) {
		t.Errorf("kms analysis: %.500s", page)
	}
	_, page = do(t, c, "POST", ts.URL+"/analyze/users", form("quick", "{\"UserList\": [\n{]}"), nil)
	if !strings.Contains(page, "Could not read the list-users output: line 2") {
		t.Errorf("users error: %.500s", page)
	}
	_, page = do(t, c, "POST", ts.URL+"/analyze/subscription", form("subscription", `{"AccountInfo": {"Edition": "STANDARD"}}`, "region", "us-east-1"), nil)
	if !strings.Contains(page, `data-row="enterprise_edition_required"`) {
		t.Errorf("subscription: %.500s", page)
	}
	if r, _ := do(t, c, "POST", ts.URL+"/analyze/keys", form("x", "y"), nil); r.StatusCode != 404 {
		t.Errorf("unknown analyzer: %d", r.StatusCode)
	}
}

func TestInterruptedPreflightIsNotKept(t *testing.T) {
	// An IdP that never answers: the preflight's network checks wait on it.
	var inflight atomic.Int32 // requests the IdP is holding
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inflight.Add(1)
		defer inflight.Add(-1)
		<-r.Context().Done()
	}))
	defer hang.Close()
	ts, c := wizard(t, handlers.Options{Timeout: time.Minute})
	do(t, c, "POST", ts.URL+"/values", form("issuer", hang.URL, "authorization_endpoint", hang.URL+"/auth",
		"token_endpoint", hang.URL+"/token", "jwks_uri", hang.URL+"/jwks", "client_id", "x"), nil)
	// Open the stream, read the first finished check, then leave the page.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/preflight/events", nil)
	stream, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stream.Body)
	for sc.Scan() && sc.Text() != "event: check" {
	}
	cancel()
	stream.Body.Close()
	// The run lets go of the IdP once it is over.
	for deadline := time.Now().Add(10 * time.Second); inflight.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the preflight still waits on the IdP 10s after the page was left")
		}
	}
	// For a second, the half-run must never show up as the session's result.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		_, page := do(t, c, "GET", ts.URL+"/preflight", nil, nil)
		if !strings.Contains(page, `data-events="/preflight/events"`) {
			t.Fatalf("the interrupted preflight was kept as the result: %.300s", page)
		}
	}
}

func TestSessionsAreBounded(t *testing.T) {
	ts, first := wizard(t, handlers.Options{MaxSessions: 2})
	do(t, first, "POST", ts.URL+"/values", form("issuer", "https://first.example", "client_id", "a"), nil)
	for i := 0; i < 2; i++ { // two newer sessions push the first out
		jar, _ := cookiejar.New(nil)
		do(t, &http.Client{Jar: jar}, "GET", ts.URL+"/", nil, nil)
	}
	_, body := do(t, first, "GET", ts.URL+"/values", nil, nil)
	if strings.Contains(body, "first.example") {
		t.Error("the oldest session outlived the limit")
	}
}

func TestCloseReleasesThePort(t *testing.T) {
	// A sign-in left waiting (the admin never finished it) must not hold
	// port 18080 once the wizard stops: the desktop app needs the port.
	testidp.LockLoopbackPort(t)
	ts := httptest.NewUnstartedServer(nil)
	wz := handlers.New(handlers.Options{Hosts: []string{ts.Listener.Addr().String()}, Engine: &suite.Engine{}, Timeout: time.Minute})
	ts.Config.Handler = wz
	ts.Start()
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do(t, c, "POST", ts.URL+"/values", unansweredValues(), nil)
	_, page := do(t, c, "POST", ts.URL+"/signin/start", form("email", "alice@example.com"), nil)
	if !strings.Contains(page, "https://127.0.0.1:1/authorize?") {
		t.Fatalf("the sign-in did not start: %s", page)
	}
	if l, err := net.Listen("tcp", "127.0.0.1:18080"); err == nil {
		l.Close()
		t.Fatal("the sign-in does not hold port 18080")
	}
	wz.Close()
	for _, addr := range []string{"127.0.0.1:18080", "[::1]:18080"} {
		l, err := net.Listen("tcp", addr)
		if err != nil && !strings.Contains(err.Error(), "cannot assign") {
			t.Errorf("%s still held after Close: %v", addr, err)
			continue
		}
		if l != nil {
			l.Close()
		}
	}
	// A closed wizard starts no new sign-in.
	if _, page := do(t, c, "POST", ts.URL+"/signin/start", nil, nil); !strings.Contains(page, "stopping") {
		t.Errorf("after Close: %s", page)
	}
}

func TestNewSignInReplacesAnotherSessions(t *testing.T) {
	// Port 18080 takes one sign-in: one started in another tab (another
	// session) and left waiting gives way to the new one, and says so.
	testidp.LockLoopbackPort(t)
	ts, a := wizard(t, handlers.Options{Timeout: time.Minute})
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, CheckRedirect: a.CheckRedirect}
	for _, c := range []*http.Client{a, b} {
		do(t, c, "POST", ts.URL+"/values", unansweredValues(), nil)
	}
	if _, page := do(t, a, "POST", ts.URL+"/signin/start", nil, nil); !strings.Contains(page, "/authorize?") {
		t.Fatalf("first sign-in: %s", page)
	}
	if _, page := do(t, b, "POST", ts.URL+"/signin/start", nil, nil); !strings.Contains(page, "/authorize?") {
		t.Fatalf("the second session's sign-in did not get the port: %s", page)
	}
	var st struct {
		Running, Done bool
		Message       string
	}
	_, body := do(t, a, "GET", ts.URL+"/signin/status", nil, nil)
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Running || !strings.Contains(st.Message, "did not finish: Stopped before the redirect came back") {
		t.Errorf("the replaced sign-in's status: %s", body)
	}
	_, body = do(t, b, "GET", ts.URL+"/signin/status", nil, nil)
	if err := json.Unmarshal([]byte(body), &st); err != nil || !st.Running {
		t.Errorf("the new sign-in's status: %s", body)
	}
}

// unansweredValues are values whose endpoints nobody answers: enough to
// start a sign-in that waits for a redirect which never comes.
func unansweredValues() io.Reader {
	return form("issuer", "https://127.0.0.1:1", "authorization_endpoint", "https://127.0.0.1:1/authorize",
		"token_endpoint", "https://127.0.0.1:1/token", "jwks_uri", "https://127.0.0.1:1/jwks", "client_id", "0oa1b2c3d4e5f6g7h8i9")
}

// TestSignInPageWarnsAndCancels: before the sign-in, the preflight's
// failures that will break it are shown with "sign in anyway"; a waiting
// sign-in can be cancelled, which frees port 18080, and offers triage of
// the IdP's page in place.
func TestSignInPageWarnsAndCancels(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ts, c := wizard(t, handlers.Options{Timeout: time.Minute})
	do(t, c, "POST", ts.URL+"/values", unansweredValues(), nil)
	do(t, c, "POST", ts.URL+"/preflight/run", nil, nil)
	_, page := do(t, c, "GET", ts.URL+"/signin", nil, nil)
	if !strings.Contains(page, `data-testid="blockers"`) || !strings.Contains(page, "Sign in anyway") || !strings.Contains(page, `data-check="probe.authorize"`) {
		t.Errorf("the failures that break the sign-in are not shown first: %.600s", page)
	}
	if _, page := do(t, c, "POST", ts.URL+"/signin/start", nil, nil); !strings.Contains(page, "/authorize?") {
		t.Fatalf("the sign-in did not start: %.300s", page)
	}
	_, page = do(t, c, "GET", ts.URL+"/signin", nil, nil)
	if !strings.Contains(page, `data-testid="cancel-signin"`) || !strings.Contains(page, `data-testid="inline-triage"`) || !strings.Contains(page, `action="/triage"`) {
		t.Errorf("a waiting sign-in offers no cancel or triage: %.600s", page)
	}
	if r, _ := do(t, c, "POST", ts.URL+"/signin/cancel", nil, nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel: %d", r.StatusCode)
	}
	_, body := do(t, c, "GET", ts.URL+"/signin/status", nil, nil)
	if !strings.Contains(body, `"running":false`) {
		t.Errorf("the sign-in still runs after cancel: %s", body)
	}
	l, err := net.Listen("tcp", "127.0.0.1:18080")
	if err != nil {
		t.Fatalf("port 18080 still held after cancel: %v", err)
	}
	l.Close()
}

// TestPreflightWithoutJavaScript: the streamed rows "Running" sit in parts
// shown only with the script; without it, a button runs the checks.
func TestPreflightWithoutJavaScript(t *testing.T) {
	ts, c := wizard(t, handlers.Options{})
	do(t, c, "POST", ts.URL+"/values", unansweredValues(), nil)
	_, page := do(t, c, "GET", ts.URL+"/preflight", nil, nil)
	i := strings.Index(page, `data-testid="running"`)
	open := strings.LastIndex(page[:max(i, 0)], `id="preflight" class="needs-js"`)
	if i < 0 || open < 0 {
		t.Errorf("running rows outside the script-only part: %.400s", page)
	}
	if !strings.Contains(page, `<noscript>`) || !strings.Contains(page, `action="/preflight/run"`) {
		t.Errorf("no way to run the checks without the script")
	}
	_, css := do(t, c, "GET", ts.URL+"/static/app.css", nil, nil)
	if !strings.Contains(css, ".needs-js { display: none; }") || !strings.Contains(css, "html.js .needs-js") {
		t.Errorf("the script-only parts are not hidden without the script")
	}
	_, js := do(t, c, "GET", ts.URL+"/static/app.js", nil, nil)
	if !strings.Contains(js, `classList.add("js")`) {
		t.Errorf("the script does not mark the page")
	}
}

// TestOtherPagesCannotEvictTheSession: a hundred cross-site image loads
// make no session; a least recently used one is evicted first, and a
// session whose sign-in is waiting is never evicted.
func TestOtherPagesCannotEvictTheSession(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ts, admin := wizard(t, handlers.Options{MaxSessions: 3, Timeout: time.Minute})
	do(t, admin, "POST", ts.URL+"/values", unansweredValues(), nil)
	if _, page := do(t, admin, "POST", ts.URL+"/signin/start", nil, nil); !strings.Contains(page, "/authorize?") {
		t.Fatalf("the sign-in did not start: %.300s", page)
	}
	img := map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
	for range 100 {
		r, _ := do(t, &http.Client{}, "GET", ts.URL+"/", nil, img)
		if len(r.Cookies()) != 0 {
			t.Fatal("a cross-site image request was given a session")
		}
	}
	// Newer sessions of this origin push out the least recently used, not the signing-in one.
	for range 10 {
		jar, _ := cookiejar.New(nil)
		do(t, &http.Client{Jar: jar}, "GET", ts.URL+"/", nil, map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"})
	}
	_, body := do(t, admin, "GET", ts.URL+"/signin/status", nil, nil)
	if !strings.Contains(body, `"running":true`) {
		t.Errorf("the admin's sign-in did not survive: %s", body)
	}
	if _, page := do(t, admin, "GET", ts.URL+"/values", nil, nil); !strings.Contains(page, "0oa1b2c3d4e5f6g7h8i9") {
		t.Error("the admin's session was evicted")
	}
	do(t, admin, "POST", ts.URL+"/signin/cancel", nil, nil)
}

// TestBodiesAreBounded: a 10 MB values form is refused and nothing of it
// kept; no route reads more than its bound.
func TestBodiesAreBounded(t *testing.T) {
	ts, c := wizard(t, handlers.Options{})
	big := strings.Repeat("A", 10<<20)
	r, _ := do(t, c, "POST", ts.URL+"/values", form("issuer", big), nil)
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 10 MB values form: HTTP %d, want 413", r.StatusCode)
	}
	if _, page := do(t, c, "GET", ts.URL+"/values", nil, nil); strings.Contains(page, "AAAAAAAAAA") {
		t.Error("the oversized value was kept")
	}
	r, _ = do(t, c, "POST", ts.URL+"/triage", form("text", strings.Repeat("B", 60<<20)), nil)
	if r.StatusCode == http.StatusOK {
		t.Errorf("a 60 MB triage paste was read whole")
	}
}

// TestUploadLeavesNoTemporaryFile: an imported values file large enough to
// be spooled to disk is gone from TMPDIR when the request ends.
func TestUploadLeavesNoTemporaryFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ts, c := wizard(t, handlers.Options{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "values.json")
	fmt.Fprintf(fw, `{"issuer": "https://a.example", "client_id": "from-file"%s}`, strings.Repeat(" ", 600<<10))
	mw.Close()
	r, _ := do(t, c, "POST", ts.URL+"/values/import", &body, map[string]string{"Content-Type": mw.FormDataContentType()})
	if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: HTTP %d", r.StatusCode)
	}
	if _, page := do(t, c, "GET", ts.URL+"/values", nil, nil); !strings.Contains(page, "from-file") {
		t.Error("the uploaded values were not imported")
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestTriageHARUpload: an uploaded HAR is read on the Triage page, and its
// sanitized copy comes back as a download without the secrets.
func TestTriageHARUpload(t *testing.T) {
	ts, c := wizard(t, handlers.Options{})
	data, err := os.ReadFile("../checks/har/testdata/firefox-policy.har")
	if err != nil {
		t.Fatal(err)
	}
	upload := func(path string) (*http.Response, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "signin.har")
		fw.Write(data)
		mw.Close()
		return do(t, c, "POST", ts.URL+path, &body, map[string]string{"Content-Type": mw.FormDataContentType()})
	}
	_, page := upload("/triage/har")
	for _, want := range []string{`data-testid="har"`, `data-row="access_denied_policy"`, `data-name="redirect_uri" data-ok="true"`, "Policy evaluation failed"} {
		if !strings.Contains(page, want) {
			t.Errorf("the triage page lacks %s", want)
		}
	}
	r, clean := upload("/triage/har/sanitized")
	if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the sanitized copy is not a download: %v", r.Header)
	}
	if strings.Contains(clean, "Winter2026!") || strings.Contains(clean, "102f7Kd9sEsSIONcookie") || !strings.Contains(clean, `"entries"`) {
		t.Errorf("sanitized copy: %.300s", clean)
	}
	_, page = do(t, c, "POST", ts.URL+"/triage/har", strings.NewReader("x"), map[string]string{"Content-Type": "multipart/form-data; boundary=zz"})
	if !strings.Contains(page, `data-testid="error"`) {
		t.Error("a broken upload did not say what is wrong")
	}
}
