package oidc_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// run runs the whole preflight against c with a short per-request bound,
// failing the test if the run outlives its own deadline.
func run(t *testing.T, c checks.Config, client *http.Client) *checks.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan *checks.Report, 1)
	go func() {
		// 2s per request: short enough for the hang cases, long enough that
		// a loaded machine's TLS handshakes never make a healthy fake look hung.
		done <- suite.Run(ctx, c, suite.Options{HTTPClient: client, RequestTimeout: 2 * time.Second})
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not return within 20s of a 5s bound")
		return nil
	}
}

func TestFaults(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	tests := []struct {
		name     string
		override map[string]http.HandlerFunc
		check    string
		status   checks.Status
		row      catalog.ID
		want     string
	}{
		{"discovery hangs", map[string]http.HandlerFunc{"/.well-known/openid-configuration": hang},
			"discovery.fetch", checks.Fail, "discovery_unreachable", "no complete answer"},
		{"discovery drips its body", map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			for i := 0; i < 100; i++ {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}}, "discovery.fetch", checks.Fail, "discovery_unreachable", "no complete answer"},
		{"discovery 64 MB", map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat("a", 1<<20))
			w.Write([]byte(`{"issuer":"`))
			for i := 0; i < 64; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}}, "discovery.fetch", checks.Fail, "discovery_unreachable", "larger than 1024 KiB"},
		{"discovery is HTML", map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Welcome to the portal</h1></body></html>")
		}}, "discovery.fetch", checks.Fail, "discovery_unreachable", "an HTML page"},
		{"discovery malformed", map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "{\n\"issuer\": \"x\",\n\"jwks_uri\": }")
		}}, "discovery.fetch", checks.Fail, "discovery_unreachable", "line 3"},
		{"discovery wrong types", map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"issuer": ["x"]}`)
		}}, "discovery.fetch", checks.Fail, "discovery_unreachable", `"issuer"`},
		{"discovery wrong content type", map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, `{"issuer": %q}`, "https://"+r.Host)
		}}, "discovery.fetch", checks.Warn, "discovery_unreachable", "text/plain"},
		{"discovery 404", map[string]http.HandlerFunc{"/.well-known/openid-configuration": http.NotFound},
			"discovery.fetch", checks.Fail, "discovery_unreachable", "HTTP 404"},
		{"jwks hangs", map[string]http.HandlerFunc{"/jwks": hang},
			"jwks.keys", checks.Fail, "discovery_unreachable", "no complete answer"},
		{"jwks is HTML", map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html><body>Sign in</body></html>")
		}}, "jwks.keys", checks.Fail, "jwks_mismatch", "an HTML page"},
		{"jwks without keys", map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"keys": []}`)
		}}, "jwks.keys", checks.Fail, "jwks_mismatch", "no usable signing key"},
		{"jwks not a key set", map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"issuer": "x"}`)
		}}, "jwks.keys", checks.Fail, "jwks_mismatch", `without a "keys" array`},
		{"jwks with a broken key", map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"keys": [{"kty": "RSA", "kid": "bad", "n": "!!", "e": "AQAB"}]}`)
		}}, "jwks.keys", checks.Warn, "jwks_mismatch", "cannot be decoded"},
		{"jwks with an unknown key type", map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"keys": [{"kty": "XYZ", "kid": "odd"}]}`)
		}}, "jwks.keys", checks.Fail, "jwks_mismatch", "no usable signing key"},
		{"authorize 500", map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream exploded", 500)
		}}, "probe.authorize", checks.Warn, "discovery_unreachable", "HTTP 500"},
		{"authorize 404", map[string]http.HandlerFunc{"/authorize": http.NotFound},
			"probe.authorize", checks.Fail, "endpoint_mismatch", "HTTP 404"},
		{"authorize hangs", map[string]http.HandlerFunc{"/authorize": hang},
			"probe.authorize", checks.Fail, "discovery_unreachable", "no complete answer"},
		{"authorize loops", map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/authorize?again=1", http.StatusFound)
		}}, "probe.authorize", checks.Warn, "idp_error", "more than 10 times"},
		{"authorize sends invalid_scope back", map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://localhost:18080/?error=invalid_scope&error_description=One+or+more+scopes+are+not+configured+for+the+authorization+server+resource.&state="+r.URL.Query().Get("state"), http.StatusFound)
		}}, "probe.authorize", checks.Fail, "invalid_scope", "One or more scopes are not configured"},
		{"authorize shows AADSTS50011 in script data", map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			fmt.Fprint(w, `<html><script>$Config={"strServiceExceptionMessage":"AADSTS50011: The redirect URI 'http://localhost:18080' specified in the request does not match"};</script><body></body></html>`)
		}}, "probe.authorize", checks.Fail, "redirect_mismatch", "AADSTS50011"},
		{"authorize answers a JSON error", map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"unknown client"}`)
		}}, "probe.authorize", checks.Fail, "invalid_client", "invalid_client"},
		{"authorize unknown 400", map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Something odd happened (ref 7f3a)", 400)
		}}, "probe.authorize", checks.Fail, "idp_error", "Something odd happened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := testidp.NewFake(t, tt.override)
			r := run(t, f.Values(), testidp.ClientTrusting(t, f.Server))
			testidp.Expect(t, r, tt.check, tt.status, tt.row, tt.want)
		})
	}
}

