package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
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

// Need is a shared input a check needs before it can run.
type Need int

// The shared inputs. The engine fetches each once per run, however many
// checks need it; a check whose need could not be met is skipped with the
// reason.
const (
	NeedDiscovery     Need = iota + 1 // the discovery document
	NeedJWKS                          // the key set at the entered JWKS URI
	NeedDiscoveryJWKS                 // the key set at discovery's jwks_uri
)

// String names the input in words, for skip findings.
func (n Need) String() string {
	switch n {
	case NeedDiscovery:
		return "the discovery document"
	case NeedJWKS:
		return "the key set at the JWKS URI"
	case NeedDiscoveryJWKS:
		return "the key set at discovery's jwks_uri"
	}
	return "an input"
}

// reportedBy names the check that reports why the input is missing.
func (n Need) reportedBy() string {
	switch n {
	case NeedDiscovery:
		return "see discovery.fetch"
	case NeedJWKS:
		return "see jwks.keys"
	}
	return "see jwks.same_keys"
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
	// IdPs limits the check to some identity providers. Nil means all.
	IdPs []IdP
	// Needs lists the shared inputs that must be available before Run.
	Needs []Need
	// Run reports the findings. It must honour ctx.
	Run func(ctx context.Context, p *Target) []Finding
}

// AppliesTo reports whether the check runs for the identity provider.
func (c *Check) AppliesTo(idp IdP) bool {
	return c.IdPs == nil || slices.Contains(c.IdPs, idp)
}

// Target is what a check examines: the configuration and the shared inputs.
type Target struct {
	Config Config
	IdP    IdP
	HTTP   *Fetcher
	// Now is the clock; it is time.Now unless a test sets it.
	Now func() time.Time

	runCtx        context.Context
	discovery     lazy[*Discovery]
	jwks          lazy[*KeySet]
	discoveryJWKS lazy[*KeySet]
}

// NewTarget returns a target over cfg. Shared inputs are fetched under runCtx,
// so one check giving up does not cancel a fetch that others wait for.
func NewTarget(runCtx context.Context, cfg Config, fetcher *Fetcher) *Target {
	return &Target{Config: cfg, IdP: cfg.ResolvedIdP(), HTTP: fetcher, Now: time.Now, runCtx: runCtx}
}

// lazy is a value loaded once, on first demand, and shared by all who wait.
type lazy[T any] struct {
	once sync.Once
	done chan struct{}
	val  T
	err  error
}

func (l *lazy[T]) get(ctx, runCtx context.Context, load func(context.Context) (T, error)) (T, error) {
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
		var zero T
		return zero, ctx.Err()
	}
}

// Discovery returns the discovery document, fetching it on first use.
func (p *Target) Discovery(ctx context.Context) (*Discovery, error) {
	return p.discovery.get(ctx, p.runCtx, func(ctx context.Context) (*Discovery, error) {
		return FetchDiscovery(ctx, p.HTTP, p.Config.Issuer)
	})
}

// JWKS returns the key set at the entered JWKS URI, fetching it on first use.
func (p *Target) JWKS(ctx context.Context) (*KeySet, error) {
	return p.jwks.get(ctx, p.runCtx, func(ctx context.Context) (*KeySet, error) {
		return FetchKeySet(ctx, p.HTTP, clean(p.Config.JWKSURI))
	})
}

// DiscoveryJWKS returns the key set at discovery's jwks_uri. When that is
// the entered JWKS URI, it is the same fetch.
func (p *Target) DiscoveryJWKS(ctx context.Context) (*KeySet, error) {
	d, err := p.Discovery(ctx)
	if err != nil {
		return nil, err
	}
	if d.JWKSURI == "" {
		return nil, fmt.Errorf("the discovery document has no jwks_uri")
	}
	if d.JWKSURI == clean(p.Config.JWKSURI) {
		return p.JWKS(ctx)
	}
	return p.discoveryJWKS.get(ctx, p.runCtx, func(ctx context.Context) (*KeySet, error) {
		return FetchKeySet(ctx, p.HTTP, d.JWKSURI)
	})
}

func (p *Target) need(ctx context.Context, n Need) error {
	var err error
	switch n {
	case NeedDiscovery:
		_, err = p.Discovery(ctx)
	case NeedJWKS:
		_, err = p.JWKS(ctx)
	case NeedDiscoveryJWKS:
		_, err = p.DiscoveryJWKS(ctx)
	}
	return err
}

