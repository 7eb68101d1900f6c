// Package testidp starts a real OpenID provider for tests: panva's
// oidc-provider from npm, on loopback, over TLS signed by a CA made for the
// test. It can host several authorization servers on one port, shaped like
// Okta's (custom and org servers) or Entra's (tenant paths).
package testidp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/oidc"
)

// Client is an OAuth client registered at a server.
type Client struct {
	ID              string   `json:"client_id"`
	RedirectURIs    []string `json:"redirect_uris"`
	GrantTypes      []string `json:"grant_types"`
	ResponseTypes   []string `json:"response_types"`
	AuthMethod      string   `json:"token_endpoint_auth_method"`
	ApplicationType string   `json:"application_type"`
	Secret          string   `json:"client_secret,omitempty"`
	// Scope, when set, is the only scopes the client may request.
	Scope string `json:"scope,omitempty"`
}

// DesktopClient returns a client registered as the desktop app needs:
// public, native, redirect http://localhost:18080, code and refresh grants.
func DesktopClient(id string) Client {
	return Client{
		ID:              id,
		RedirectURIs:    []string{checks.RedirectURI},
		GrantTypes:      []string{"authorization_code", "refresh_token"},
		ResponseTypes:   []string{"code"},
		AuthMethod:      "none",
		ApplicationType: "native",
	}
}

// Account is a user's claims. Zero values mean <login>@example.com, verified.
type Account struct {
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
}

// Server is one authorization server.
type Server struct {
	Name string `json:"name"`
	// Mount is the path prefix the server is served under ("" for the root).
	Mount string `json:"mount"`
	// IssuerPath is the issuer's path; nil means Mount.
	IssuerPath *string `json:"issuer_path,omitempty"`
	// DiscoveryAlias is another path that serves the discovery document.
	DiscoveryAlias string             `json:"discovery_alias,omitempty"`
	Routes         map[string]string  `json:"routes,omitempty"`
	Clients        []Client           `json:"clients"`
	Accounts       map[string]Account `json:"accounts,omitempty"`
	// OmitEmail leaves email out of every token and userinfo.
	OmitEmail bool `json:"omit_email,omitempty"`
	// RefreshOmitEmail leaves email out of the ID token of a refresh grant.
	RefreshOmitEmail bool `json:"refresh_omit_email,omitempty"`
	// RefreshNoIDToken returns no ID token on a refresh grant.
	RefreshNoIDToken bool `json:"refresh_no_id_token,omitempty"`
	// NoRefreshToken issues no refresh token, silently, as many IdPs do
	// when the grant or offline_access is not enabled.
	NoRefreshToken bool `json:"no_refresh_token,omitempty"`
	// RejectScopes are scopes the server refuses with invalid_scope, sent
	// back to the redirect URI, as Okta does for a scope it does not offer.
	RejectScopes []string `json:"reject_scopes,omitempty"`
}

// Options configure the provider process.
type Options struct {
	Servers []Server
	// Plain serves http instead of https.
	Plain bool
}

// IdP is a running provider.
type IdP struct {
	// Origin is scheme://127.0.0.1:port.
	Origin string
	// CAFile is the PEM file of the CA that signed the server's certificate.
	CAFile string
	// CA is the same CA as a pool.
	CA      *x509.CertPool
	servers map[string]Server
}

// Issuer returns the issuer of the named server.
func (p *IdP) Issuer(name string) string {
	s := p.servers[name]
	path := s.Mount
	if s.IssuerPath != nil {
		path = *s.IssuerPath
	}
	return p.Origin + path
}

// HTTPClient returns a client that trusts the provider's CA.
func (p *IdP) HTTPClient() *http.Client {
	c, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: p.CAFile})
	if err != nil {
		panic(err)
	}
	return c
}

// Dir returns the folder of the provider's Node.js program.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

var installOnce sync.Once
var installErr error

// Require makes sure Node.js and the provider's npm packages are present,
// installing the packages on first use. Without Node.js the test is skipped,
// except under CI, where it fails.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed: the tests need Node.js for the test IdP")
		}
		t.Skip("node is not installed: skipping tests against the real OpenID provider")
	}
	installOnce.Do(func() { installErr = npmInstall() })
	if installErr != nil {
		t.Fatalf("install the test IdP's npm packages: %v", installErr)
	}
}

// npmInstall runs "npm ci" in Dir once, under a file lock shared by the
// test binaries of every package.
func npmInstall() error {
	dir := Dir()
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "quickdiag-testidp-npm.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := lockFile(lock); err != nil {
		return err
	}
	defer unlockFile(lock)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err == nil {
		return nil
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci: %v\n%s", err, out)
	}
	return nil
}

