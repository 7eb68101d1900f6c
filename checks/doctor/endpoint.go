package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// maxProbeBody bounds what is read of an endpoint's answer (it is discarded).
const maxProbeBody = 64 << 10

// endpoint is one IdP URL the desktop app requests.
type endpoint struct {
	label string
	url   *url.URL
}

// endpoints returns the usable IdP URLs of the configuration, without
// their query (Google's token endpoint carries the client secret there),
// once each.
func (o *Options) endpoints() []endpoint {
	var out []endpoint
	seen := map[string]bool{}
	for _, f := range o.Config.Fields() {
		if !f.URL || !checks.UsableURL(f.Value) {
			continue
		}
		u, err := url.Parse(checks.StripQuery(checks.Clean(f.Value)))
		if err != nil {
			continue
		}
		u.Fragment = ""
		if seen[u.String()] {
			continue
		}
		seen[u.String()] = true
		out = append(out, endpoint{label: f.Label, url: u})
	}
	return out
}

// origins returns the endpoints of distinct scheme://host:port, the first
// of each: one TLS chain and one clock per server.
func origins(eps []endpoint) []endpoint {
	var out []endpoint
	seen := map[string]bool{}
	for _, ep := range eps {
		k := ep.url.Scheme + "://" + strings.ToLower(ep.url.Host)
		if !seen[k] {
			seen[k] = true
			out = append(out, ep)
		}
	}
	return out
}

// probe is what one request to an endpoint showed.
type probe struct {
	ep     endpoint
	route  route
	chain  []*x509.Certificate
	sent   time.Time
	got    time.Time
	date   time.Time
	status int
	err    error
}

// probeAll requests each origin at the same time, each bounded by the
// request timeout, and returns the probes in the origins' order.
func probeAll(ctx context.Context, o *Options, p *proxies, eps []endpoint) []*probe {
	out := make([]*probe, len(eps))
	var wg sync.WaitGroup
	for i, ep := range eps {
		wg.Go(func() { out[i] = probeOne(ctx, o, p, ep) })
	}
	wg.Wait()
	return out
}

// probeOne makes one GET to the endpoint (no credentials, its query
// removed) through the proxy it would take, recording the TLS chain as
// presented, whether or not it is trusted, and the Date header.
func probeOne(ctx context.Context, o *Options, p *proxies, ep endpoint) *probe {
	pr := &probe{ep: ep, route: p.routeFor(ep.url)}
	if pr.route.err != nil {
		pr.err = pr.route.err
		return pr
	}
	ctx, cancel := context.WithTimeout(ctx, o.RequestTimeout)
	defer cancel()
	var mu sync.Mutex
	tr := &http.Transport{
		Proxy:       func(*http.Request) (*url.URL, error) { return pr.route.proxy, nil },
		DialContext: dialVia(o.Resolver, o.RequestTimeout),
		TLSClientConfig: &tls.Config{
			// The chain is verified below, against the roots given, so that
			// an untrusted one can be shown and its issuer named.
			InsecureSkipVerify: true, //nolint:gosec
			MinVersion:         tls.VersionTLS12,
			VerifyConnection: func(cs tls.ConnectionState) error {
				mu.Lock()
				pr.chain = cs.PeerCertificates // the IdP's, after an https proxy's own
				mu.Unlock()
				return nil
			},
		},
		TLSHandshakeTimeout:   o.RequestTimeout,
		ResponseHeaderTimeout: o.RequestTimeout,
		DisableKeepAlives:     true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.url.String(), nil)
	if err != nil {
		pr.err = err
		return pr
	}
	req.Header.Set("User-Agent", "quickdiag-doctor")
	pr.sent = o.Now()
	res, err := client.Do(req)
	pr.got = o.Now()
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		pr.err = err
		return pr
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxProbeBody))
	pr.status = res.StatusCode
	if res.TLS != nil {
		pr.chain = res.TLS.PeerCertificates
	}
	if d, err := http.ParseTime(res.Header.Get("Date")); err == nil {
		pr.date = d
	}
	return pr
}

// dialVia dials through the resolver given, each address in turn, each
// attempt bounded.
func dialVia(res Resolver, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips := []string{host}
		if net.ParseIP(host) == nil {
			addrs, err := res.LookupIPAddr(ctx, host)
			if err != nil {
				return nil, err
			}
			ips = ips[:0]
			for _, a := range addrs {
				ips = append(ips, a.IP.String())
			}
			if len(ips) == 0 {
				return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
			}
		}
		d := net.Dialer{Timeout: timeout}
		var first error
		for _, ip := range ips {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip, port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
		}
		return nil, first
	}
}

// via says how a probe's request left this machine.
func (pr *probe) via() string {
	if pr.route.proxy == nil {
		return "directly (" + pr.route.via + ")"
	}
	return "through " + pr.route.String() + " (" + pr.route.via + ")"
}

