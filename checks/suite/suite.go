// Package suite puts quickdiag's checks together: the one explicit list of
// checks (the registry), and the runs every front end calls — the
// preflight, the static lints, the live sign-in on port 18080, and the
// report that joins them. The command line and the wizard call these and
// nothing below them, so that both give the same answer.
package suite

import (
	"context"
	"net/http"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/lint"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/signin"
)

// Checks returns every check of the preflight, in report order. This list
// is the one place a check is registered; an IdP's own lints come from its
// entry in idp.All.
func Checks() []*checks.Check {
	list := []*checks.Check{lint.URLs, idp.Lookalike, lint.ClientID, lint.IssuerSlash}
	for _, p := range idp.All() {
		list = append(list, p.Checks...)
	}
	return append(list,
		oidc.DiscoveryFetch, oidc.DiscoveryClock, oidc.DiscoveryIssuer, oidc.DiscoveryEndpoints, oidc.DiscoveryPKCE, oidc.DiscoveryRefresh, oidc.DiscoveryEmail,
		oidc.JWKSKeys, oidc.JWKSSameKeys,
		oidc.Probe,
	)
}

// Static returns the checks that need no network: they read the values alone.
func Static() []*checks.Check {
	var out []*checks.Check
	for _, c := range Checks() {
		if c.Phase == checks.PhaseValues {
			out = append(out, c)
		}
	}
	return out
}

// Applicable returns the checks that run for the configuration's IdP, in
// report order.
func Applicable(cfg checks.Config) []*checks.Check {
	p := idp.Resolve(cfg)
	var out []*checks.Check
	for _, c := range Checks() {
		if c.AppliesTo(p) {
			out = append(out, c)
		}
	}
	return out
}

// Options configure a run.
type Options struct {
	// HTTPClient makes every request. Nil means oidc.NewHTTPClient(oidc.HTTPOptions{}).
	HTTPClient *http.Client
	// RequestTimeout bounds each request. Zero means oidc.DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Checks to run. Nil means Checks().
	Checks []*checks.Check
	// Progress, when set, is called once per check as it finishes.
	Progress func(check *checks.Check, findings []checks.Finding)
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// ToolVersion is written into the report.
	ToolVersion string
}

// Run runs the checks for cfg's IdP (the one it names, or the one its
// values show) and returns the report.
func Run(ctx context.Context, cfg checks.Config, opts Options) *checks.Report {
	list := opts.Checks
	if list == nil {
		list = Checks()
	}
	p := idp.Resolve(cfg)
	rep := checks.Run(ctx, cfg, checks.Options{
		IdP: p, Checks: list, HTTPClient: client(opts.HTTPClient),
		RequestTimeout: fitRequest(ctx, requestTimeout(opts.RequestTimeout)), Progress: opts.Progress, Now: opts.Now,
	})
	rep.ToolVersion = opts.ToolVersion
	rep.SetPaste(paste(cfg, p, rep.Inputs(), rep.Findings))
	return rep
}

// Lint runs the static checks alone: no request leaves the machine.
func Lint(ctx context.Context, cfg checks.Config) *checks.Report {
	return Run(ctx, cfg, Options{Checks: Static()})
}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	if c, err := oidc.NewHTTPClient(oidc.HTTPOptions{}); err == nil {
		return c
	}
	return http.DefaultClient
}

func requestTimeout(d time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return oidc.DefaultRequestTimeout
}

// fitRequest shrinks the per-request bound to fit the run's deadline, so
// that an endpoint that does not answer in time fails (discovery_unreachable)
// before the run ends, instead of leaving its checks unfinished.
func fitRequest(ctx context.Context, d time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if room := time.Until(dl) * 3 / 4; room < d {
			return max(room, time.Millisecond)
		}
	}
	return d
}