// Start starts the provider and stops it when the test ends.
func Start(t testing.TB, opts Options) *IdP {
	t.Helper()
	Require(t)
	p := &IdP{servers: map[string]Server{}}
	cfg := map[string]any{"host": "127.0.0.1", "servers": opts.Servers}
	for _, s := range opts.Servers {
		p.servers[s.Name] = s
	}
	if !opts.Plain {
		ca, caPEM, certPEM, keyPEM := makeCerts(t)
		p.CA = ca
		p.CAFile = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(p.CAFile, caPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg["tls"] = map[string]string{"cert": string(certPEM), "key": string(keyPEM)}
	}
	input, _ := json.Marshal(cfg)

	cmd := exec.Command("node", filepath.Join(Dir(), "server.mjs"))
	cmd.Dir = Dir()
	cmd.Stdin = bytes.NewReader(input)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the test IdP: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("test IdP output:\n%s", stderr.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if origin, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- origin
			}
		}
		close(ready)
	}()
	select {
	case origin, ok := <-ready:
		if !ok {
			t.Fatalf("the test IdP exited before it was ready:\n%s", stderr.String())
		}
		p.Origin = origin
	case <-time.After(30 * time.Second):
		t.Fatalf("the test IdP did not start within 30s:\n%s", stderr.String())
	}
	return p
}

// makeCerts makes a CA and a server certificate for 127.0.0.1, ::1 and localhost.
func makeCerts(t testing.TB) (pool *x509.CertPool, caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "quickdiag test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	pool = x509.NewCertPool()
	pool.AddCert(caCert)
	return pool,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// TLSConfig returns a client TLS configuration trusting the provider's CA.
func (p *IdP) TLSConfig() *tls.Config { return &tls.Config{RootCAs: p.CA} }

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends to the buffer.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns the value as text.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Len returns the length of what was written.
func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// LockLoopbackPort holds a lock, across test binaries, on the desktop app's
// port 18080 until the test ends: sign-in tests in different packages run
// at the same time under go test ./... and must take turns.
func LockLoopbackPort(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "quickdiag-port-18080.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unlockFile(f)
		f.Close()
	})
}

// OktaServer returns a custom authorization server mounted at
// /oauth2/<name>, with Okta's paths, knowing the desktop client.
func OktaServer(name string) Server {
	return Server{
		Name: name, Mount: "/oauth2/" + name,
		Routes:  map[string]string{"authorization": "/v1/authorize", "token": "/v1/token", "jwks": "/v1/keys", "userinfo": "/v1/userinfo"},
		Clients: []Client{DesktopClient(OktaClientID)},
	}
}

// ServerConfig returns the five values of an Okta-shaped server by name.
func (p *IdP) ServerConfig(name string) checks.Config {
	base := p.Origin + "/oauth2/" + name
	return checks.Config{
		Issuer:                base,
		AuthorizationEndpoint: base + "/v1/authorize",
		TokenEndpoint:         base + "/v1/token",
		JWKSURI:               base + "/v1/keys",
		ClientID:              OktaClientID,
		IdP:                   "okta",
	}
}

// TokenRecorder is a RoundTripper that keeps every token an IdP issues
// (access, refresh and ID tokens, and each JWT's signature alone), so that
// tests can search outputs for them.
type TokenRecorder struct {
	Base   http.RoundTripper
	mu     sync.Mutex
	tokens []string
}

// RoundTrip passes the request on and records the tokens of the response.
func (r *TokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.Base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		r.mu.Lock()
		for _, k := range []string{"access_token", "refresh_token", "id_token"} {
			if s, ok := m[k].(string); ok && s != "" {
				r.tokens = append(r.tokens, s)
				if p := strings.Split(s, "."); len(p) == 3 {
					r.tokens = append(r.tokens, p[2])
				}
			}
		}
		r.mu.Unlock()
	}
	return resp, nil
}

// Tokens returns the tokens recorded so far.
func (r *TokenRecorder) Tokens() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tokens...)
}

// Background runs f in a goroutine with a context that ends with the test:
// at cleanup the context is cancelled and f is waited for. Call it after
// LockLoopbackPort, so that a sign-in lets go of port 18080 before the
// next test may take it, even when this one fails part-way.
func Background(t testing.TB, timeout time.Duration, f func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	finished := make(chan struct{})
	t.Cleanup(func() { cancel(); <-finished })
	go func() {
		defer close(finished)
		f(ctx)
	}()
}
