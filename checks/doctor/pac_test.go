package doctor

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// mustPAC compiles a script with the test's clock and resolver.
func mustPAC(t testing.TB, src string, now time.Time) *PAC {
	t.Helper()
	p, err := NewPAC("test.pac", []byte(src), PACOptions{
		Resolver: fakeResolver{"localhost": {"127.0.0.1"}, "intranet.corp.example": {"10.20.30.40"}},
		Now:      func() time.Time { return now },
		MyIP:     func() string { return "10.1.2.3" },
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPACHelpers runs each standard helper inside the script, so the
// bindings are tested with the Go functions behind them.
func TestPACHelpers(t *testing.T) {
	// Wednesday 15 May 2024, 14:30:15 UTC.
	now := time.Date(2024, 5, 15, 14, 30, 15, 0, time.UTC)
	tests := []struct{ expr, want string }{
		{`isPlainHostName("www")`, "true"},
		{`isPlainHostName("www.example.com")`, "false"},
		{`dnsDomainIs("www.example.com", ".example.com")`, "true"},
		{`dnsDomainIs("www.other.com", ".example.com")`, "false"},
		{`localHostOrDomainIs("www", "www.example.com")`, "true"},
		{`localHostOrDomainIs("www.example.com", "www.example.com")`, "true"},
		{`localHostOrDomainIs("www.other.com", "www.example.com")`, "false"},
		{`isResolvable("intranet.corp.example")`, "true"},
		{`isResolvable("nowhere.invalid")`, "false"},
		{`isInNet("intranet.corp.example", "10.0.0.0", "255.0.0.0")`, "true"},
		{`isInNet("192.168.1.5", "10.0.0.0", "255.0.0.0")`, "false"},
		{`isInNet("127.0.0.1", "127.0.0.0", "255.0.0.0")`, "true"},
		{`isInNet("nowhere.invalid", "0.0.0.0", "0.0.0.0")`, "false"},
		{`dnsResolve("intranet.corp.example")`, "10.20.30.40"},
		{`dnsResolve("nowhere.invalid")`, "null"},
		{`myIpAddress()`, "10.1.2.3"},
		{`dnsDomainLevels("www")`, "0"},
		{`dnsDomainLevels("www.example.com")`, "2"},
		{`shExpMatch("http://home.netscape.com/people/ari/index.html", "*/ari/*")`, "true"},
		{`shExpMatch("http://home.netscape.com/people/montulli/index.html", "*/ari/*")`, "false"},
		{`shExpMatch("a.b", "a?b")`, "true"},
		{`shExpMatch("axb", "a.b")`, "false"},
		{`convert_addr("10.1.2.3")`, "167838211"},
		{`weekdayRange("WED")`, "true"},
		{`weekdayRange("MON", "FRI")`, "true"},
		{`weekdayRange("SAT", "TUE")`, "false"},
		{`weekdayRange("FRI", "WED", "GMT")`, "true"},
		{`weekdayRange("XYZ")`, "false"},
		{`dateRange(15)`, "true"},
		{`dateRange(1, 14)`, "false"},
		{`dateRange("MAY")`, "true"},
		{`dateRange("JAN", "MAR")`, "false"},
		{`dateRange("NOV", "MAY")`, "true"},
		{`dateRange(2024)`, "true"},
		{`dateRange(2020, 2023)`, "false"},
		{`dateRange(1, "MAY", 31, "MAY")`, "true"},
		{`dateRange("APR", 2024, "JUN", 2024)`, "true"},
		{`dateRange(16, "MAY", 2024, 1, "JAN", 2025)`, "false"},
		{`dateRange(1, "MAY", 2024, 15, "MAY", 2024, "GMT")`, "true"},
		{`timeRange(14)`, "true"},
		{`timeRange(9, 17)`, "true"},
		{`timeRange(15, 17)`, "false"},
		{`timeRange(22, 15)`, "true"},
		{`timeRange(14, 30, 14, 31)`, "true"},
		{`timeRange(14, 30, 10, 14, 30, 20, "GMT")`, "true"},
		{`timeRange(14, 30, 0, 14, 30, 10)`, "false"},
		{`timeRange(1, 2, 3)`, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p := mustPAC(t, "function FindProxyForURL(url, host) { return String("+tt.expr+"); }", now)
			got, err := p.FindProxy(&url.URL{Scheme: "http", Host: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestPACFindProxyStripsHTTPSPath(t *testing.T) {
	p := mustPAC(t, `function FindProxyForURL(url, host) { return url + "|" + host; }`, time.Now())
	got, _ := p.FindProxy(&url.URL{Scheme: "https", Host: "IdP.example.com:8443", Path: "/oauth2/v1/token", RawQuery: "a=b"})
	if want := "https://IdP.example.com:8443/|idp.example.com"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got, _ = p.FindProxy(&url.URL{Scheme: "http", Host: "localhost:18080", Path: "/"})
	if want := "http://localhost:18080/|localhost"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPACErrors(t *testing.T) {
	tests := []struct {
		name, src, stage, says string
	}{
		{"not JavaScript", "<html><body>Please log in to the proxy</body></html>", "compile", "not JavaScript"},
		{"no FindProxyForURL", "var x = 1;", "compile", "FindProxyForURL"},
		{"loops at top level", "while (true) {}", "timeout", "time limit"},
		{"loops in FindProxyForURL", "function FindProxyForURL(u, h) { for (;;) {} }", "timeout", "time limit"},
		{"throws", "function FindProxyForURL(u, h) { throw new Error('boom'); }", "run", "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			p, err := NewPAC("x.pac", []byte(tt.src), PACOptions{Timeout: 100 * time.Millisecond})
			if err == nil {
				_, err = p.FindProxy(&url.URL{Scheme: "http", Host: "localhost"})
			}
			var pe *PACError
			if !errors.As(err, &pe) || pe.Stage != tt.stage || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want stage %s saying %q", err, tt.stage, tt.says)
			}
			if tt.stage == "timeout" && !errors.Is(err, ErrPACTimeout) {
				t.Errorf("err = %v, want ErrPACTimeout", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s: the time limit did not hold", d)
			}
		})
	}
}

func TestParsePACResult(t *testing.T) {
	got, err := ParsePACResult("PROXY proxy.corp:8080; SOCKS5 s:1080 ;DIRECT")
	if err != nil || len(got) != 3 || got[0].String() != "PROXY proxy.corp:8080" || got[1].URL().Scheme != "socks5" || got[2].URL() != nil {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "PROXY", "FOO bar:1", "DIRECT x"} {
		if _, err := ParsePACResult(bad); err == nil {
			t.Errorf("ParsePACResult(%q) gave no error", bad)
		}
	}
}

func TestFetchPACLimits(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("/", MaxPACSize+10)))
	}))
	defer big.Close()
	if _, err := FetchPAC(t.Context(), big.Client(), big.URL); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want the size limit", err)
	}
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	if _, err := FetchPAC(t.Context(), missing.Client(), missing.URL+"/proxy.pac"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("err = %v, want HTTP 404", err)
	}
	if _, err := FetchPAC(t.Context(), http.DefaultClient, "ftp://x/proxy.pac"); err == nil {
		t.Error("ftp:// accepted")
	}
}

// pacToProxy sends localhost, and everything else, to a proxy.
const pacToProxy = `function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:3128"; }`

// pacDirect sends everything direct.
const pacDirect = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) return "DIRECT";
  return "DIRECT";
}`

func servePAC(t testing.TB, src string) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		w.Write([]byte(src))
	}))
	t.Cleanup(s.Close)
	return s.URL + "/proxy.pac"
}

func filePAC(t testing.TB, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "proxy.pac")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// TestDoctorPAC runs the doctor with PAC scripts named by --pac (served
// over http on loopback, and from a file:// URL) and by QUICKDIAG_PAC_URL.
func TestDoctorPAC(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		file   bool
		viaEnv bool
		row    catalog.ID
		status checks.Status
		says   string
	}{
		{name: "http PAC sends localhost to a proxy", src: pacToProxy, row: catalog.ProxyInterceptsLoopback, status: checks.Warn, says: "PROXY 127.0.0.1:3128"},
		{name: "file PAC sends localhost to a proxy", src: pacToProxy, file: true, row: catalog.ProxyInterceptsLoopback, status: checks.Warn, says: "PROXY 127.0.0.1:3128"},
		{name: "QUICKDIAG_PAC_URL", src: pacToProxy, viaEnv: true, row: catalog.ProxyInterceptsLoopback, status: checks.Warn, says: "PROXY 127.0.0.1:3128"},
		{name: "PAC goes direct", src: pacDirect},
		{name: "PAC loops forever", src: "function FindProxyForURL(u, h) { while (true) {} }", row: catalog.DiscoveryUnreachable, status: checks.Warn, says: "did not finish within its time limit"},
		{name: "PAC is not JavaScript", src: "<!doctype html><title>Proxy login</title>", row: catalog.DiscoveryUnreachable, status: checks.Warn, says: "not a usable PAC script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			o.PACTimeout = 200 * time.Millisecond
			u := servePAC(t, tt.src)
			if tt.file {
				u = filePAC(t, tt.src)
			}
			if tt.viaEnv {
				o.Getenv = env("QUICKDIAG_PAC_URL", u)
			} else {
				o.PACURL = u
			}
			start := time.Now()
			a := Run(t.Context(), o)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
			fs := of(a, CheckProxy)
			if tt.row == "" {
				for _, f := range fs {
					if f.Status != checks.Pass && f.Status != checks.Skip {
						t.Fatalf("want a clean proxy report, got:\n%s", dump(fs))
					}
				}
				if !strings.Contains(dump(fs), "Loopback traffic goes direct") {
					t.Errorf("no loopback pass:\n%s", dump(fs))
				}
				return
			}
			f := withRow(t, fs, tt.row)
			if f.Status != tt.status || !strings.Contains(f.Title+f.Detail+f.Fix, tt.says) {
				t.Errorf("got %s %q (%s), want %s saying %q", f.Status, f.Title, f.Detail, tt.status, tt.says)
			}
			if tt.row == catalog.ProxyInterceptsLoopback && !strings.Contains(f.Fix, "DIRECT") {
				t.Errorf("fix %q does not say how to bypass the PAC", f.Fix)
			}
		})
	}
}

func BenchmarkPAC(b *testing.B) {
	src := `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || shExpMatch(host, "*.localhost") || isInNet(host, "127.0.0.0", "255.0.0.0")) return "DIRECT";
  if (dnsDomainIs(host, ".corp.example") || localHostOrDomainIs(host, "intranet.corp.example")) return "DIRECT";
  if (weekdayRange("MON", "FRI") && timeRange(8, 18)) return "PROXY proxy.corp.example:8080; DIRECT";
  return "PROXY proxy.corp.example:8080";
}`
	p := mustPAC(b, src, time.Now())
	u := &url.URL{Scheme: "https", Host: "login.microsoftonline.com", Path: "/x"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.FindProxy(u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPACCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPAC("b.pac", []byte(pacDirect), PACOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
