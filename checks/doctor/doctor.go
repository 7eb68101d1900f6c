// Package doctor checks this machine the way the Amazon Quick desktop app
// will meet it during its OIDC sign-in: port 18080 on the loopback, what
// localhost resolves to, the proxies each request takes (environment,
// system settings, a PAC script), the TLS chain each IdP endpoint presents
// and who intercepts it, the clock against the IdP's Date header, and, on
// request, whether the default browser reaches http://localhost:18080.
//
// Run returns a checks.Analysis named "doctor": findings with catalog rows,
// in a fixed order, whatever order the checks finish in.
package doctor

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cli/browser"

	"github.com/quickdiag/quickdiag/checks"
)

// The checks' ids, in the order of the report.
const (
	CheckPort      = "doctor.port"
	CheckLocalhost = "doctor.localhost"
	CheckProxy     = "doctor.proxy"
	CheckTLS       = "doctor.tls"
	CheckClock     = "doctor.clock"
	CheckBrowser   = "doctor.browser"
)

// Check describes one of the doctor's checks, for listings and tooltips.
type Check struct {
	// ID names the check in findings; Title heads it in the report; Doc
	// says what it verifies.
	ID, Title, Doc string
}

// Checks lists the doctor's checks in the order of the report.
var Checks = []Check{
	{CheckPort, "Port 18080", "Port 18080 must be free on 127.0.0.1 and ::1 for the desktop app to listen; when it is not, the process holding it is named (program, pid, user), and the desktop app itself mid-login is recognised (loopback_unavailable)."},
	{CheckLocalhost, "localhost", "What localhost resolves to, in order, and any hosts-file line sending it elsewhere (localhost_resolution); then whether a listener on 127.0.0.1 and ::1 is reached by the name."},
	{CheckProxy, "Proxies", "The proxy settings of the environment, the system and a PAC script (run with the standard helper functions and a time limit), which proxy each IdP request takes, and whether loopback traffic would go to a proxy (proxy_intercepts_loopback)."},
	{CheckTLS, "TLS to the IdP", "The chain each IdP server presents through the proxy the request takes, whether this machine trusts it, and the inspecting product named from its CA (tls_untrusted); a server that does not answer fails (discovery_unreachable, dns_unresolved)."},
	{CheckClock, "Clock", "This machine's clock against each IdP server's Date header; beyond the token checks' 5 minutes it fails (clock_skew)."},
	{CheckBrowser, "The browser path", "With --browser: the default browser is sent to a test page on http://localhost:18080, and what arrives is told: the page over IPv4 or IPv6, an https upgrade (loopback_https_upgrade), or nothing (browser_blocks_loopback)."},
}

// DefaultRequestTimeout bounds each network request.
const DefaultRequestTimeout = 10 * time.Second

