package doctor

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// testCA is a CA made by the test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(t testing.TB, name pkix.Name) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: name,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

// issue signs a leaf for host.
func (ca *testCA) issue(host string) (*tls.Certificate, error) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{host}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

// mitmProxy is a TLS-intercepting proxy on loopback: it answers CONNECT,
// terminates TLS with a certificate its CA signs for the requested host,
// and relays the bytes over a new TLS connection to upstream (whatever
// host was asked for: upstream stands in for the IdP). It is what
// Zscaler and the like do.
func mitmProxy(t testing.TB, ca *testCA, upstream string) (addr string, connects func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		seen = append(seen, r.Host)
		mu.Unlock()
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		rw.Flush()
		client := tls.Server(&bufConn{Conn: conn, r: rw.Reader}, &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return ca.issue(hello.ServerName)
		}})
		if err := client.Handshake(); err != nil {
			return
		}
		up, err := tls.Dial("tcp", upstream, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer up.Close()
		go io.Copy(up, client)
		io.Copy(client, up)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), seen...) }
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// testIdP is a loopback TLS server answering with a Date header offset
// by skew.
func testIdP(t testing.TB, skew time.Duration) *httptest.Server {
	t.Helper()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if skew != 0 {
			w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"x"}`))
	}))
	t.Cleanup(s.Close)
	return s
}

// idpConfig points every value at base.
func idpConfig(base string) checks.Config {
	return checks.Config{Issuer: base, AuthorizationEndpoint: base + "/authorize", TokenEndpoint: base + "/token", JWKSURI: base + "/keys", ClientID: "quick-desktop"}
}

func trusting(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// TestInterception: the IdP's host is a name (idp.test) that only the
// proxy connects, so the environment's HTTPS_PROXY applies as it would on
// a real machine (Go's httpproxy skips loopback hosts, so the IdP must not
// be addressed as 127.0.0.1). Nothing resolves idp.test: the request
// leaves this machine only through the loopback proxy.
func TestInterception(t *testing.T) {
	idp := testIdP(t, 0)
	zscaler := newCA(t, pkix.Name{CommonName: "Zscaler Root CA", Organization: []string{"Zscaler Inc."}})
	proxy, connects := mitmProxy(t, zscaler, idp.Listener.Addr().String())
	tests := []struct {
		name   string
		extra  []*x509.Certificate
		status checks.Status
		says   string
	}{
		{"untrusted", nil, checks.Fail, "does not trust: intercepted by Zscaler"},
		{"trusted with --ca-file", []*x509.Certificate{zscaler.cert}, checks.Warn, "intercepted by Zscaler, trusted only through --ca-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			o.Config = idpConfig("https://idp.test/oauth2/default")
			o.Getenv = env("HTTPS_PROXY", "http://"+proxy, "NO_PROXY", "localhost,127.0.0.1,::1")
			o.Resolver = loopbackResolver // idp.test does not resolve: only the proxy reaches it
			o.Roots = trusting(idp.Certificate())
			o.ExtraRoots = tt.extra
			o.RequestTimeout = 5 * time.Second
			a := Run(t.Context(), o)
			fs := of(a, CheckTLS)
			f := withRow(t, fs, catalog.TLSUntrusted)
			if f.Status != tt.status || !strings.Contains(f.Title, tt.says) {
				t.Fatalf("got %s %q, want %s %q\n%s", f.Status, f.Title, tt.status, tt.says, dump(fs))
			}
			if !strings.Contains(f.Detail, "Zscaler Root CA") || !strings.Contains(f.Detail, "through PROXY "+proxy+" (HTTPS_PROXY)") {
				t.Errorf("detail does not show the chain and the route:\n%s", f.Detail)
			}
			if !strings.Contains(f.Fix, "trust Zscaler's root CA") || !strings.Contains(f.Fix, "bypass TLS inspection for the IdP's hosts (idp.test)") {
				t.Errorf("fix: %s", f.Fix)
			}
			if c := connects(); len(c) == 0 || c[len(c)-1] != "idp.test:443" {
				t.Errorf("the proxy saw CONNECT %v", c)
			}
			route := of(a, CheckProxy)
			if !strings.Contains(dump(route), "https://idp.test/oauth2/default/token → PROXY "+proxy+" (HTTPS_PROXY)") {
				t.Errorf("route not reported:\n%s", dump(route))
			}
			noRow(t, route, catalog.ProxyInterceptsLoopback)
		})
	}
}

func TestTLSDirect(t *testing.T) {
	idp := testIdP(t, 0)
	o := testOptions(t)
	o.Config = idpConfig(idp.URL)
	o.Roots = trusting(idp.Certificate())
	a := Run(t.Context(), o)
	for _, id := range []string{CheckTLS, CheckClock} {
		fs := of(a, id)
		if len(fs) != 1 || fs[0].Status != checks.Pass {
			t.Errorf("%s: want one pass:\n%s", id, dump(fs))
		}
	}
	if !strings.Contains(of(a, CheckTLS)[0].Detail, "directly") {
		t.Errorf("route not said: %s", of(a, CheckTLS)[0].Detail)
	}
	o.Roots = x509.NewCertPool() // a private CA this machine does not trust
	f := withRow(t, of(Run(t.Context(), o), CheckTLS), catalog.TLSUntrusted)
	if f.Status != checks.Fail || !strings.Contains(f.Title, "a corporate or private CA") {
		t.Errorf("got %s %q", f.Status, f.Title)
	}
}

func TestClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
		idp := testIdP(t, skew)
		o := testOptions(t)
		o.Config = idpConfig(idp.URL)
		o.Roots = trusting(idp.Certificate())
		a := Run(t.Context(), o)
		f := withRow(t, of(a, CheckClock), catalog.ClockSkew)
		dir := "behind"
		if skew < 0 {
			dir = "ahead of"
		}
		if f.Status != checks.Fail || !strings.Contains(f.Title, dir) || !(strings.Contains(f.Title, "10m0s") || strings.Contains(f.Title, "9m59s") || strings.Contains(f.Title, "10m1s")) {
			t.Errorf("skew %s: got %s %q", skew, f.Status, f.Title)
		}
		if !a.Failed() {
			t.Error("the analysis did not fail")
		}
	}
}

// TestHungEndpoint: a server that accepts and never answers fails on its
// own bound, and the healthy one is reported all the same.
func TestHungEndpoint(t *testing.T) {
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	idp := testIdP(t, 0)
	o := testOptions(t)
	o.Config = idpConfig(idp.URL)
	o.Config.JWKSURI = "https://" + hung.Addr().String() + "/keys"
	o.Roots = trusting(idp.Certificate())
	o.RequestTimeout = 300 * time.Millisecond
	start := time.Now()
	a := Run(t.Context(), o)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s: the hung endpoint stalled the run", d)
	}
	fs := of(a, CheckTLS)
	f := withRow(t, fs, catalog.DiscoveryUnreachable)
	if f.Status != checks.Fail || !strings.Contains(f.Title, "did not answer within 300ms") {
		t.Errorf("got %s %q", f.Status, f.Title)
	}
	if fs[0].Status != checks.Pass {
		t.Errorf("the healthy server was not reported first:\n%s", dump(fs))
	}
}

func TestUnresolvedHost(t *testing.T) {
	o := testOptions(t)
	o.Config = idpConfig("https://dev-123456/oauth2/default")
	f := withRow(t, of(Run(t.Context(), o), CheckTLS), catalog.DNSUnresolved)
	if f.Status != checks.Fail || !strings.Contains(f.Title, "dev-123456 does not resolve") {
		t.Errorf("got %s %q", f.Status, f.Title)
	}
}

func TestNoIdPValues(t *testing.T) {
	a := Run(t.Context(), testOptions(t))
	var ids []string
	for _, f := range a.Findings {
		if len(ids) == 0 || ids[len(ids)-1] != f.Check {
			ids = append(ids, f.Check)
		}
	}
	want := []string{CheckPort, CheckLocalhost, CheckProxy, CheckTLS, CheckClock, CheckBrowser}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("order %v, want %v", ids, want)
	}
	for _, id := range []string{CheckTLS, CheckClock} {
		if fs := of(a, id); fs[0].Status != checks.Skip || !strings.Contains(fs[0].Title, "no IdP endpoint was given") {
			t.Errorf("%s: %s", id, dump(fs))
		}
	}
	if a.Failed() || a.Analyzer != "doctor" {
		t.Errorf("failed %v, analyzer %q:\n%s", a.Failed(), a.Analyzer, dump(a.Findings))
	}
}

// BenchmarkDoctor runs the doctor without the browser against a loopback
// IdP, with a PAC script served on loopback.
func BenchmarkDoctor(b *testing.B) {
	idp := testIdP(b, 0)
	o := testOptions(b)
	o.Config = idpConfig(idp.URL)
	o.Roots = trusting(idp.Certificate())
	o.PACURL = servePAC(b, pacDirect)
	b.ReportAllocs()
	for b.Loop() {
		if a := Run(b.Context(), o); a.Failed() {
			b.Fatal(dump(a.Findings))
		}
	}
}
