package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Phase groups checks for display, in the order a sign-in meets them.
type Phase string

// The phases, in order.
const (
	PhaseValues    Phase = "Values as entered"
	PhaseDiscovery Phase = "Discovery document"
	PhaseKeys      Phase = "Signing keys (JWKS)"
	PhaseProbe     Phase = "Authorization endpoint"
	PhaseSignIn    Phase = "Live sign-in"
)

// Phases lists the phases in display order.
var Phases = []Phase{PhaseValues, PhaseDiscovery, PhaseKeys, PhaseProbe, PhaseSignIn}

// Input is a shared input that checks require: the discovery document, a
// key set. It is loaded once per run, on first demand, however many checks
// require it; a check whose input could not be loaded is skipped with the
// reason. Inputs are declared by the packages that load them (package oidc).
type Input struct {
	// Name says what the input is, for skip findings ("the discovery document").
	Name string
	// ReportedBy names the check that reports why the input is missing.
	ReportedBy string
	// Load loads the input for the target. It runs under the run's context,
	// not one check's, so that one check giving up does not cancel a load
	// that others wait for.
	Load func(ctx context.Context, t *Target) (any, error)
}

// Check is one unit of diagnosis. It reports findings; what it cannot do is
// a skip finding, never an error.
type Check struct {
	// ID is stable, dotted, and names the check in output (discovery.issuer).
	ID string
	// Title says what the check verifies, in a few words.
	Title string
	// Doc explains the check for the CLI listing, the wizard and the README.
	Doc   string
	Phase Phase
	// Applies limits the check to some identity providers. Nil means all.
	Applies func(*IdP) bool
	// Values lists the console values the check derives from. When one is
	// not usable (a URL: see UsableURL; the Client ID: empty), the check is
	// skipped with the reason instead of deriving fixes from it.
	Values []FieldKey
	// Requires lists the shared inputs that must be available before Run.
	Requires []*Input
	// Run reports the findings. It must honour ctx.
	Run func(ctx context.Context, t *Target) []Finding
}

// AppliesTo reports whether the check runs for the identity provider.
func (c *Check) AppliesTo(idp *IdP) bool {
	return c.Applies == nil || c.Applies(idp)
}

// Target is what a check examines: the configuration, the IdP it is for,
// how to reach it, and the shared inputs.
type Target struct {
	Config Config
	IdP    *IdP
	// Client makes every request; RequestTimeout bounds each.
	Client         *http.Client
	RequestTimeout time.Duration
	// Now is the clock; it is time.Now unless a test sets it.
	Now func() time.Time

	runCtx context.Context
	mu     sync.Mutex
	inputs map[*Input]*lazy
}

// NewTarget returns a target over cfg for the IdP. Shared inputs are loaded
// under runCtx.
func NewTarget(runCtx context.Context, cfg Config, idp *IdP, client *http.Client, requestTimeout time.Duration) *Target {
	return &Target{Config: cfg, IdP: idp, Client: client, RequestTimeout: requestTimeout, Now: time.Now, runCtx: runCtx}
}

// lazy is a value loaded once, on first demand, and shared by all who wait.
type lazy struct {
	once sync.Once
	done chan struct{}
	val  any
	err  error
}

