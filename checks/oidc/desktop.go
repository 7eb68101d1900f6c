package oidc

import (
	"crypto/rand"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/quickdiag/quickdiag/checks"
)

// OAuth2Config returns the OAuth 2.0 client the desktop app is: public (no
// client authentication; Google's secret rides in the token endpoint URL as
// entered), redirecting to checks.RedirectURI, asking for the app's scopes.
func OAuth2Config(cfg checks.Config, idp *checks.IdP) *oauth2.Config {
	scopes := checks.Scopes
	if idp != nil && idp.Scopes != nil {
		scopes = idp.Scopes
	}
	return &oauth2.Config{
		ClientID: checks.Clean(cfg.ClientID),
		Endpoint: oauth2.Endpoint{
			AuthURL:   checks.Clean(cfg.AuthorizationEndpoint),
			TokenURL:  checks.Clean(cfg.TokenEndpoint),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: checks.RedirectURI,
		Scopes:      append([]string(nil), scopes...),
	}
}

// AuthRequest is one authorization request as the desktop app makes it,
// with the secrets needed to finish it.
type AuthRequest struct {
	// URL is the authorization endpoint with every parameter.
	URL      string
	State    string
	Nonce    string
	Verifier string
}

// NewAuthRequest builds the desktop app's authorization request: PKCE S256
// with a fresh verifier, random state and nonce, and for Google
// the IdP's own parameters (Google: access_type=offline, prompt=consent).
func NewAuthRequest(cfg checks.Config, idp *checks.IdP) *AuthRequest {
	r := &AuthRequest{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(r.Verifier), oauth2.SetAuthURLParam("nonce", r.Nonce)}
	if idp != nil {
		for _, k := range slices.Sorted(maps.Keys(idp.AuthParams)) {
			opts = append(opts, oauth2.SetAuthURLParam(k, idp.AuthParams[k]))
		}
	}
	r.URL = OAuth2Config(cfg, idp).AuthCodeURL(r.State, opts...)
	return r
}

// IsRedirectTarget reports whether u is the desktop app's loopback
// listener: http on port 18080 of localhost or a loopback address.
func IsRedirectTarget(u *url.URL) bool {
	if u == nil || u.Scheme != "http" {
		return false
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return false
	}
	return port == strconv.Itoa(checks.LoopbackPort) && checks.IsLoopback(strings.ToLower(host))
}