// failure is the finding of a probe that got no answer.
func (pr *probe) failure(o *Options) checks.Finding {
	host := pr.ep.url.Host
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(pr.err, context.DeadlineExceeded) || isTimeout(pr.err):
		return checks.Problem(checks.Fail, catalog.DiscoveryUnreachable, fmt.Sprintf("%s did not answer within %s", host, o.RequestTimeout)).
			WithDetail(fmt.Sprintf("GET %s went %s and had no answer in time. The desktop app would wait and fail the same way.", pr.ep.url, pr.via())).
			WithEvidence("an answer within "+o.RequestTimeout.String(), "no answer")
	case errors.As(pr.err, &op) && op.Op == "proxyconnect":
		return checks.Problem(checks.Fail, catalog.DiscoveryUnreachable, fmt.Sprintf("The proxy %s for %s cannot be reached", pr.route.proxy.Host, host)).
			WithDetail(fmt.Sprintf("%s chose the proxy %s, which does not answer: %v", pr.route.via, pr.route.proxy.Host, pr.err)).
			WithFix("Correct or remove the proxy setting (" + pr.route.via + "), or start the proxy.")
	case pr.route.proxy == nil && errors.As(pr.err, &dns):
		return checks.Problem(checks.Fail, catalog.DNSUnresolved, fmt.Sprintf("%s does not resolve on this machine", pr.ep.url.Hostname())).
			WithDetail(fmt.Sprintf("%s: %v", pr.ep.label, pr.err)).
			WithEvidence("an address for "+pr.ep.url.Hostname(), dns.Err)
	case pr.route.proxy != nil && len(pr.chain) == 0:
		return checks.Problem(checks.Fail, catalog.DiscoveryUnreachable, fmt.Sprintf("The proxy %s did not connect to %s", pr.route.proxy.Host, host)).
			WithDetail(fmt.Sprintf("GET %s went %s: %v", pr.ep.url, pr.via(), pr.err)).
			WithFix("Ask the proxy's admins to allow the IdP's host " + pr.ep.url.Hostname() + ", or bypass the proxy for it.")
	}
	return checks.Problem(checks.Fail, catalog.DiscoveryUnreachable, fmt.Sprintf("%s cannot be reached", host)).
		WithDetail(fmt.Sprintf("GET %s went %s: %v", pr.ep.url, pr.via(), pr.err))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// tlsFindings reports, per server, whether it answered, the chain it
// presented, whether this machine trusts it, and who intercepted it.
func tlsFindings(o *Options, probes []*probe) []checks.Finding {
	var out []checks.Finding
	for _, pr := range probes {
		out = append(out, tlsFinding(o, pr))
	}
	return out
}

