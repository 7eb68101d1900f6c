package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/oidc"
)

// The loopback listener.

// callback is one sign-in response delivered to the listener.
type callback struct {
	query url.Values
	reply chan signInPage
}

type loopback struct {
	listeners []net.Listener
	servers   []*http.Server
	callbacks chan *callback
	mu        sync.Mutex
	// state is the sign-in's: only a redirect carrying it ends the wait.
	state  string
	taken  bool
	hits   int
	strays []string
}

// expect sets the state of the sign-in the listener waits for.
func (lb *loopback) expect(state string) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.state = state
}

// strayRequests returns how the requests that carried a sign-in response
// with another state or none looked (their parameter names only).
func (lb *loopback) strayRequests() []string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return append([]string(nil), lb.strays...)
}

// loopbackAddrs are where the desktop app listens: localhost may resolve
// to either, and Chromium tries [::1] first.
var loopbackAddrs = []string{"127.0.0.1", "::1"}

// listenLoopback binds port 18080 of both loopback addresses, or reports at
// once why it cannot. It never waits for the port.
func listenLoopback() (*loopback, checks.Finding) {
	lb := &loopback{callbacks: make(chan *callback, 1)}
	var listeners []net.Listener
	var notes []string
	for _, host := range loopbackAddrs {
		addr := net.JoinHostPort(host, strconv.Itoa(checks.LoopbackPort))
		l, err := net.Listen("tcp", addr)
		if err == nil {
			listeners = append(listeners, l)
			continue
		}
		if host == "::1" && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)) {
			notes = append(notes, "IPv6 is not available on this machine, so only 127.0.0.1 listens.")
			continue
		}
		for _, l := range listeners {
			l.Close()
		}
		f := checks.Problem(checks.Fail, catalog.LoopbackUnavailable, "Port 18080 is not free on "+addr).
			WithDetail("The desktop app must listen on http://localhost:18080 for the redirect; something else holds it. Find it with: lsof -nP -iTCP:18080 -sTCP:LISTEN (macOS, Linux) or netstat -ano | findstr :18080 (Windows).").
			WithEvidence("port 18080 free on "+addr, oidc.UnwrapMsg(err))
		return nil, f
	}
	lb.listeners = listeners
	for _, l := range listeners {
		srv := &http.Server{Handler: lb, ReadHeaderTimeout: 10 * time.Second}
		lb.servers = append(lb.servers, srv)
		go srv.Serve(l)
	}
	f := checks.Passf("Listening on %s", checks.RedirectURI)
	f.Detail = strings.Join(notes, " ")
	return lb, f
}

// ServeHTTP takes the first sign-in response and answers the browser with
// the verdict; everything else gets a short page.
func (lb *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, port, _ := net.SplitHostPort(r.Host)
	if port != strconv.Itoa(checks.LoopbackPort) || !checks.IsLoopback(host) {
		http.Error(w, "quickdiag's sign-in listener answers only on localhost:18080", http.StatusMisdirectedRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	lb.mu.Lock()
	lb.hits++
	lb.mu.Unlock()
	if r.URL.Path != "/" || r.Method != http.MethodGet || (q.Get("code") == "" && q.Get("error") == "" && q.Get("state") == "") {
		w.WriteHeader(http.StatusNotFound)
		writePage(w, signInPage{Title: "quickdiag is waiting for the sign-in", Lines: []string{"This address receives the IdP's redirect; there is nothing else here."}})
		return
	}
	lb.mu.Lock()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(lb.state)) != 1 || lb.state == "" {
		// Any page the admin has open can send a request here: one without
		// this sign-in's state is answered and ignored, and the wait goes on.
		if len(lb.strays) < maxStrays {
			lb.strays = append(lb.strays, strayShape(q))
		}
		lb.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		writePage(w, signInPage{Title: "This is not the sign-in quickdiag is waiting for", Lines: []string{"The request does not carry the sign-in's state; quickdiag ignored it and still waits for the IdP's redirect."}})
		return
	}
	first := !lb.taken
	lb.taken = true
	lb.mu.Unlock()
	if !first {
		w.WriteHeader(http.StatusConflict)
		writePage(w, signInPage{Title: "This sign-in was already received", Lines: []string{"Return to quickdiag."}})
		return
	}
	cb := &callback{query: q, reply: make(chan signInPage, 1)}
	lb.callbacks <- cb
	select {
	case p := <-cb.reply:
		writePage(w, p)
	case <-r.Context().Done():
	}
}

func (lb *loopback) visits() int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.hits
}

// close stops listening and lets a response in progress finish (two
// seconds at most). The port is free when it returns: the listeners are
// closed here, not left to a Serve goroutine that may not have started yet.
func (lb *loopback) close() {
	for _, l := range lb.listeners {
		l.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range lb.servers {
		if s.Shutdown(ctx) != nil {
			s.Close()
		}
	}
}

// Port holds port 18080 for one sign-in at a time, as the desktop app
// does: starting a sign-in stops the one still waiting, whoever started
// it, and waits until that one has released the port. The zero value is
// ready to use; one Port serves a whole process.
type Port struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Run runs a sign-in (see Run) on the port, replacing one still running.
func (p *Port) Run(ctx context.Context, cfg checks.Config, opts Options) *checks.SignInResult {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	p.mu.Lock()
	prevCancel, prevDone := p.cancel, p.done
	p.cancel, p.done = cancel, done
	p.mu.Unlock()
	if prevCancel != nil {
		prevCancel()
		<-prevDone // the previous sign-in has released the port
	}
	defer func() {
		cancel()
		close(done)
		p.mu.Lock()
		if p.done == done {
			p.cancel, p.done = nil, nil
		}
		p.mu.Unlock()
	}()
	return Run(ctx, cfg, opts)
}

// maxStrays bounds the stray requests remembered.
const maxStrays = 20

// strayShape describes a stray request by its parameters' names, never
// their values (a code or token could be among them).
func strayShape(q url.Values) string {
	names := slices.Sorted(maps.Keys(q))
	return "?" + strings.Join(names, "&")
}
