package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// SystemProxy is the proxy configuration of the operating system or the
// desktop, as read from it.
type SystemProxy struct {
	// Source names where the settings were read ("gsettings
	// org.gnome.system.proxy"); empty when none were.
	Source string
	// Note says why nothing was read, or what was odd.
	Note string
	// HTTP and HTTPS are the manual proxies (host:port) for http and https
	// URLs; empty for none.
	HTTP, HTTPS string
	// Bypass is the bypass list as written (ProxyOverride, ignore-hosts,
	// ExceptionsList), including the special <local> and <-loopback>.
	Bypass []string
	// PACURL is the configured auto-config script; empty for none.
	PACURL string
	// AutoDetect is WPAD discovery, which quickdiag reports but does not run.
	AutoDetect bool
}

// manual returns the manual proxy for a URL's scheme.
func (s SystemProxy) manual(scheme string) string {
	if scheme == "https" {
		return s.HTTPS
	}
	return s.HTTP
}

// bypassed reports whether the bypass list sends host directly. The rules
// are the common ground of Windows, macOS and GNOME: exact names, *.suffix
// and .suffix, IP addresses and CIDR blocks (macOS's 169.254/16 too), and
// <local> for names without a dot. The implicit loopback bypass of
// browsers is not applied here: see loopbackCaught.
func (s SystemProxy) bypassed(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	ip := net.ParseIP(host)
	for _, e := range s.Bypass {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
		case e == "<local>":
			if ip == nil && !strings.Contains(host, ".") {
				return true
			}
		case e == "<-loopback>":
		case strings.Contains(e, "/"):
			if ip != nil {
				if _, n, err := net.ParseCIDR(expandCIDR(e)); err == nil && n.Contains(ip) {
					return true
				}
			}
		case strings.HasPrefix(e, "*"):
			if strings.HasSuffix(host, strings.TrimPrefix(e, "*")) {
				return true
			}
		case strings.HasPrefix(e, "."):
			if strings.HasSuffix(host, e) {
				return true
			}
		default:
			e = strings.Trim(e, "[]")
			if host == e || ip != nil && ip.Equal(net.ParseIP(e)) || shExpMatch(host, e) {
				return true
			}
		}
	}
	return false
}

// subtractsLoopback reports whether the bypass list holds <-loopback>,
// which makes browsers send loopback traffic to the proxy.
func (s SystemProxy) subtractsLoopback() bool {
	for _, e := range s.Bypass {
		if strings.EqualFold(strings.TrimSpace(e), "<-loopback>") {
			return true
		}
	}
	return false
}

// expandCIDR completes macOS's short IPv4 blocks: 169.254/16 → 169.254.0.0/16.
func expandCIDR(e string) string {
	addr, bits, _ := strings.Cut(e, "/")
	if !strings.Contains(addr, ":") {
		for strings.Count(addr, ".") < 3 {
			addr += ".0"
		}
	}
	return addr + "/" + bits
}

// envProxy is the proxy configuration of the environment.
type envProxy struct {
	httpproxy.Config
	// names are the variables that were read (HTTPS_PROXY or https_proxy).
	httpName, httpsName, noName string
}

// readEnv reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY, upper case first,
// as httpproxy.FromEnvironment does.
func readEnv(getenv func(string) string) envProxy {
	var e envProxy
	pick := func(upper string) (string, string) {
		if v := getenv(upper); v != "" {
			return v, upper
		}
		lower := strings.ToLower(upper)
		return getenv(lower), lower
	}
	e.HTTPProxy, e.httpName = pick("HTTP_PROXY")
	e.HTTPSProxy, e.httpsName = pick("HTTPS_PROXY")
	e.NoProxy, e.noName = pick("NO_PROXY")
	return e
}

// route returns the environment's proxy for a URL. Go's httpproxy never
// proxies loopback hosts; other programs that read these variables do,
// unless NO_PROXY names them, so loopback hosts are judged by NO_PROXY here.
func (e envProxy) route(u *url.URL) (*url.URL, string) {
	name, val := e.httpName, e.HTTPProxy
	if u.Scheme == "https" {
		name, val = e.httpsName, e.HTTPSProxy
	}
	if val == "" {
		return nil, ""
	}
	if checks.IsLoopback(u.Hostname()) {
		if noProxyCovers(e.NoProxy, u.Hostname()) {
			return nil, ""
		}
		p, err := parseProxyURL(val)
		if err != nil {
			return nil, ""
		}
		return p, name
	}
	p, err := e.ProxyFunc()(u)
	if err != nil || p == nil {
		return nil, ""
	}
	return p, name
}

