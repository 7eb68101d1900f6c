package checks

import (
	"regexp"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// IdP is everything quickdiag knows about one identity provider family:
// how to recognise it, how to guide its administrator, how its console
// words each fix, its own lints, how it words failures, and its quirks.
//
// The engine knows only this shape; package idp holds one value of it per
// provider, each in a file of its own. A zero field means the provider
// behaves as the OpenID Connect specifications say.
type IdP struct {
	// ID is what --idp takes and what the report's "idp" holds (okta).
	ID string
	// Name is the display name (Okta).
	Name string

	// MatchHost recognises the provider from a URL's lower-case host name;
	// MatchPath, tried only when no provider claims the host, from its
	// path (self-hosted products on any host). Nil matches nothing.
	MatchHost func(host string) bool
	MatchPath func(path string) bool
	// Markers are lower-case words that, in a pasted message, show it is
	// about this provider (hosts, product names, code prefixes).
	Markers []string

	// LoginPage recognises the provider's own sign-in page when its HTML
	// draws the form by script (Okta's widget), as positive evidence that
	// the authorization request was accepted. Nil means only a form counts.
	LoginPage *regexp.Regexp

	// Guide is what the wizard shows the administrator.
	Guide Guide
	// Fixes are this provider's console wording of rows' fixes; a row not
	// here has the catalog's generic fix.
	Fixes map[catalog.ID]string
	// Checks are the provider's own lints; each applies only to it.
	Checks []*Check
	// Wordings are how this provider words failures on its pages and in
	// its error responses, for triage and for reading the probe's page.
	Wordings []Wording
	// Codes names this provider's code catalog in checks/triage/data
	// ("entra.tsv"): each code it prints, the row it means, its own words.
	Codes string

	// Hosted is true for a service on the provider's public hosts: a host
	// without a domain cannot be its (a failure, not a warning).
	Hosted bool
	// IssuerNoSlash is true when the provider's issuers never end with a
	// slash, so a trailing slash is a finding without asking discovery.
	IssuerNoSlash bool
	// TenantInIssuer is true when the issuer names a tenant or environment:
	// discovery answering 400 or 404 then means that it does not exist.
	TenantInIssuer bool
	// DiscoveryIssuer returns the issuer whose discovery document is the
	// authority on the values entered (Entra: the tenant's v2.0 issuer, for
	// the v1 forms of it too, whose documents describe the v1 endpoints).
	// Nil means the issuer as entered.
	DiscoveryIssuer func(issuer string) string
	// Scopes replace the desktop app's scopes in its requests (Google
	// rejects offline_access). Nil means Scopes.
	Scopes []string
	// AuthParams are extra parameters of the desktop app's authorization
	// request for this provider (Google: access_type=offline, prompt=consent).
	AuthParams map[string]string
	// OfflineAccessNotListed is true when discovery need not list
	// offline_access: the provider takes another parameter (Google) or a
	// proxy strips the scope (Cognito).
	OfflineAccessNotListed bool
	// SecretInTokenURL is true when the token endpoint entered carries the
	// client secret as its client_secret query (Google): the wizard asks for
	// the secret, and the endpoint is compared with discovery's without it.
	SecretInTokenURL bool
	// Proxied reports whether an entered authorization or token endpoint is
	// a proxy in front of the provider, which discovery cannot know (the
	// Cognito scope-stripping proxy). Nil means never.
	Proxied func(endpoint string) bool
	// AuthorizeErrors and TokenErrors map an OAuth error code, sent back by
	// the authorization or the token endpoint, to this provider's row
	// (Cognito's invalid_scope, Google's invalid_client).
	AuthorizeErrors map[string]catalog.ID
	TokenErrors     map[string]catalog.ID
	// IssuerHint explains an issuer mismatch the provider is known for
	// (Entra's missing /v2.0): given the Issuer URL entered and the issuer
	// the provider uses, it returns the row, a title and a detail, or ok
	// false when the mismatch is not that one.
	IssuerHint func(entered, actual string) (row catalog.ID, title, detail string, ok bool)
	// EmailHint adds to the email_claim_missing finding what this provider
	// needs for the claim, given the claims the token does carry.
	EmailHint func(claims map[string]any) string
	// LintClientID checks the Client ID's shape for this provider; id is
	// the value cleaned of paste noise. Nil means any shape.
	LintClientID func(id string, c Config) []Finding
	// ShortHostFix is the fix for a host name without a domain, given that
	// host (Okta: the full okta.com domain). Nil means the catalog's.
	ShortHostFix func(host string) string
}

// FixFor returns the provider's fix for a row, or the row's generic fix.
func (p *IdP) FixFor(row catalog.ID) string {
	if p != nil {
		if f, ok := p.Fixes[row]; ok {
			return f
		}
	}
	r, _ := catalog.Lookup(row)
	return r.Fix
}

// String returns the provider's ID.
func (p *IdP) String() string {
	if p == nil {
		return ""
	}
	return p.ID
}

// Guide is what an administrator needs to know about one IdP to register
// the desktop app: what to have at hand, what the app requires, and where
// the IdP's console shows each value.
type Guide struct {
	// Needs is what to have at hand.
	Needs []string
	// Requires is what the desktop app requires of this IdP's registration.
	Requires []string
	// Where says where each console value is found.
	Where map[FieldKey]string
	// Example holds the documented shape of each value.
	Example map[FieldKey]string
}

// Wording is one way a provider, a browser or a library words a failure:
// a pattern (a regular expression, matched case-insensitively) that, found
// in an error page, an error_description or a pasted message, points at a
// row. Package triage compiles and ranks them.
type Wording struct {
	Row     catalog.ID
	Pattern string
	// Example is a real message the pattern matches, with its source.
	Example string
	// Weight is how surely the wording means the row, from 0 to 1: a vendor
	// code is near 1, a generic OAuth error code lower. Zero means 0.9.
	Weight float64
}
