package doctor

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// DefaultBrowserWait bounds the wait for the browser to arrive.
const DefaultBrowserWait = 30 * time.Second

// sniffTimeout bounds the wait for a connection's first byte.
const sniffTimeout = 5 * time.Second

// Arrival is what reached the browser probe first.
type Arrival struct {
	// TLS is true for a TLS ClientHello (the browser upgraded to https),
	// false for a plain http request to the test page.
	TLS bool
	// Local is the address it arrived on (127.0.0.1:18080 or [::1]:18080).
	Local string
	// UserAgent is the browser's, for an http request.
	UserAgent string
}

// Family returns "IPv4" or "IPv6", by the address it arrived on.
func (a Arrival) Family() string {
	host, _, _ := net.SplitHostPort(a.Local)
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return "IPv6 (::1)"
	}
	return "IPv4 (127.0.0.1)"
}

// BrowserProbe listens on localhost's port (127.0.0.1 and ::1) for the
// browser sent to its URL, and tells what arrived first: the test page's
// request, or a TLS ClientHello. A wizard opens URL in a tab of its own
// and calls Wait.
type BrowserProbe struct {
	// URL is the test page to open, on http://localhost:PORT.
	URL string

	path      string
	listeners []net.Listener
	conns     chan net.Conn
	srv       *http.Server
	arrived   chan Arrival
	once      sync.Once
	closed    chan struct{}
	closeOnce sync.Once
}

// StartBrowserProbe listens on port (0 means 18080) of 127.0.0.1 and ::1.
// It fails at once when the port is taken: never wait for it, since a
// sign-in may be waiting there. Close releases the port.
func StartBrowserProbe(port int) (*BrowserProbe, error) {
	if port == 0 {
		port = checks.LoopbackPort
	}
	var tok [12]byte
	_, _ = rand.Read(tok[:])
	p := &BrowserProbe{
		path:    "/quickdiag-doctor/" + hex.EncodeToString(tok[:]),
		conns:   make(chan net.Conn),
		arrived: make(chan Arrival, 1),
		closed:  make(chan struct{}),
	}
	p.URL = "http://localhost:" + strconv.Itoa(port) + p.path
	for _, host := range loopbackHosts {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if host == "::1" && len(p.listeners) > 0 && !portTaken(err) {
				continue // no IPv6 here
			}
			p.Close()
			return nil, fmt.Errorf("listen on %s: %w", net.JoinHostPort(host, strconv.Itoa(port)), err)
		}
		p.listeners = append(p.listeners, l)
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 5 * time.Second}
	for _, l := range p.listeners {
		go p.accept(l)
	}
	go p.srv.Serve(&chanListener{p: p, addr: p.listeners[0].Addr()})
	return p, nil
}

// Arrived delivers the first arrival.
func (p *BrowserProbe) Arrived() <-chan Arrival { return p.arrived }

// Close stops listening; the port is free when it returns.
func (p *BrowserProbe) Close() {
	p.closeOnce.Do(func() {
		close(p.closed)
		for _, l := range p.listeners {
			l.Close()
		}
		if p.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if p.srv.Shutdown(ctx) != nil {
				p.srv.Close()
			}
		}
	})
}

func (p *BrowserProbe) record(a Arrival) {
	p.once.Do(func() { p.arrived <- a })
}

// accept sniffs each connection's first byte: 0x16 opens a TLS
// handshake, which is recorded and dropped; anything else is served.
func (p *BrowserProbe) accept(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			c.SetReadDeadline(time.Now().Add(sniffTimeout))
			br := bufio.NewReader(c)
			first, err := br.Peek(1)
			c.SetReadDeadline(time.Time{})
			if err != nil {
				c.Close()
				return
			}
			if first[0] == 0x16 {
				p.record(Arrival{TLS: true, Local: c.LocalAddr().String()})
				c.Close()
				return
			}
			select {
			case p.conns <- &sniffedConn{Conn: c, r: br}:
			case <-p.closed:
				c.Close()
			}
		}()
	}
}

// sniffedConn is a connection whose first bytes were peeked.
type sniffedConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads the peeked bytes first.
func (c *sniffedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// chanListener hands the sniffed connections to the http.Server.
type chanListener struct {
	p    *BrowserProbe
	addr net.Addr
}

// Accept returns the next sniffed connection.
func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.p.conns:
		return c, nil
	case <-l.p.closed:
		return nil, net.ErrClosed
	}
}