func (l *lazy) get(ctx, runCtx context.Context, load func(context.Context) (any, error)) (any, error) {
	l.once.Do(func() {
		l.done = make(chan struct{})
		go func() {
			defer close(l.done)
			defer func() {
				if r := recover(); r != nil {
					l.err = fmt.Errorf("internal error: %v", r)
				}
			}()
			l.val, l.err = load(runCtx)
		}()
	})
	select {
	case <-l.done:
		return l.val, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (t *Target) slot(in *Input) *lazy {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inputs == nil {
		t.inputs = map[*Input]*lazy{}
	}
	l := t.inputs[in]
	if l == nil {
		l = &lazy{}
		t.inputs[in] = l
	}
	return l
}

// Get returns the input, loading it on first use. Waiting ends with ctx;
// the load itself goes on for the others who need it.
func (t *Target) Get(ctx context.Context, in *Input) (any, error) {
	return t.slot(in).get(ctx, t.runCtx, func(ctx context.Context) (any, error) { return in.Load(ctx, t) })
}

// Loaded returns the input if it was loaded without error, and never
// starts a load: a later step (the live sign-in) reuses what the preflight
// fetched.
func (t *Target) Loaded(in *Input) (any, bool) {
	if t == nil {
		return nil, false
	}
	l := t.slot(in)
	if l.done == nil {
		return nil, false
	}
	select {
	case <-l.done:
		return l.val, l.err == nil
	default:
		return nil, false
	}
}

// Options configures Run.
type Options struct {
	// IdP is the identity provider the values are for. It must be set
	// (package idp resolves it from the values).
	IdP *IdP
	// Checks to run, in report order; those that do not apply to IdP are
	// left out. Package suite has the list.
	Checks []*Check
	// HTTPClient makes every request. Nil means http.DefaultClient.
	HTTPClient *http.Client
	// RequestTimeout bounds each request. Zero leaves the bound to the
	// package that makes the request.
	RequestTimeout time.Duration
	// Progress, when set, is called once per check as it finishes, with that
	// check's findings. Calls are serialised.
	Progress func(check *Check, findings []Finding)
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Run runs the checks that apply to cfg concurrently and returns the report,
// with findings in the order of the check list. It returns when every check
// has finished or ctx is done; checks still running then are reported as
// skipped, and the report is incomplete.
func Run(ctx context.Context, cfg Config, opts Options) *Report {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	client := opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := NewTarget(runCtx, cfg, opts.IdP, client, opts.RequestTimeout)
	t.Now = now

	var applicable []*Check
	for _, c := range opts.Checks {
		if c.AppliesTo(t.IdP) {
			applicable = append(applicable, c)
		}
	}
	results := make([][]Finding, len(applicable))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, c := range applicable {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fs := runOne(runCtx, c, t)
			mu.Lock()
			defer mu.Unlock()
			results[i] = fs
			if opts.Progress != nil {
				opts.Progress(c, fs)
			}
		}()
	}
	wg.Wait()

	r := NewReport(cfg, t.IdP, start.UTC().Truncate(time.Millisecond))
	r.inputs = t
	for _, fs := range results {
		r.Findings = append(r.Findings, fs...)
	}
	r.DurationMS = now().Sub(start).Milliseconds()
	r.Finish()
	return r
}

// StopReason says why a run ended early: its time limit, or a stop (Ctrl-C,
// a closed page).
func StopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the time limit was reached"
	}
	return "the run was stopped"
}

// runOne runs a check with its needs met, turning a panic or a finding
// without a status into a failure, never a pass.
func runOne(ctx context.Context, c *Check, p *Target) (out []Finding) {
	defer func() {
		if r := recover(); r != nil {
			out = []Finding{{Status: Fail, Row: catalog.DiscoveryUnreachable, Title: "The check stopped on an internal error",
				Detail: fmt.Sprintf("%v\n%s", r, firstLines(string(debug.Stack()), 12)),
				Fix:    "This is a quickdiag bug: please report it with this report attached."}}
		}
		for i := range out {
			out[i].Check, out[i].Phase = c.ID, c.Phase
			if out[i].Status == Skip && out[i].Detail == "" {
				// A skip is titled by what was not checked; its reason is the detail.
				out[i].Title, out[i].Detail = c.Title, out[i].Title
			}
			out[i].Complete(p.IdP)
		}
	}()
	for _, k := range c.Values {
		f := p.Config.Field(k)
		if (f.URL && !UsableURL(f.Value)) || (!f.URL && Clean(f.Value) == "") {
			return []Finding{Skipf("Not run: the %s is not a usable value (see values.urls and values.client_id).", f.Label)}
		}
	}
	for _, in := range c.Requires {
		if _, err := p.Get(ctx, in); err != nil {
			if ctx.Err() != nil {
				return []Finding{Unfinished("Not run: %s.", StopReason(ctx))}
			}
			return []Finding{Skipf("Not run: %s is not available (see %s).", in.Name, in.ReportedBy)}
		}
	}
	done := make(chan []Finding, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- []Finding{{Status: Fail, Row: catalog.DiscoveryUnreachable, Title: "The check stopped on an internal error",
					Detail: fmt.Sprint(r), Fix: "This is a quickdiag bug: please report it with this report attached."}}
			}
		}()
		done <- c.Run(ctx, p)
	}()
	select {
	case fs := <-done:
		if len(fs) == 0 {
			return []Finding{{Status: Fail, Row: catalog.DiscoveryUnreachable, Title: "The check reported nothing",
				Fix: "This is a quickdiag bug: please report it with this report attached."}}
		}
		return fs
	case <-ctx.Done():
		return []Finding{Unfinished("Not finished: %s.", StopReason(ctx))}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
