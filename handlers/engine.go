package handlers

import (
	"context"

	"github.com/quickdiag/quickdiag/checks"
)

// Engine is what the wizard needs of quickdiag's engine; *suite.Engine is
// the real one. Handler tests may give a fake, so that they need no IdP.
type Engine interface {
	// Preflight runs the preflight, calling progress as each check finishes.
	Preflight(ctx context.Context, cfg checks.Config, progress func(*checks.Check, []checks.Finding)) *checks.Report
	// Checks returns the preflight's checks for the values' IdP, in report order.
	Checks(cfg checks.Config) []*checks.Check
	// Lint runs the checks that read the values alone.
	Lint(ctx context.Context, cfg checks.Config) *checks.Report
	// Discover reads a discovery document and returns the four URL values
	// it publishes, and where it was read.
	Discover(ctx context.Context, issuerOrURL string) (checks.Config, string, error)
	// SignIn runs a live sign-in, replacing one still waiting on port 18080.
	// pre is the preflight of the same values, or nil. ready gets the URL
	// to open once the port listens.
	SignIn(ctx context.Context, cfg checks.Config, pre *checks.Report, users []string, ready func(signInURL string)) *checks.SignInResult
	// Report joins a preflight and a sign-in into the one report; nil when
	// neither ran.
	Report(cfg checks.Config, pre *checks.Report, live *checks.SignInResult) *checks.Report
}
