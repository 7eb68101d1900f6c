package checks

import (
	"crypto/rand"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/oauth2"
)

// OAuth2Config returns the OAuth 2.0 client the desktop app is: public (no
// client authentication; Google's secret rides in the token endpoint URL as
// entered), redirecting to RedirectURI, asking for the app's scopes.
func OAuth2Config(cfg Config, idp IdP) *oauth2.Config {
	scopes := Scopes
	if idp == IdPGoogle {
		scopes = GoogleScopes
	}
	return &oauth2.Config{
		ClientID: clean(cfg.ClientID),
		Endpoint: oauth2.Endpoint{
			AuthURL:   clean(cfg.AuthorizationEndpoint),
			TokenURL:  clean(cfg.TokenEndpoint),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: RedirectURI,
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
// access_type=offline with prompt=consent instead of offline_access.
func NewAuthRequest(cfg Config, idp IdP) *AuthRequest {
	r := &AuthRequest{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(r.Verifier), oauth2.SetAuthURLParam("nonce", r.Nonce)}
	if idp == IdPGoogle {
		opts = append(opts, oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("prompt", "consent"))
	}
	r.URL = OAuth2Config(cfg, idp).AuthCodeURL(r.State, opts...)
	return r
}

// isRedirectTarget reports whether u is the desktop app's loopback
// listener: http on port 18080 of localhost or a loopback address.
func isRedirectTarget(u *url.URL) bool {
	if u == nil || u.Scheme != "http" {
		return false
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return false
	}
	return port == strconv.Itoa(LoopbackPort) && isLoopback(strings.ToLower(host))
}