// parseProxyURL parses a proxy variable's value; a bare host:port means http.
func parseProxyURL(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || !strings.Contains(v, "://") {
		return url.Parse("http://" + v)
	}
	return u, nil
}

// noProxyCovers reports whether a NO_PROXY list names host: "*", the name
// or a parent domain of it, the IP address, or a CIDR block holding it.
func noProxyCovers(noProxy, host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	ip := net.ParseIP(host)
	for _, e := range strings.Split(noProxy, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if h, _, err := net.SplitHostPort(e); err == nil {
			e = h
		}
		e = strings.Trim(e, "[]")
		switch {
		case e == "":
		case e == "*":
			return true
		case strings.Contains(e, "/"):
			if _, n, err := net.ParseCIDR(e); err == nil && ip != nil && n.Contains(ip) {
				return true
			}
		case ip != nil:
			if ip.Equal(net.ParseIP(e)) {
				return true
			}
		default:
			e = strings.TrimPrefix(e, "*")
			if host == strings.TrimPrefix(e, ".") || strings.HasSuffix(host, "."+strings.TrimPrefix(e, ".")) {
				return true
			}
		}
	}
	return false
}

// proxies is every proxy source of this machine, loaded once per run.
type proxies struct {
	env envProxy
	sys SystemProxy
	// pac is the PAC script in force (nil: none or unusable); pacURL where
	// it came from and pacFrom who named it; pacErr why it is unusable.
	pac     *PAC
	pacURL  string
	pacFrom string
	pacErr  error
}

// route is how one request leaves this machine.
type route struct {
	// proxy is nil for DIRECT.
	proxy *url.URL
	// via names what chose the route.
	via string
	// answer is a PAC's whole answer, when a PAC chose.
	answer string
	err    error
}

// String returns the route as "DIRECT" or "PROXY host:port".
func (r route) String() string {
	if r.proxy == nil {
		return "DIRECT"
	}
	if r.proxy.Scheme == "http" {
		return "PROXY " + r.proxy.Host
	}
	return strings.ToUpper(r.proxy.Scheme) + " " + r.proxy.Host
}

// routeFor returns the proxy a request to u takes, in the order a browser
// applies them: a PAC script, then the system's manual proxy, then the
// environment (which desktop programs on Linux read).
func (p *proxies) routeFor(u *url.URL) route {
	if p.pac != nil {
		ans, err := p.pac.FindProxy(u)
		if err != nil {
			return route{via: "the PAC script " + p.pacURL, err: err}
		}
		choices, err := ParsePACResult(ans)
		if err != nil {
			return route{via: "the PAC script " + p.pacURL, answer: ans, err: fmt.Errorf("the PAC script's answer %q: %v", ans, err)}
		}
		return route{proxy: choices[0].URL(), via: "the PAC script " + p.pacURL, answer: ans}
	}
	if m := p.sys.manual(u.Scheme); m != "" && !p.sys.bypassed(u.Hostname()) {
		if pu, err := parseProxyURL(m); err == nil {
			return route{proxy: pu, via: p.sys.Source}
		}
	}
	if pu, name := p.env.route(u); pu != nil {
		return route{proxy: pu, via: name}
	}
	return route{via: "no proxy setting applies"}
}

// loadProxies reads the environment, the system's settings and the PAC
// script in force: the one named (--pac, QUICKDIAG_PAC_URL), else the
// system's.
func loadProxies(ctx context.Context, o *Options) *proxies {
	p := &proxies{env: readEnv(o.Getenv), sys: o.SystemProxy(ctx)}
	switch {
	case o.PACURL != "":
		p.pacURL, p.pacFrom = o.PACURL, "--pac"
	case o.Getenv("QUICKDIAG_PAC_URL") != "":
		p.pacURL, p.pacFrom = o.Getenv("QUICKDIAG_PAC_URL"), "QUICKDIAG_PAC_URL"
	case p.sys.PACURL != "":
		p.pacURL, p.pacFrom = p.sys.PACURL, p.sys.Source
	}
	if p.pacURL == "" {
		return p
	}
	fctx, cancel := context.WithTimeout(ctx, o.RequestTimeout)
	defer cancel()
	src, err := FetchPAC(fctx, o.Client, p.pacURL)
	if err != nil {
		p.pacErr = err
		return p
	}
	p.pac, p.pacErr = NewPAC(p.pacURL, src, PACOptions{Timeout: o.PACTimeout, Resolver: o.Resolver, Now: o.Now, MyIP: o.MyIP})
	return p
}

