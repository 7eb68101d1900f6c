// Package idp holds what quickdiag knows about each identity provider, one
// file per provider: how its URLs look (recognition), the setup guide the
// wizard shows, its console's wording of each fix, its own lints, how it
// words failures (for triage and the probe), and its quirks. Each file
// declares one *checks.IdP; All lists them.
//
// Nothing outside this package branches on a provider's name: code that
// must behave differently for one reads a field of its checks.IdP.
package idp

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
)

// Auto asks for recognition from the values' shapes; it is what --idp takes
// by default.
const Auto = "auto"

// All returns the providers in the order the wizard shows them, the
// generic provider last. This list is the one place a provider is registered.
func All() []*checks.IdP {
	return []*checks.IdP{Entra, Google, Okta, PingFederate, PingOne, Cognito, Auth0, Keycloak, ADFS, Generic}
}

// IDs returns every provider's ID, for usage messages.
func IDs() []string {
	var out []string
	for _, p := range All() {
		out = append(out, p.ID)
	}
	return out
}

// Parse parses an --idp value. The empty string and "auto" return nil:
// recognise the provider from the values (see Resolve).
func Parse(s string) (*checks.IdP, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" || v == Auto {
		return nil, nil
	}
	for _, p := range All() {
		if v == p.ID {
			return p, nil
		}
	}
	return nil, fmt.Errorf("unknown IdP %q: use one of %s, %s", s, Auto, strings.Join(IDs(), ", "))
}

// Lookup returns the provider with the given ID, or Generic.
func Lookup(id string) *checks.IdP {
	if p, err := Parse(id); err == nil && p != nil {
		return p
	}
	return Generic
}

// Resolve returns the configuration's provider: the one its idp names, or
// the one recognised from its values for "auto" (and for a name that does
// not parse, which ReadConfig's callers report).
func Resolve(c checks.Config) *checks.IdP {
	if p, err := Parse(c.IdP); err == nil && p != nil {
		return p
	}
	return Detect(c)
}

// Detect recognises the provider from the shapes of the values, the Issuer
// URL first: behind a proxy (Cognito) the endpoints point elsewhere. It
// returns Generic when no value is recognisable.
func Detect(c checks.Config) *checks.IdP {
	for _, v := range []string{c.Issuer, c.AuthorizationEndpoint, c.TokenEndpoint, c.JWKSURI} {
		if p := Of(v); p != Generic {
			return p
		}
	}
	return Generic
}

// Of recognises the provider of one URL: by its host, or, when no provider
// claims the host, by its path. Generic when neither says.
func Of(raw string) *checks.IdP {
	u, err := url.Parse(strings.TrimSpace(strings.Trim(strings.TrimSpace(raw), `"'`)))
	if err != nil || u.Host == "" {
		return Generic
	}
	host := strings.ToLower(u.Hostname())
	for _, p := range All() {
		if p.MatchHost != nil && p.MatchHost(host) {
			return p
		}
	}
	for _, p := range All() {
		if p.MatchPath != nil && p.MatchPath(u.Path) {
			return p
		}
	}
	return Generic
}

// Guide returns the provider's guide, with the requirements common to every
// registration first.
func Guide(p *checks.IdP) checks.Guide {
	if p == nil {
		p = Generic
	}
	g := p.Guide
	g.Requires = append(append([]string(nil), commonRequires...), g.Requires...)
	if g.Where == nil {
		g.Where = map[checks.FieldKey]string{}
	}
	return g
}

// commonRequires are the requirements of every registration.
var commonRequires = []string{
	"A public client (no client secret, PKCE S256) — the app is a desktop application.",
	"Redirect URI exactly http://localhost:18080 (no path, no trailing slash, localhost not 127.0.0.1).",
	"Scopes openid, email, profile and offline_access, and the Authorization Code and Refresh Token grants.",
	"An email claim in the ID token that equals the user's email in the account exactly, letter case included.",
}

// is returns an Applies function for the provider with the given ID. It
// compares IDs, so that a provider's lints can name it before it is declared.
func is(id string) func(*checks.IdP) bool {
	return func(p *checks.IdP) bool { return p != nil && p.ID == id }
}

// urlFields returns the four URL fields of a configuration.
func urlFields(c checks.Config) []checks.Field { return c.Fields()[:4] }

// orPlaceholder returns s, or the placeholder when s is empty or an alias.
func orPlaceholder(s, ph string, aliases map[string]bool) string {
	if s == "" || aliases[strings.ToLower(s)] {
		return ph
	}
	return s
}

// guidRE matches a GUID, as Entra and PingOne issue them.
var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