// Close does nothing: BrowserProbe.Close closes the real listeners.
func (l *chanListener) Close() error { return nil }

// Addr returns the first real listener's address.
func (l *chanListener) Addr() net.Addr { return l.addr }

var browserPage = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>quickdiag: the browser reaches the desktop app's address</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;line-height:1.5}</style></head>
<body><h1 data-testid="doctor-browser-result">It works: this browser reaches the desktop app's sign-in address</h1>
<p>This page came from quickdiag on <b>http://{{.Host}}</b>, over {{.Family}}. When you sign in to the Amazon Quick desktop app, your identity provider sends this browser back to the same address, and it will arrive.</p>
<p>You can close this tab and return to quickdiag.</p></body></html>`))

func (p *BrowserProbe) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.URL.Path != p.path {
		http.Error(w, "quickdiag's browser test: nothing here", http.StatusNotFound)
		return
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	a := Arrival{UserAgent: checks.Truncate(r.UserAgent(), 300)}
	if local != nil {
		a.Local = local.String()
	}
	p.record(a)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = browserPage.Execute(w, struct{ Host, Family string }{r.Host, a.Family()})
}

// Wait waits up to wait (zero means DefaultBrowserWait) for the first
// arrival and returns the finding. opened, when not nil, delivers the
// browser opener's error: a browser that could not be opened is a skip.
func (p *BrowserProbe) Wait(ctx context.Context, wait time.Duration, opened <-chan error) checks.Finding {
	if wait <= 0 {
		wait = DefaultBrowserWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case a := <-p.arrived:
			return arrivalFinding(p.URL, a)
		case err := <-opened:
			if err != nil {
				f := checks.Skipf("The browser could not be opened (%v): open %s yourself to test the path", err, p.URL)
				return f
			}
			opened = nil
		case <-t.C:
			return nothingFinding(p.URL, wait)
		case <-ctx.Done():
			return checks.Unfinished("The browser test was stopped before anything arrived (%s)", checks.StopReason(ctx))
		}
	}
}

func arrivalFinding(u string, a Arrival) checks.Finding {
	if a.TLS {
		return checks.Problem(checks.Fail, catalog.LoopbackHTTPSUpgrade, "The browser went to https://localhost instead of http://").
			WithDetail(fmt.Sprintf("quickdiag sent the browser to %s and received a TLS handshake (a ClientHello) on %s instead of the http request: the browser upgraded http://localhost to https, as HSTS remembered for localhost or an HTTPS-Only / HTTPS-First mode does. The desktop app's redirect would fail the same way (ERR_SSL_PROTOCOL_ERROR).", u, a.Local)).
			WithEvidence("an http request to "+u, "a TLS ClientHello")
	}
	f := checks.Passf("The browser reached %s over %s", strings.TrimSuffix(strings.SplitN(u, "/quickdiag-doctor/", 2)[0], "/"), a.Family())
	f.Detail = "The test page said so in the browser. Browser: " + checks.OrNone(a.UserAgent)
	return f
}

func nothingFinding(u string, wait time.Duration) checks.Finding {
	return checks.Problem(checks.Fail, catalog.BrowserBlocksLoopback, fmt.Sprintf("Nothing reached localhost within %s of sending the browser there", wait)).
		WithDetail(fmt.Sprintf("quickdiag sent the default browser to %s and no request arrived. What is known to do this: endpoint security software that blocks loopback connections, an enterprise browser policy (URL blocklists, Local Network Access restrictions), or a local-network access prompt left unanswered. Or the browser did not open: open the URL yourself and run again.", u)).
		WithEvidence("a request to "+u, "nothing within "+wait.String())
}

// runBrowser starts the probe, opens the browser and waits.
func runBrowser(ctx context.Context, o *Options) checks.Finding {
	p, err := StartBrowserProbe(o.Port)
	if err != nil {
		if portTaken(err) {
			return checks.Skipf("Port %d was taken when the browser test began: not run, so as not to disturb a sign-in waiting there", o.Port)
		}
		return checks.Skipf("The browser test could not listen: %v", err)
	}
	defer p.Close()
	opened := make(chan error, 1)
	go func() { opened <- o.OpenBrowser(p.URL) }() // the opener may wait for the browser to exit
	return p.Wait(ctx, o.BrowserWait, opened)
}

// portTaken reports whether a listen failed because the port is in use.
func portTaken(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use") ||
		strings.Contains(err.Error(), "Only one usage of each socket address") // Windows' WSAEADDRINUSE
}