// loopbackURL is the desktop app's redirect as the browser requests it.
func (o *Options) loopbackURL() *url.URL {
	return &url.URL{Scheme: "http", Host: fmt.Sprintf("localhost:%d", o.Port), Path: "/"}
}

// proxyFindings reports the proxy sources and which proxy each request
// takes, loopback first.
func proxyFindings(o *Options, p *proxies, eps []endpoint) []checks.Finding {
	var out []checks.Finding
	out = append(out, sourcesFinding(p))
	if p.pacErr != nil {
		out = append(out, pacErrorFinding(p, p.pacErr))
	}
	out = append(out, loopbackFindings(o, p)...)
	if len(eps) == 0 {
		out = append(out, checks.Skipf("Not checked which proxy each IdP request takes: no IdP endpoint was given (the five values: --issuer … or --config FILE on the command line, step 2 in the wizard)"))
		return out
	}
	var lines []string
	bad := false
	for _, ep := range eps {
		r := p.routeFor(ep.url)
		if r.err != nil {
			bad = true
			lines = append(lines, fmt.Sprintf("%s %s: %v", ep.label, ep.url, r.err))
			continue
		}
		line := fmt.Sprintf("%s %s → %s (%s)", ep.label, ep.url, r, r.via)
		if r.answer != "" {
			line += fmt.Sprintf(`; the PAC answered "%s"`, r.answer)
		}
		lines = append(lines, line)
	}
	if bad {
		out = append(out, checks.Problem(checks.Fail, catalog.DiscoveryUnreachable, "The proxy for an IdP endpoint cannot be worked out").
			WithDetail(strings.Join(lines, "\n")).
			WithFix("Mend the PAC script so that FindProxyForURL answers for the IdP's hosts, or name a working one with --pac URL."))
		return out
	}
	f := checks.Passf("Requests to the IdP: %d endpoint(s), route worked out for each", len(eps))
	f.Detail = strings.Join(lines, "\n")
	return append(out, f)
}

// sourcesFinding lists what was read.
func sourcesFinding(p *proxies) checks.Finding {
	var lines []string
	env := []string{}
	for _, kv := range [][2]string{{p.env.httpsName, p.env.HTTPSProxy}, {p.env.httpName, p.env.HTTPProxy}, {p.env.noName, p.env.NoProxy}} {
		if kv[1] != "" {
			env = append(env, kv[0]+"="+redactProxy(kv[1]))
		}
	}
	if len(env) == 0 {
		lines = append(lines, "Environment: no HTTPS_PROXY, HTTP_PROXY or NO_PROXY.")
	} else {
		lines = append(lines, "Environment: "+strings.Join(env, ", ")+".")
	}
	switch s := p.sys; {
	case s.Source == "":
		lines = append(lines, "System settings: "+checks.OrNone(s.Note))
	default:
		var parts []string
		if s.HTTPS != "" {
			parts = append(parts, "https proxy "+s.HTTPS)
		}
		if s.HTTP != "" {
			parts = append(parts, "http proxy "+s.HTTP)
		}
		if len(s.Bypass) > 0 {
			parts = append(parts, "bypass "+strings.Join(s.Bypass, ", "))
		}
		if s.PACURL != "" {
			parts = append(parts, "PAC "+s.PACURL)
		}
		if s.AutoDetect {
			parts = append(parts, "automatic detection (WPAD) on: quickdiag does not run WPAD discovery; name the script with --pac URL if you know it")
		}
		if len(parts) == 0 {
			parts = append(parts, "no proxy")
		}
		line := "System settings (" + s.Source + "): " + strings.Join(parts, "; ") + "."
		if s.Note != "" {
			line += " " + s.Note
		}
		lines = append(lines, line)
	}
	if p.pacURL != "" {
		lines = append(lines, fmt.Sprintf("PAC script: %s (named by %s).", p.pacURL, p.pacFrom))
	}
	f := checks.Passf("Proxy settings read")
	f.Detail = strings.Join(lines, "\n")
	return f
}

// redactProxy hides a password in a proxy URL.
func redactProxy(v string) string {
	if u, err := url.Parse(v); err == nil && u.User != nil {
		return u.Redacted()
	}
	return v
}