func TestLoginPageWordsAreNotErrors(t *testing.T) {
	// A real sign-in page talks about users, passwords and letter case; none of it is an error.
	f := testidp.NewFake(t, map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><h1>Sign in</h1><form><label>User name</label><input name="user">
			<label>Password</label><input type="password"><p>Passwords are case-sensitive and need an uppercase letter.</p>
			<p>Permission needed? Ask your administrator. Session expires after 8 hours of inactivity.</p></form></body></html>`)
	}})
	r := run(t, f.Values(), testidp.ClientTrusting(t, f.Server))
	if fs := testidp.Findings(r, "probe.authorize"); len(fs) != 1 || fs[0].Status != checks.Pass {
		t.Errorf("probe: %s", testidp.Dump(r))
	}
}

func TestHungEndpointDoesNotStallOthers(t *testing.T) {
	f := testidp.NewFake(t, map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }})
	r := run(t, f.Values(), testidp.ClientTrusting(t, f.Server))
	for _, id := range []string{"discovery.fetch", "discovery.issuer", "discovery.endpoints", "probe.authorize"} {
		if fs := testidp.Findings(r, id); len(fs) != 1 || fs[0].Status != checks.Pass {
			t.Errorf("%s: %+v", id, fs)
		}
	}
	testidp.Expect(t, r, "jwks.keys", checks.Fail, "discovery_unreachable", "no complete answer")
}

func TestFakeIdPPasses(t *testing.T) {
	f := testidp.NewFake(t, nil)
	r := run(t, f.Values(), testidp.ClientTrusting(t, f.Server))
	for _, x := range r.Findings {
		if x.Status != checks.Pass {
			t.Errorf("%s: %s %s %s", x.Check, x.Status, x.Row, x.Title)
		}
	}
}

func TestUntrustedCertificate(t *testing.T) {
	f := testidp.NewFake(t, nil)
	client, _ := oidc.NewHTTPClient(oidc.HTTPOptions{}) // system roots only
	r := run(t, f.Values(), client)
	testidp.Expect(t, r, "discovery.fetch", checks.Fail, "tls_untrusted", "not trusted")
	testidp.Expect(t, r, "jwks.keys", checks.Fail, "tls_untrusted", "not trusted")
	testidp.Expect(t, r, "probe.authorize", checks.Fail, "tls_untrusted", "not trusted")
}

func TestBadCAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(path, []byte("not a certificate"), 0o600)
	if _, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: path}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("err = %v", err)
	}
	if _, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: path + ".missing"}); err == nil {
		t.Error("a missing CA file is not an error")
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "https://" + addr
	c := checks.Config{Issuer: base, AuthorizationEndpoint: base + "/authorize", TokenEndpoint: base + "/token", JWKSURI: base + "/jwks", ClientID: "x", IdP: "generic"}
	client, _ := oidc.NewHTTPClient(oidc.HTTPOptions{})
	r := run(t, c, client)
	testidp.Expect(t, r, "discovery.fetch", checks.Fail, "discovery_unreachable", "refused the connection")
	testidp.Expect(t, r, "probe.authorize", checks.Fail, "discovery_unreachable", "refused the connection")
}

func TestUnresolvableHost(t *testing.T) {
	resolver := nxResolver(t)
	client, _ := oidc.NewHTTPClient(oidc.HTTPOptions{Resolver: resolver})
	base := "https://acme.okta.test"
	c := checks.Config{Issuer: base + "/oauth2/default", AuthorizationEndpoint: base + "/oauth2/default/v1/authorize",
		TokenEndpoint: base + "/oauth2/default/v1/token", JWKSURI: base + "/oauth2/default/v1/keys", ClientID: "0oa8f3k2l9PqRsTuV5d7", IdP: "okta"}
	r := run(t, c, client)
	testidp.Expect(t, r, "discovery.fetch", checks.Fail, "dns_unresolved", "does not resolve")
	testidp.Expect(t, r, "probe.authorize", checks.Fail, "dns_unresolved", "acme.okta.test")
}

// nxResolver returns a resolver that asks only a loopback DNS server that
// knows no name.
func nxResolver(t *testing.T) *net.Resolver {
	dns := startNXDOMAIN(t)
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dns)
	}}
}

// startNXDOMAIN starts a DNS server on loopback that answers every query
// with "no such name", and returns its address.
func startNXDOMAIN(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			resp := append([]byte(nil), buf[:n]...)
			resp[2] = 0x81 | (buf[2] & 0x78) // QR, opcode, RD
			resp[3] = 0x83                   // RA, RCODE=NXDOMAIN
			for i := 6; i < 12; i++ {        // no answer, authority or additional records
				resp[i] = 0
			}
			pc.WriteTo(resp, addr)
		}
	}()
	return pc.LocalAddr().String()
}

func TestProxyFromEnvironment(t *testing.T) {
	// An IdP reachable only through an HTTPS proxy: the host name does not
	// resolve here; the proxy (on loopback) connects to the test server.
	f := testidp.NewFake(t, nil)
	proxy := startConnectProxy(t, f.Listener.Addr().String())
	t.Setenv("HTTPS_PROXY", "http://"+proxy)
	t.Setenv("NO_PROXY", "")
	resolver := nxResolver(t)
	path := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw}), 0o600)
	client, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: path, Resolver: resolver})
	if err != nil {
		t.Fatal(err)
	}
	// httptest's certificate is for example.com.
	resp, err := (&oidc.Fetcher{Client: client}).Get(context.Background(), "https://example.com/.well-known/openid-configuration", "")
	if err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	if resp.Status != 200 || !strings.Contains(string(resp.Body), "issuer") {
		t.Errorf("status %d body %q", resp.Status, resp.Body)
	}
}

// startConnectProxy starts an HTTP CONNECT proxy on loopback that sends
// every tunnel to target.
func startConnectProxy(t *testing.T, target string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() { defer up.Close(); buf.WriteTo(up); copyConn(up, conn) }()
		go func() { defer conn.Close(); copyConn(conn, up) }()
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func copyConn(dst, src net.Conn) {
	b := make([]byte, 32<<10)
	for {
		n, err := src.Read(b)
		if n > 0 {
			if _, werr := dst.Write(b[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func TestStoppedRunSaysSo(t *testing.T) {
	f := testidp.NewFake(t, map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }})
	ctx, cancel := context.WithCancel(context.Background())
	// Stop (as Ctrl-C does) once the first check has finished.
	var once sync.Once
	r := suite.Run(ctx, f.Values(), suite.Options{HTTPClient: testidp.ClientTrusting(t, f.Server), Progress: func(*checks.Check, []checks.Finding) { once.Do(cancel) }})
	var stopped int
	for _, x := range r.Findings {
		if strings.Contains(x.Detail, "time limit") {
			t.Errorf("%s blames a time limit for a stop: %s", x.Check, x.Detail)
		}
		if strings.Contains(x.Detail, "the run was stopped") {
			stopped++
		}
	}
	if stopped == 0 {
		t.Errorf("no finding says the run was stopped:\n%s", testidp.Dump(r))
	}
}

// TestProbeNeedsPositiveEvidence: an HTTP 200 page is a sign-in page only
// with a login form or the IdP's own sign-in page; an error page served
// with 200 (Ory Hydra's, Dex's own UI) is a warning, never a pass.
func TestProbeNeedsPositiveEvidence(t *testing.T) {
	for _, tt := range []struct {
		name, page, idp string
		status          checks.Status
	}{
		{"Hydra's error page, with HTTP 200", `<html><body><h1>An error occurred</h1><p>The requested OAuth 2.0 client does not exist.</p><a href="/">Go back</a></body></html>`, "generic", checks.Fail},
		{"an unknown error page, with HTTP 200", `<html><body><h1>Something went wrong</h1><p>Please try again later.</p><a href="/">Go back</a></body></html>`, "generic", checks.Warn},
		{"empty page", `<html><body></body></html>`, "generic", checks.Warn},
		{"a form without a login field", `<html><body><form method="post"><button>Continue</button></form></body></html>`, "generic", checks.Warn},
		{"username and password", `<form method="post"><input name="username"><input type="password" name="password"></form>`, "generic", checks.Pass},
		{"Entra's login name field", `<form name="f1"><input type="email" name="loginfmt" id="i0116"></form>`, "generic", checks.Pass},
		{"Okta's widget, drawn by script", `<html><body><div id="okta-sign-in"></div><script>var w = new OktaSignIn({})</script></body></html>`, "okta", checks.Pass},
		{"Okta's widget on another IdP", `<html><body><div id="okta-sign-in"></div></body></html>`, "generic", checks.Warn},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := testidp.NewFake(t, map[string]http.HandlerFunc{"/authorize": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.page) }})
			c := f.Values()
			c.IdP = tt.idp
			r := run(t, c, testidp.ClientTrusting(t, f.Server))
			fs := testidp.Findings(r, "probe.authorize")
			if len(fs) != 1 || fs[0].Status != tt.status {
				t.Errorf("probe: want %s\n%s", tt.status, testidp.Dump(r))
			}
		})
	}
}

// TestKeySetHazards: a key set publishing private key members fails
// (jwks_private_key); ten thousand unusable keys are summarised, not
// listed one by one.
func TestKeySetHazards(t *testing.T) {
	var f *testidp.Fake
	f = testidp.NewFake(t, map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: f.Key, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	}})
	r := run(t, f.Values(), testidp.ClientTrusting(t, f.Server))
	testidp.Expect(t, r, "jwks.keys", checks.Fail, catalog.JWKSPrivateKey, "d, p, q")

	bad := testidp.NewFake(t, map[string]http.HandlerFunc{"/jwks": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"keys":[`+strings.Repeat(`{"kty":"RSA","n":"x"},`, 9999)+`{"kty":"RSA","n":"x"}]}`)
	}})
	r = run(t, bad.Values(), testidp.ClientTrusting(t, bad.Server))
	if n := len(testidp.Findings(r, "jwks.keys")); n > 8 {
		t.Errorf("%d findings for ten thousand bad keys, want a summary", n)
	}
	testidp.Expect(t, r, "jwks.keys", checks.Warn, catalog.JWKSMismatch, "9995 more keys")
}