// Options configure Run. The zero value checks this machine with no IdP
// endpoints (those checks are skips) and without the browser test.
type Options struct {
	// Config holds the IdP's endpoints; none given makes the IdP checks skips.
	Config checks.Config
	// PACURL names a PAC script (http://, https:// or file://) to use
	// instead of the system's; empty means QUICKDIAG_PAC_URL, else the
	// system's.
	PACURL string
	// Browser runs the browser test.
	Browser bool
	// BrowserWait bounds the browser test's wait; zero means DefaultBrowserWait.
	BrowserWait time.Duration
	// OpenBrowser opens a URL in the default browser; nil means
	// github.com/cli/browser (xdg-open on Linux, which honours BROWSER).
	OpenBrowser func(url string) error
	// Port is the desktop app's loopback port; zero means 18080.
	Port int
	// Client fetches an http(s) PAC script; nil means a client without a
	// proxy, bounded by RequestTimeout. IdP requests use a transport of
	// their own (they must record untrusted chains and choose the proxy).
	Client *http.Client
	// RequestTimeout bounds each request; zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// PACTimeout bounds each run of the PAC script; zero means DefaultPACTimeout.
	PACTimeout time.Duration
	// Roots is what this machine trusts; nil means the system's pool.
	Roots *x509.CertPool
	// ExtraRoots are trusted besides Roots (--ca-file): a chain that only
	// they verify is an interception trusted on purpose, a warning.
	ExtraRoots []*x509.Certificate
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Resolver resolves names (localhost, the IdP's hosts, the PAC's
	// dnsResolve); nil means net.DefaultResolver.
	Resolver Resolver
	// HostsPath is the hosts file; empty means SystemHostsPath().
	HostsPath string
	// SystemProxy reads the system's proxy settings; nil means ReadSystemProxy.
	SystemProxy func(context.Context) SystemProxy
	// MyIP is the PAC's myIpAddress; nil means this machine's first
	// non-loopback IPv4 address.
	MyIP func() string
	// FindHolders names the processes holding a port; nil means FindHolders.
	FindHolders func(ctx context.Context, port int, redact func(string) string) ([]Holder, error)
	// ToolVersion is recorded in the analysis.
	ToolVersion string
}

// withDefaults returns the options with every zero value filled in.
func (opts Options) withDefaults() *Options {
	o := opts
	if o.Port == 0 {
		o.Port = checks.LoopbackPort
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.PACTimeout <= 0 {
		o.PACTimeout = DefaultPACTimeout
	}
	if o.BrowserWait <= 0 {
		o.BrowserWait = DefaultBrowserWait
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.HostsPath == "" {
		o.HostsPath = SystemHostsPath()
	}
	if o.SystemProxy == nil {
		o.SystemProxy = ReadSystemProxy
	}
	if o.FindHolders == nil {
		o.FindHolders = FindHolders
	}
	if o.OpenBrowser == nil {
		o.OpenBrowser = browser.OpenURL
	}
	if o.Roots == nil {
		if pool, err := x509.SystemCertPool(); err == nil && pool != nil {
			o.Roots = pool
		} else {
			o.Roots = x509.NewCertPool()
		}
	}
	if o.Client == nil {
		o.Client = &http.Client{
			Timeout:   o.RequestTimeout,
			Transport: &http.Transport{Proxy: nil, TLSHandshakeTimeout: o.RequestTimeout, ResponseHeaderTimeout: o.RequestTimeout},
		}
	}
	return &o
}

// stopGrace is how long Run waits, once ctx has ended, for checks to
// report before it marks them unfinished.
const stopGrace = 2 * time.Second

// Run runs the checks at the same time, each network step bounded, and
// returns their findings in the order of Checks. A check that has not
// finished when ctx ends is reported unfinished.
func Run(ctx context.Context, opts Options) *checks.Analysis {
	o := opts.withDefaults()
	eps := o.endpoints()
	var inputs []string
	for _, ep := range eps {
		inputs = append(inputs, ep.url.String())
	}
	if o.PACURL != "" {
		inputs = append(inputs, o.PACURL)
	}
	a := checks.NewAnalysis("doctor", inputs...)
	a.ToolVersion = opts.ToolVersion

	var mu sync.Mutex
	results := map[string][]checks.Finding{}
	put := func(id string, fs ...checks.Finding) {
		mu.Lock()
		results[id] = fs
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		fs, free := portFindings(ctx, o)
		put(CheckPort, fs...)
		switch {
		case !o.Browser:
			put(CheckBrowser, checks.Skipf("Not run: give --browser to send the default browser to a test page on http://localhost:%d", o.Port))
		case !free:
			put(CheckBrowser, checks.Skipf("Not run: port %d is taken (see %s), and the test must not disturb a sign-in waiting there", o.Port, CheckPort))
		default:
			put(CheckBrowser, runBrowser(ctx, o))
		}
	})
	wg.Go(func() { put(CheckLocalhost, localhostFindings(ctx, o)...) })
	wg.Go(func() {
		p := loadProxies(ctx, o)
		put(CheckProxy, proxyFindings(o, p, eps)...)
		if len(eps) == 0 {
			skip := checks.Skipf("Not checked: no IdP endpoint was given (the five values: --issuer … or --config FILE on the command line, step 2 in the wizard)")
			put(CheckTLS, skip)
			put(CheckClock, skip)
			return
		}
		probes := probeAll(ctx, o, p, origins(eps))
		put(CheckTLS, tlsFindings(o, probes)...)
		put(CheckClock, clockFindings(probes)...)
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		select {
		case <-done:
		case <-time.After(stopGrace):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range Checks {
		fs, ok := results[c.ID]
		if !ok {
			fs = []checks.Finding{checks.Unfinished("%s did not finish (%s)", c.Title, checks.StopReason(ctx))}
		}
		a.Add(c.ID, fs...)
	}
	return a
}