// Options configures Run.
type Options struct {
	// HTTPClient makes every request. Nil means NewHTTPClient(HTTPOptions{}).
	HTTPClient *http.Client
	// RequestTimeout bounds each request. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Checks to run. Nil means Preflight().
	Checks []*Check
	// Progress, when set, is called once per check as it finishes, with that
	// check's findings. Calls are serialised.
	Progress func(check *Check, findings []Finding)
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Run runs the checks that apply to cfg concurrently and returns the report,
// with findings in the order of the check list. It returns when every check
// has finished or ctx is done; checks still running then are reported as
// skipped.
func Run(ctx context.Context, cfg Config, opts Options) *Report {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	client := orDefaultClient(opts.HTTPClient)
	list := opts.Checks
	if list == nil {
		list = Preflight()
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pass := NewTarget(runCtx, cfg, &Fetcher{Client: client, Timeout: opts.RequestTimeout})
	pass.Now = now

	var applicable []*Check
	for _, c := range list {
		if c.AppliesTo(pass.IdP) {
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
			fs := runOne(runCtx, c, pass)
			mu.Lock()
			defer mu.Unlock()
			results[i] = fs
			if opts.Progress != nil {
				opts.Progress(c, fs)
			}
		}()
	}
	wg.Wait()

	r := &Report{
		Schema:    1,
		StartedAt: start.UTC().Truncate(time.Millisecond),
		IdP:       pass.IdP,
		Config:    cfg,
	}
	for _, fs := range results {
		r.Findings = append(r.Findings, fs...)
	}
	r.DurationMS = now().Sub(start).Milliseconds()
	r.Finish()
	return r
}

// stopReason says why a run ended early: its time limit, or a stop (Ctrl-C,
// a closed page).
func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the time limit was reached"
	}
	return "the run was stopped"
}

// orDefaultClient returns c, or a client made with the default options.
func orDefaultClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	c, err := NewHTTPClient(HTTPOptions{})
	if err != nil {
		return http.DefaultClient
	}
	return c
}

// runOne runs a check with its needs met, turning a panic or a finding
// without a status into a failure, never a pass.
func runOne(ctx context.Context, c *Check, p *Target) (out []Finding) {
	defer func() {
		if r := recover(); r != nil {
			out = []Finding{{Status: Fail, Row: "discovery_unreachable", Title: "The check stopped on an internal error",
				Detail: fmt.Sprintf("%v\n%s", r, firstLines(string(debug.Stack()), 12)),
				Fix:    "This is a quickdiag bug: please report it with this report attached."}}
		}
		for i := range out {
			out[i].Check = c.ID
			if out[i].Status == Skip && out[i].Detail == "" {
				// A skip is titled by what was not checked; its reason is the detail.
				out[i].Title, out[i].Detail = c.Title, out[i].Title
			}
			out[i].Complete(p.IdP)
		}
	}()
	for _, n := range c.Needs {
		if err := p.need(ctx, n); err != nil {
			if ctx.Err() != nil {
				return []Finding{Skipf("Not run: %s.", stopReason(ctx))}
			}
			return []Finding{Skipf("Not run: %s is not available (%s).", n, n.reportedBy())}
		}
	}
	done := make(chan []Finding, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- []Finding{{Status: Fail, Row: "discovery_unreachable", Title: "The check stopped on an internal error",
					Detail: fmt.Sprint(r), Fix: "This is a quickdiag bug: please report it with this report attached."}}
			}
		}()
		done <- c.Run(ctx, p)
	}()
	select {
	case fs := <-done:
		if len(fs) == 0 {
			return []Finding{{Status: Fail, Row: "discovery_unreachable", Title: "The check reported nothing",
				Fix: "This is a quickdiag bug: please report it with this report attached."}}
		}
		return fs
	case <-ctx.Done():
		return []Finding{Skipf("Not finished: %s.", stopReason(ctx))}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// PhaseOf returns the phase of the check with the given id.
func PhaseOf(checkID string) Phase {
	for _, c := range All() {
		if c.ID == checkID {
			return c.Phase
		}
	}
	if strings.HasPrefix(checkID, "signin.") {
		return PhaseSignIn
	}
	return PhaseValues
}
