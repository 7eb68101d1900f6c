package doctor

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

func TestNoProxyCovers(t *testing.T) {
	tests := []struct {
		list, host string
		want       bool
	}{
		{"", "localhost", false},
		{"*", "localhost", true},
		{"localhost", "localhost", true},
		{"example.com, localhost:18080", "localhost", true},
		{".localhost", "localhost", true},
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.0/8", "127.0.0.2", true},
		{"[::1]", "::1", true},
		{"::1", "localhost", false},
		{"corp.example", "idp.corp.example", true},
		{".corp.example", "idp.corp.example", true},
		{"corp.example", "notcorp.example", false},
	}
	for _, tt := range tests {
		if got := noProxyCovers(tt.list, tt.host); got != tt.want {
			t.Errorf("noProxyCovers(%q, %q) = %v, want %v", tt.list, tt.host, got, tt.want)
		}
	}
}

func TestSystemBypass(t *testing.T) {
	s := SystemProxy{Bypass: []string{"*.corp.example", "169.254/16", "<local>", "10.0.0.0/8", "[::1]", "exact.example"}}
	for host, want := range map[string]bool{
		"localhost": true, "intranet": true, "a.corp.example": true, "169.254.1.1": true,
		"10.2.3.4": true, "::1": true, "exact.example": true, "idp.example.com": false, "127.0.0.1": false,
	} {
		if got := s.bypassed(host); got != want {
			t.Errorf("bypassed(%q) = %v, want %v", host, got, want)
		}
	}
	if (SystemProxy{Bypass: []string{"<-loopback>"}}).bypassed("localhost") {
		t.Error("<-loopback> bypasses localhost")
	}
}

