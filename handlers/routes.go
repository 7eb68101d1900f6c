// Package handlers serves quickdiag's wizard: chi routes, the local-only
// safety middleware, and one handler per step. Handlers turn the check
// engine's results into the web package's view models; no check logic
// lives here.
package handlers

import (
	"crypto/x509"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/quickdiag/quickdiag/checks/demo"
	"github.com/quickdiag/quickdiag/static"
)

// Options configure the wizard.
type Options struct {
	// Hosts are the Host header values the wizard answers to: its own
	// loopback address and port. Requests naming another host (DNS
	// rebinding) are refused. It must not be empty.
	Hosts []string
	// Version is the tool version shown in reports.
	Version string
	// Engine runs the checks and the sign-ins. It must be set
	// (*suite.Engine, or a fake in tests).
	Engine Engine
	// Timeout bounds a preflight and the wait for a sign-in. Zero means 3 minutes.
	Timeout time.Duration
	// MaxSessions bounds the sessions kept in memory. Zero means 64.
	MaxSessions int
	// ExtraRoots are the CA certificates trusted besides the system's
	// (--ca-file), for the machine step's TLS check.
	ExtraRoots []*x509.Certificate
	// BrowserWait bounds the machine step's wait for the browser; zero
	// means doctor.DefaultBrowserWait.
	BrowserWait time.Duration
	// Now is the time SAML responses and certificates are checked against.
	// Nil means time.Now.
	Now func() time.Time
	// PracticePick chooses practice mode's hidden scenario among the
	// broken ones. Nil means at random.
	PracticePick func(broken []demo.Scenario) demo.Scenario
}

// maxBody bounds every request's body: the largest is an uploaded HAR
// (maxHAR), then the SAML page's three inputs (maxSAML) and the account
// page's three pasted inputs (see maxForm); each
// route bounds its own body further, the values forms far smaller.
const maxBody = max(maxHAR, maxSAML, 3*maxForm+1<<20)

// limitBody bounds the body of every request, so that no route keeps more
// than that in memory whatever it does with the body.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				http.Error(w, "the request is too large", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// Wizard is the wizard's HTTP handler. Close it when the server stops.
type Wizard struct {
	http.Handler
	s *server
}

// Close stops any live sign-in still waiting for its redirect and returns
// once each has released port 18080. The handler still answers afterwards,
// but starts no new sign-in.
func (w *Wizard) Close() { w.s.close() }

// New returns the wizard's handler. Every route is listed here.
func New(opts Options) *Wizard {
	if opts.Engine == nil {
		panic("handlers.New: Options.Engine is nil")
	}
	s := newServer(opts)
	r := chi.NewRouter()
	r.Use(hostOnly(opts.Hosts), securityHeaders, crossOriginProtection(), limitBody(maxBody))
	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(static.FS())))
	r.Group(func(r chi.Router) {
		r.Use(s.sessions.middleware)
		r.Get("/", s.choose)
		r.Post("/idp", s.chooseIdP)
		r.Get("/values", s.values)
		r.Post("/values", s.saveValues)
		r.Post("/values/discover", s.discover)
		r.Post("/values/import", s.importValues)
		r.Post("/api/lint", s.lint)
		r.Get("/preflight", s.preflight)
		r.Get("/preflight/events", s.preflightEvents)
		r.Post("/preflight/run", s.preflightRun)
		r.Get("/machine", s.machine)
		r.Post("/machine/run", s.machineRun)
		r.Post("/machine/browser", s.machineBrowser)
		r.Get("/machine/browser/status", s.machineBrowserStatus)
		r.Get("/signin", s.signIn)
		r.Post("/signin/start", s.signInStart)
		r.Post("/signin/cancel", s.signInCancel)
		r.Get("/signin/status", s.signInStatus)
		r.Get("/results", s.results)
		r.Post("/api/value/{key}", s.value)
		r.Get("/export", s.export)
		r.Get("/export/report.html", s.exportHTML)
		r.Get("/export/report.json", s.exportJSON)
		r.Get("/export/values.json", s.exportValues)
		r.Get("/triage", s.triage)
		r.Post("/triage", s.triagePost)
		r.Post("/triage/har", s.triageHAR)
		r.Post("/triage/har/sanitized", s.triageHARSanitized)
		r.Get("/triage/guide", s.guide)
		r.Get("/demo", s.demoPage)
		r.Post("/demo/start", s.demoStart)
		r.Get("/practice", s.practicePage)
		r.Post("/practice/new", s.practiceNew)
		r.Post("/practice/answer", s.practiceAnswer)
		r.Get("/analyze", s.analyze)
		r.Post("/analyze/{kind}", s.analyzePost)
		r.Get("/saml", s.samlPage)
		r.Post("/saml", s.samlPost)
	})
	return &Wizard{Handler: r, s: s}
}