func tlsFinding(o *Options, pr *probe) checks.Finding {
	host := pr.ep.url.Hostname()
	if pr.err != nil && len(pr.chain) == 0 {
		return pr.failure(o)
	}
	if pr.ep.url.Scheme != "https" {
		if pr.err != nil {
			return pr.failure(o)
		}
		f := checks.Skipf("%s is http://, not https://: there is no TLS chain to check", pr.ep.url.Host)
		f.Detail = "The desktop app talks to the IdP over https; the values check (quickdiag check) reports an http:// endpoint."
		return f
	}
	trusted, viaExtra, verr := verifyChain(pr.chain, host, o.Roots, o.ExtraRoots, o.Now())
	in, intercepted := RecognizeInterceptor(pr.chain)
	who, how := "a corporate or private CA", "issued by a corporate or private CA"
	if intercepted {
		who, how = in.Product, "intercepted by "+in.Product
	}
	detail := fmt.Sprintf("%s presented (request sent %s):\n%s", pr.ep.url.Host, pr.via(), describeChain(pr.chain))
	advice := interceptAdvice(who, in, host)
	switch {
	case trusted && !viaExtra && !intercepted:
		f := checks.Passf("%s presents a chain this machine trusts", pr.ep.url.Host)
		f.Detail = detail
		return f
	case trusted && !viaExtra:
		return checks.Problem(checks.Warn, catalog.TLSUntrusted, fmt.Sprintf("TLS to %s is inspected by %s; this machine trusts its CA", pr.ep.url.Host, who)).
			WithDetail(detail + "\nThe system trusts the inspecting CA, so the desktop app should too.").
			WithFix("If sign-in still fails, have the " + who + " admins bypass TLS inspection for " + host + ".")
	case trusted:
		return checks.Problem(checks.Warn, catalog.TLSUntrusted, fmt.Sprintf("TLS to %s is %s, trusted only through --ca-file", pr.ep.url.Host, how)).
			WithDetail(detail+"\nThe chain verifies with the CA file given, not with this machine's trust store; the desktop app does not read quickdiag's --ca-file.").
			WithEvidence("a chain this machine's trust store verifies", "verified only with --ca-file").
			WithFix(advice)
	}
	if intercepted || verr == nil || isUnknownAuthority(verr) {
		return checks.Problem(checks.Fail, catalog.TLSUntrusted, fmt.Sprintf("%s presents a chain this machine does not trust: %s", pr.ep.url.Host, how)).
			WithDetail(detail+"\n"+errText(verr)+"\nA TLS-inspecting proxy or a private CA signs it.").
			WithEvidence("a chain issued by a CA this machine trusts", "issued by "+pr.chain[len(pr.chain)-1].Issuer.String()).
			WithFix(advice)
	}
	return checks.Problem(checks.Fail, catalog.TLSUntrusted, fmt.Sprintf("%s presents a certificate that does not verify", pr.ep.url.Host)).
		WithDetail(detail+"\n"+errText(verr)).
		WithEvidence("a valid certificate for "+host, errText(verr)).
		WithFix("Fix the IdP's (or the proxy's) certificate: it must be current and name " + host + ".")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func isUnknownAuthority(err error) bool {
	var ua x509.UnknownAuthorityError
	return errors.As(err, &ua)
}

// interceptAdvice says what to do about a chain this machine does not
// trust: trust its root where the app looks, or bypass the inspection.
func interceptAdvice(who string, in Interceptor, host string) string {
	const store = "the system's trust store (Keychain System roots on macOS, the Windows certificate store's Trusted Root Certification Authorities, the system CA bundle on Linux)"
	switch {
	case in.Debugging:
		return fmt.Sprintf("%s is a debugging proxy: stop it (or unset the proxy setting that sends traffic to it) before signing in, or trust its root in %s.", in.Product, store)
	case in.Product != "":
		return fmt.Sprintf("Either trust %s's root CA where the desktop app looks — %s — or have the %s admins bypass TLS inspection for the IdP's hosts (%s).", who, store, who, host)
	}
	return fmt.Sprintf("Either trust the issuing CA's root where the desktop app looks — %s — or, when a TLS-inspecting proxy signs it, have its admins bypass inspection for the IdP's hosts (%s).", store, host)
}

// verifyChain verifies a presented chain for host against roots, then
// against roots plus extra.
func verifyChain(chain []*x509.Certificate, host string, roots *x509.CertPool, extra []*x509.Certificate, now time.Time) (trusted, viaExtra bool, err error) {
	if len(chain) == 0 {
		return false, false, errors.New("no certificate presented")
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: now}
	_, err = chain[0].Verify(opts)
	if err == nil {
		return true, false, nil
	}
	if len(extra) == 0 {
		return false, false, err
	}
	pool := roots.Clone()
	for _, c := range extra {
		pool.AddCert(c)
	}
	opts.Roots = pool
	if _, err2 := chain[0].Verify(opts); err2 == nil {
		return true, true, nil
	}
	return false, false, err
}

// describeChain lists a chain's certificates, leaf first.
func describeChain(chain []*x509.Certificate) string {
	var lines []string
	for i, c := range chain {
		lines = append(lines, fmt.Sprintf("  %d. %s — issued by %s, valid until %s", i+1, c.Subject, c.Issuer, c.NotAfter.UTC().Format("2006-01-02")))
	}
	return strings.Join(lines, "\n")
}

// clockFindings compares this machine's clock with each server's Date.
func clockFindings(probes []*probe) []checks.Finding {
	var out []checks.Finding
	for _, pr := range probes {
		host := pr.ep.url.Host
		if pr.date.IsZero() {
			why := "sent no Date header"
			if pr.err != nil {
				why = "did not answer (see " + CheckTLS + ")"
			}
			out = append(out, checks.Skipf("%s %s: the clock cannot be compared with it", host, why))
			continue
		}
		mid := pr.sent.Add(pr.got.Sub(pr.sent) / 2)
		off := pr.date.Sub(mid).Round(time.Second) // the IdP's clock minus this machine's
		abs := max(off, -off)
		if abs <= checks.MaxClockSkew {
			f := checks.Passf("This machine's clock is within %s of %s's", max(abs, time.Second), host)
			f.Detail = "The token checks allow " + checks.MaxClockSkewWords + " of difference."
			out = append(out, f)
			continue
		}
		dir := "behind"
		if off < 0 {
			dir = "ahead of"
		}
		out = append(out, checks.Problem(checks.Fail, catalog.ClockSkew, fmt.Sprintf("This machine's clock is %s %s %s's", abs, dir, host)).
			WithDetail(fmt.Sprintf("%s's Date header said %s when this machine's clock said %s. ID tokens would look expired or not yet valid: the checks allow %s.", host, pr.date.UTC().Format(time.RFC1123), mid.UTC().Format(time.RFC1123), checks.MaxClockSkewWords)).
			WithEvidence("an offset within "+checks.MaxClockSkewWords, fmt.Sprintf("%+ds (%s %s)", int(off/time.Second), abs, dir)).
			WithFix("Sync this machine's clock (NTP: timedatectl set-ntp true, macOS Date & Time → Set automatically, Windows: w32tm /resync); if the machine is right, the IdP's clock is off."))
	}
	return out
}