func TestFromGNOME(t *testing.T) {
	keys := map[string]string{
		"org.gnome.system.proxy mode":           "'manual'",
		"org.gnome.system.proxy ignore-hosts":   "['localhost', '127.0.0.0/8', '::1']",
		"org.gnome.system.proxy.http host":      "'proxy.corp.example'",
		"org.gnome.system.proxy.http port":      "8080",
		"org.gnome.system.proxy.https host":     "'proxy.corp.example'",
		"org.gnome.system.proxy.https port":     "8443",
		"org.gnome.system.proxy autoconfig-url": "''",
	}
	get := func(schema, key string) (string, error) { return keys[schema+" "+key], nil }
	got := fromGNOME(get)
	want := SystemProxy{Source: got.Source, HTTP: "proxy.corp.example:8080", HTTPS: "proxy.corp.example:8443", Bypass: []string{"localhost", "127.0.0.0/8", "::1"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("manual (-want +got):\n%s", d)
	}
	keys["org.gnome.system.proxy mode"] = "'auto'"
	keys["org.gnome.system.proxy autoconfig-url"] = "'http://wpad.corp.example/wpad.dat'"
	if got := fromGNOME(get); got.PACURL != "http://wpad.corp.example/wpad.dat" || got.HTTP != "" {
		t.Errorf("auto: %+v", got)
	}
	keys["org.gnome.system.proxy mode"] = "'none'"
	if got := fromGNOME(get); got.HTTP != "" || got.PACURL != "" {
		t.Errorf("none: %+v", got)
	}
	if got := fromGNOME(func(string, string) (string, error) { return "", errors.New("no schema") }); got.Source != "" || !strings.Contains(got.Note, "no schema") {
		t.Errorf("unreadable: %+v", got)
	}
}

func TestFromScutil(t *testing.T) {
	out := `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  ExcludeSimpleHostnames : 1
  FTPPassive : 1
  HTTPEnable : 1
  HTTPPort : 8080
  HTTPProxy : proxy.corp.example
  HTTPSEnable : 0
  HTTPSPort : 8443
  HTTPSProxy : other.corp.example
  ProxyAutoConfigEnable : 1
  ProxyAutoConfigURLString : http://wpad.corp.example/proxy.pac
  ProxyAutoDiscoveryEnable : 0
}
`
	got := fromScutil(out)
	want := SystemProxy{Source: got.Source, HTTP: "proxy.corp.example:8080", Bypass: []string{"*.local", "169.254/16", "<local>"}, PACURL: "http://wpad.corp.example/proxy.pac"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestFromWinINet(t *testing.T) {
	got := fromWinINet(1, "http=proxy:8080;https=proxy:8443;ftp=x:21", "*.corp.example;<local>", "")
	want := SystemProxy{Source: got.Source, HTTP: "proxy:8080", HTTPS: "proxy:8443", Bypass: []string{"*.corp.example", "<local>"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := fromWinINet(1, "http://proxy:3128", "", "http://wpad/wpad.dat"); got.HTTP != "proxy:3128" || got.HTTPS != "proxy:3128" || got.PACURL != "http://wpad/wpad.dat" {
		t.Errorf("one server: %+v", got)
	}
	if got := fromWinINet(0, "proxy:3128", "", ""); got.HTTP != "" || got.Note == "" {
		t.Errorf("disabled: %+v", got)
	}
}

func TestRouteOrder(t *testing.T) {
	idp := &url.URL{Scheme: "https", Host: "idp.example.com", Path: "/"}
	p := &proxies{env: readEnv(env("https_proxy", "http://env-proxy:3128"))}
	if r := p.routeFor(idp); r.String() != "PROXY env-proxy:3128" || r.via != "https_proxy" {
		t.Errorf("env: %s via %s", r, r.via)
	}
	p.sys = SystemProxy{Source: "sys", HTTPS: "sys-proxy:8080", Bypass: []string{"*.example.com"}}
	if r := p.routeFor(idp); r.via != "https_proxy" {
		t.Errorf("bypassed system proxy: %s via %s", r, r.via)
	}
	p.sys.Bypass = nil
	if r := p.routeFor(idp); r.String() != "PROXY sys-proxy:8080" {
		t.Errorf("system: %s via %s", r, r.via)
	}
	p.pac = mustPAC(t, `function FindProxyForURL(u, h) { return "HTTPS pac-proxy:443; DIRECT"; }`, testNow)
	if r := p.routeFor(idp); r.String() != "HTTPS pac-proxy:443" || r.answer == "" {
		t.Errorf("pac: %s via %s", r, r.via)
	}
}

// TestLoopbackEnvironment: a proxy variable without NO_PROXY naming
// localhost is reported; with it, the loopback is clean.
func TestLoopbackEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		row  catalog.ID
		says string
	}{
		{"HTTPS_PROXY without NO_PROXY", []string{"HTTPS_PROXY", "http://127.0.0.1:3128"}, catalog.ProxyInterceptsLoopback, "NO_PROXY"},
		{"http_proxy without no_proxy", []string{"http_proxy", "http://user:secret@127.0.0.1:3128"}, catalog.ProxyInterceptsLoopback, "http://localhost:"},
		{"NO_PROXY names localhost", []string{"HTTPS_PROXY", "http://127.0.0.1:3128", "HTTP_PROXY", "http://127.0.0.1:3128", "NO_PROXY", "localhost,127.0.0.1,::1"}, "", ""},
		{"no proxy", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			o.Getenv = env(tt.env...)
			fs := of(Run(t.Context(), o), CheckProxy)
			if strings.Contains(dump(fs), "secret") {
				t.Errorf("a proxy password shows:\n%s", dump(fs))
			}
			if tt.row == "" {
				noRow(t, fs, catalog.ProxyInterceptsLoopback)
				return
			}
			f := withRow(t, fs, tt.row)
			if f.Status != checks.Warn || !strings.Contains(f.Detail+f.Fix, tt.says) || !strings.Contains(f.Fix, "NO_PROXY=localhost,127.0.0.1,::1") {
				t.Errorf("got %s %q\n%s\nfix: %s", f.Status, f.Title, f.Detail, f.Fix)
			}
		})
	}
}

// TestLoopbackSystem: the system's manual proxy without a localhost bypass
// warns; <-loopback> fails; ProxyOverride <local> is clean.
func TestLoopbackSystem(t *testing.T) {
	tests := []struct {
		name   string
		sys    SystemProxy
		status checks.Status
	}{
		{"no bypass", SystemProxy{Source: "registry", HTTP: "proxy:8080"}, checks.Warn},
		{"<-loopback>", SystemProxy{Source: "registry", HTTP: "proxy:8080", Bypass: []string{"<local>", "<-loopback>"}}, checks.Fail},
		{"<local>", SystemProxy{Source: "registry", HTTP: "proxy:8080", Bypass: []string{"<local>"}}, checks.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t).withDefaults()
			fs := loopbackFindings(o, &proxies{sys: tt.sys})
			if fs[len(fs)-1].Status != tt.status {
				t.Errorf("got:\n%s\nwant %s", dump(fs), tt.status)
			}
		})
	}
}
