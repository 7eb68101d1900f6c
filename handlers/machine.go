package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/doctor"
	"github.com/quickdiag/quickdiag/web"
)

// machineTimeout bounds the machine checks of one run (each request has
// its own, shorter bound).
const machineTimeout = 60 * time.Second

// machineState is a session's "This machine" step: the last run of the
// machine checks, and the browser test.
type machineState struct {
	result *checks.Analysis
	// browser is the browser test's finding, once in; testing is true
	// while it waits for the browser.
	browser *checks.Finding
	testing bool
}

// analysis is the step's result as the exported report carries it: the
// machine checks with the browser test's finding in place of its "not
// run", or the browser test alone; nil when nothing ran.
func (m machineState) analysis() *checks.Analysis {
	if m.result == nil && m.browser == nil {
		return nil
	}
	a := checks.NewAnalysis("doctor", "this machine")
	if m.result != nil {
		c := *m.result
		c.Findings, c.Summary = nil, checks.Summary{}
		a = &c
		for _, f := range m.result.Findings {
			if f.Check == doctor.CheckBrowser && m.browser != nil {
				continue
			}
			a.Findings = append(a.Findings, f)
			a.Summary.Add(f.Status)
		}
	}
	if m.browser != nil {
		a.Add(doctor.CheckBrowser, *m.browser)
	}
	return a
}

// browserTest is the one browser test the wizard runs at a time: port
// 18080 is this machine's, whichever session asks.
type browserTest struct {
	mu    sync.Mutex
	probe *doctor.BrowserProbe
	stop  context.CancelFunc
}

// start listens on port 18080 for the session's browser test; it fails at
// once when the port is taken (a sign-in waiting, another program).
func (b *browserTest) start(base context.Context, wait time.Duration, done func(checks.Finding)) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopLocked()
	p, err := doctor.StartBrowserProbe(0)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithCancel(base)
	b.probe, b.stop = p, cancel
	go func() {
		f := p.Wait(ctx, wait, nil)
		p.Close()
		b.mu.Lock()
		if b.probe == p {
			b.probe, b.stop = nil, nil
		}
		b.mu.Unlock()
		cancel()
		done(f)
	}()
	return p.URL, nil
}

// close stops a browser test still waiting and frees the port: a sign-in
// is about to take it, or the wizard stops.
func (b *browserTest) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopLocked()
}

func (b *browserTest) stopLocked() {
	if b.probe != nil {
		b.stop()
		b.probe.Close() // the port is free when it returns
		b.probe, b.stop = nil, nil
	}
}

// Step 4: this machine.

func (s *server) machine(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, web.Machine(s.machineView(sessionOf(r))))
}

func (s *server) machineView(sess *session) web.MachineView {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	v := web.MachineView{HasValues: !sess.config.Empty(), Testing: sess.machine.testing}
	if a := sess.machine.result; a != nil {
		// The browser test has its own button here: drop its "not run".
		shown := *a
		shown.Findings, shown.Summary = nil, checks.Summary{}
		for _, f := range a.Findings {
			if f.Check != doctor.CheckBrowser {
				shown.Findings = append(shown.Findings, f)
				shown.Summary.Add(f.Status)
			}
		}
		v.AnalysisResult = web.NewAnalysisResult(&shown, nil)
	}
	if f := sess.machine.browser; f != nil {
		c := *f
		c.Complete(nil)
		fv := web.NewFinding(c)
		v.Browser = &fv
	}
	return v
}

// machineRun runs the machine checks against the session's IdP values
// (without the browser test, which has its own button).
func (s *server) machineRun(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	ctx, cancel := context.WithTimeout(r.Context(), machineTimeout)
	defer cancel()
	a := doctor.Run(ctx, doctor.Options{Config: sess.snapshot(), ExtraRoots: s.opts.ExtraRoots, ToolVersion: s.opts.Version})
	sess.mu.Lock()
	sess.machine.result = a
	sess.mu.Unlock()
	seeOther(w, r, "/machine")
}

// machineBrowser starts the browser test and sends this new tab on to its
// page on http://localhost:18080; the machine page waits for the result.
func (s *server) machineBrowser(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	waiting := sess.live.running
	sess.mu.Unlock()
	if waiting {
		render(w, r, http.StatusOK, web.BrowserTest("", "A sign-in is waiting on port 18080: finish or cancel it, then test the browser."))
		return
	}
	wait := s.opts.BrowserWait
	if wait <= 0 {
		wait = doctor.DefaultBrowserWait
	}
	u, err := s.browser.start(s.base, wait, func(f checks.Finding) {
		sess.mu.Lock()
		sess.machine.browser, sess.machine.testing = &f, false
		sess.mu.Unlock()
	})
	if err != nil {
		render(w, r, http.StatusOK, web.BrowserTest("", "Port 18080 is in use, so the browser cannot be tested now ("+err.Error()+"). Run the machine checks: they name what holds it."))
		return
	}
	sess.mu.Lock()
	sess.machine.browser, sess.machine.testing = nil, true
	sess.mu.Unlock()
	render(w, r, http.StatusOK, web.BrowserTest(u, ""))
}

// machineBrowserStatus tells the machine page whether the browser test
// is in, with its finding drawn.
func (s *server) machineBrowserStatus(w http.ResponseWriter, r *http.Request) {
	v := s.machineView(sessionOf(r))
	st := map[string]any{"testing": v.Testing, "done": v.Browser != nil}
	if v.Browser != nil {
		var b bytes.Buffer
		_ = web.Finding(*v.Browser).Render(r.Context(), &b)
		st["html"] = b.String()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(st)
}