// TestCredentialsInAURL: a value with user:password@ in it is a finding,
// is never sent (net/http would send it as Basic credentials), and the
// password appears nowhere in the report.
func TestCredentialsInAURL(t *testing.T) {
	var sent atomic.Int32
	f := testidp.NewFake(t, map[string]http.HandlerFunc{"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			sent.Add(1)
		}
		w.WriteHeader(http.StatusNotFound)
	}})
	c := f.Values()
	c.Issuer = strings.Replace(c.Issuer, "https://", "https://admin:s3cr3tpass@", 1)
	c.JWKSURI = strings.Replace(c.JWKSURI, "https://", "https://admin:s3cr3tpass@", 1)
	r := run(t, c, testidp.ClientTrusting(t, f.Server))
	if sent.Load() != 0 {
		t.Error("the URL's credentials were sent")
	}
	out, _ := json.Marshal(r)
	if strings.Contains(string(out), "s3cr3tpass") {
		t.Errorf("the password appears in the report: %s", out)
	}
	testidp.Expect(t, r, "values.urls", checks.Fail, catalog.TokenValidationFailure, "user name or password")
}

// TestRedirectIntoThisMachineIsRefused: an IdP reached by name (here
// through a proxy, as on the internet) that redirects the discovery request
// to a loopback address is not followed: endpoint_redirects.
func TestRedirectIntoThisMachineIsRefused(t *testing.T) {
	var f *testidp.Fake
	var inward atomic.Int32
	f = testidp.NewFake(t, map[string]http.HandlerFunc{
		"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, f.URL+"/inside", http.StatusFound) // f.URL is https://127.0.0.1:…
		},
		"/inside": func(w http.ResponseWriter, r *http.Request) { inward.Add(1) },
	})
	proxy := startConnectProxy(t, f.Listener.Addr().String())
	t.Setenv("HTTPS_PROXY", "http://"+proxy)
	t.Setenv("NO_PROXY", "")
	path := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw}), 0o600)
	client, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: path, Resolver: nxResolver(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = oidc.FetchDiscovery(context.Background(), &oidc.Fetcher{Client: client}, "https://example.com")
	var fe *oidc.FetchError
	if !errors.As(err, &fe) || fe.Row() != catalog.EndpointRedirects || !strings.Contains(fe.Error(), "does not follow") {
		t.Errorf("want a refused redirect, got %v", err)
	}
	if inward.Load() != 0 {
		t.Error("the redirect into this machine was followed")
	}
	// An IdP on this machine may redirect within it.
	if !oidc.Internal("127.0.0.1") || !oidc.Internal("::1") || !oidc.Internal("10.1.2.3") || oidc.Internal("idp.example") {
		t.Error("Internal misjudges an address")
	}
}