func pacErrorFinding(p *proxies, err error) checks.Finding {
	title := "The PAC script " + p.pacURL + " cannot be used"
	fix := "Give a PAC script that is JavaScript defining FindProxyForURL(url, host), or ask whoever runs the proxy for the right URL. Browsers fall back to no proxy or fail when the script is unusable."
	var pe *PACError
	if errors.As(err, &pe) {
		switch pe.Stage {
		case "timeout":
			title = "The PAC script " + p.pacURL + " did not finish within its time limit"
			fix = "The script loops or waits (a slow dnsResolve, an endless loop): ask its owner to mend it. Browsers give up on it and connect without the proxy, or not at all."
		case "compile":
			title = "The PAC script " + p.pacURL + " is not a usable PAC script"
		case "fetch":
			title = "The PAC script " + p.pacURL + " could not be read"
			fix = "Check the URL (" + p.pacFrom + "): it must serve the script to this machine. Browsers that cannot fetch it connect without the proxy, or not at all."
		}
	}
	return checks.Problem(checks.Warn, catalog.DiscoveryUnreachable, title).
		WithDetail(checks.Truncate(err.Error(), 600)).
		WithFix(fix)
}

// loopbackFindings reports whether any source would send the desktop
// app's redirect to a proxy. Browsers skip proxies for localhost on their
// own (Chromium's implicit bypass rules, Firefox's default), so a source
// that names a proxy for it is a warning, and a failure when the bypass
// list subtracts that with <-loopback>.
func loopbackFindings(o *Options, p *proxies) []checks.Finding {
	lu := o.loopbackURL()
	var caught []string
	var fixes []string
	fail := false
	var pacErr []checks.Finding
	if p.pac != nil {
		ans, err := p.pac.FindProxy(lu)
		if err != nil {
			pacErr = append(pacErr, pacErrorFinding(p, err))
		} else {
			if ch, perr := ParsePACResult(ans); perr == nil && ch[0].Kind != "DIRECT" {
				caught = append(caught, fmt.Sprintf(`the PAC script %s answers "%s" for %s`, p.pacURL, ans, lu))
				fixes = append(fixes, `make the PAC script return "DIRECT" first for localhost, 127.0.0.1 and ::1: if (host == "localhost" || isPlainHostName(host) || isInNet(host, "127.0.0.0", "255.0.0.0") || host == "::1") return "DIRECT";`)
			}
		}
	}
	if m := p.sys.HTTP; m != "" && !p.sys.bypassed("localhost") {
		caught = append(caught, fmt.Sprintf("%s sends http:// requests to %s and its bypass list does not name localhost", p.sys.Source, m))
		fixes = append(fixes, "add localhost, 127.0.0.1 and ::1 to the system's proxy bypass list (Windows: ProxyOverride with <local>; macOS: Bypass proxy settings for these Hosts & Domains; GNOME: ignore-hosts)")
	}
	if p.sys.subtractsLoopback() {
		fail = true
		caught = append(caught, "the system's bypass list holds <-loopback>, which makes browsers send localhost to the proxy")
		fixes = append(fixes, "remove <-loopback> from the bypass list")
	}
	envCaught := false
	for _, scheme := range []string{"http", "https"} {
		u := *lu
		u.Scheme = scheme
		if pu, name := p.env.route(&u); pu != nil {
			envCaught = true
			what := "the desktop app's redirect " + lu.String()
			if scheme == "https" {
				what = "https://localhost (an upgraded redirect, and the loopback requests of tools that read it)"
			}
			caught = append(caught, fmt.Sprintf("%s=%s sends %s to the proxy, and %s does not name localhost", name, redactProxy(pu.String()), what, orName(p.env.noName, "NO_PROXY")))
		}
	}
	if envCaught {
		fixes = append(fixes, "set NO_PROXY=localhost,127.0.0.1,::1 (and no_proxy the same) beside HTTPS_PROXY/HTTP_PROXY")
	}
	if len(caught) == 0 {
		return append(pacErr, checks.Passf("Loopback traffic goes direct: no proxy setting catches %s", lu))
	}
	st := checks.Warn
	detail := "Browsers skip proxies for localhost by themselves (Chromium's implicit bypass rules, Firefox's default), so the redirect usually still arrives; other browsers and programs follow the setting, and the proxy then answers the redirect with its own error page (403/502)."
	if fail {
		st = checks.Fail
		detail = "With <-loopback> in the bypass list, browsers send http://localhost:18080 to the proxy, which cannot reach the desktop app: the sign-in never comes back."
	}
	return append(pacErr, checks.Problem(st, catalog.ProxyInterceptsLoopback, "A proxy setting would send loopback traffic to a proxy").
		WithDetail(strings.Join(caught, ";\n")+".\n"+detail).
		WithEvidence("DIRECT for "+lu.String(), strings.Join(caught, "; ")).
		WithFix(strings.ToUpper(fixes[0][:1])+fixes[0][1:]+strings.Join(prefixEach(fixes[1:], "; and "), "")+"."))
}

func prefixEach(ss []string, p string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

func orName(name, def string) string {
	if name == "" {
		return def
	}
	return name
}