// SignInOptions configure a live sign-in.
type SignInOptions struct {
	// HTTPClient and RequestTimeout as for Options.
	HTTPClient     *http.Client
	RequestTimeout time.Duration
	// Preflight is the preflight of the same values, whose discovery
	// document and key sets the sign-in reuses. Nil means fetch them.
	Preflight *checks.Report
	// Users are the provisioned emails the signed-in email must be one of.
	Users []string
	// Ready is called with the sign-in URL once port 18080 listens.
	Ready func(signInURL string)
	// Port, when set, holds port 18080 for this sign-in, replacing one
	// still waiting on it. Nil means this sign-in is the only one.
	Port *signin.Port
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// SignIn signs in exactly as the desktop app does (see signin.Run).
func SignIn(ctx context.Context, cfg checks.Config, opts SignInOptions) *checks.SignInResult {
	so := signin.Options{
		IdP: idp.Resolve(cfg), HTTPClient: client(opts.HTTPClient), RequestTimeout: requestTimeout(opts.RequestTimeout),
		Ready: opts.Ready, Users: opts.Users, Now: opts.Now,
	}
	if opts.Preflight != nil {
		so.Preflight = opts.Preflight.Inputs()
	}
	if opts.Port != nil {
		return opts.Port.Run(ctx, cfg, so)
	}
	return signin.Run(ctx, cfg, so)
}

// Report joins a preflight and a live sign-in into the one report every
// front end shows and exports; either may be nil (not run yet). It returns
// nil when neither ran.
func Report(cfg checks.Config, pre *checks.Report, live *checks.SignInResult, toolVersion string) *checks.Report {
	if pre == nil && live == nil {
		return nil
	}
	if pre == nil {
		start := time.Now().UTC()
		if live != nil && !live.Ended.IsZero() {
			start = live.Ended.UTC()
		}
		pre = checks.NewReport(cfg, idp.Resolve(cfg), start)
		pre.Finish()
	}
	rep := pre.WithSignIn(live)
	rep.ToolVersion = toolVersion
	rep.SetPaste(paste(cfg, idp.Resolve(cfg), pre.Inputs(), rep.Findings))
	return rep
}

// Discover reads the discovery document at an issuer or discovery URL and
// returns the four URL values it publishes, and where it was read.
func Discover(ctx context.Context, c *http.Client, issuerOrURL string) (checks.Config, string, error) {
	d, err := oidc.FetchDiscovery(ctx, &oidc.Fetcher{Client: client(c)}, oidc.IssuerOf(issuerOrURL))
	if err != nil {
		return checks.Config{}, "", err
	}
	return checks.Config{Issuer: d.Issuer, AuthorizationEndpoint: d.AuthorizationEndpoint, TokenEndpoint: d.TokenEndpoint, JWKSURI: d.JWKSURI}, d.URL, nil
}

// Steps documents the live sign-in's steps, for listings.
func Steps() []*checks.Check { return signin.Steps }

// Engine is the suite for a long-running front end (the wizard): one HTTP
// client, one tool version, and one port 18080 that takes one sign-in at a
// time. The zero value uses the defaults.
type Engine struct {
	// HTTPClient makes every request. Nil means oidc.NewHTTPClient(oidc.HTTPOptions{}).
	HTTPClient *http.Client
	// RequestTimeout bounds each request. Zero means oidc.DefaultRequestTimeout.
	RequestTimeout time.Duration
	// ToolVersion is written into the reports.
	ToolVersion string

	port signin.Port
}

// Preflight runs the preflight on cfg, calling progress as each check finishes.
func (e *Engine) Preflight(ctx context.Context, cfg checks.Config, progress func(*checks.Check, []checks.Finding)) *checks.Report {
	return Run(ctx, cfg, Options{HTTPClient: e.HTTPClient, RequestTimeout: e.RequestTimeout, Progress: progress, ToolVersion: e.ToolVersion})
}

// Checks returns the preflight's checks for cfg's IdP (see Applicable).
func (e *Engine) Checks(cfg checks.Config) []*checks.Check { return Applicable(cfg) }

// Lint runs the static checks on cfg.
func (e *Engine) Lint(ctx context.Context, cfg checks.Config) *checks.Report { return Lint(ctx, cfg) }

// Discover reads an issuer's discovery document (see Discover).
func (e *Engine) Discover(ctx context.Context, issuerOrURL string) (checks.Config, string, error) {
	return Discover(ctx, e.HTTPClient, issuerOrURL)
}

// SignIn runs a live sign-in on the engine's port 18080, replacing one
// still waiting; pre, when set, is the preflight whose inputs it reuses.
func (e *Engine) SignIn(ctx context.Context, cfg checks.Config, pre *checks.Report, users []string, ready func(string)) *checks.SignInResult {
	return SignIn(ctx, cfg, SignInOptions{HTTPClient: e.HTTPClient, RequestTimeout: e.RequestTimeout, Preflight: pre, Users: users, Ready: ready, Port: &e.port})
}

// Report joins a preflight and a sign-in (see Report).
func (e *Engine) Report(cfg checks.Config, pre *checks.Report, live *checks.SignInResult) *checks.Report {
	return Report(cfg, pre, live, e.ToolVersion)
}
