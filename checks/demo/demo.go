// Package demo is quickdiag's practice IdP: an OpenID provider on loopback
// (ZITADEL's op package inside) and scenarios that each reproduce one
// failure of the catalog as a real IdP shows it, in that IdP's URL shapes
// and words, so that anyone can try quickdiag and a helpdesk can train on
// it without an IdP.
package demo

import (
	"html"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Scenario is one practice case: an IdP shape, the provider's faults and
// the values its administrator entered.
type Scenario struct {
	Name string `json:"name"`
	// IdP is the shape's IdP (package idp's ID).
	IdP string `json:"idp"`
	// Row is what is wrong; empty when nothing is.
	Row   catalog.ID `json:"row"`
	Title string     `json:"title"`
	// Symptom is what the user sees, for practice mode.
	Symptom string `json:"symptom,omitempty"`
	// Live is true when only a sign-in shows the row (the preflight
	// passes): the failure comes after the user signs in.
	Live bool `json:"live,omitempty"`
	// Email is the provisioned user's email the admin types for the
	// sign-in; empty means the practice user's.
	Email string `json:"-"`
	// Faults are the provider's.
	Faults Faults `json:"-"`
	// Values edits the values as entered (the values-only traps).
	Values func(c *checks.Config, s Shape, origin string) `json:"-"`
}

// Faults are how the practice provider misbehaves for a scenario.
type Faults struct {
	// AuthorizePage answers the authorization request with an error page.
	AuthorizePage *Page
	// Refuse answers it with the vendor's own page for that row
	// ("redirect_mismatch", "invalid_client"), as pages.go words it.
	Refuse string
	// AuthorizeRedirect sends an error back to the redirect URI at once.
	AuthorizeRedirect *OAuthError
	// AfterLogin sends an error back once the user has signed in.
	AfterLogin *OAuthError
	// Token answers the token request; Refresh only the refresh grant.
	Token, Refresh *Response
	// PrivateJWKS publishes the private key members in the key set.
	PrivateJWKS bool
	// Userinfo answers the userinfo request.
	Userinfo *Response
	// Discovery edits the discovery document.
	Discovery func(doc map[string]any)
	// NoDiscovery serves no discovery document.
	NoDiscovery bool
	// Claims edits the ID token's claims.
	Claims func(jwt.MapClaims)
	// NoRefreshToken issues no refresh token; RefreshNoIDToken no ID token
	// on refresh; RefreshNoEmail an ID token without email on refresh.
	NoRefreshToken, RefreshNoIDToken, RefreshNoEmail bool
	// BadSignature signs ID tokens with another key; AlgNone not at all.
	BadSignature, AlgNone bool
	// ClockAhead runs the provider's clock ahead of this machine's: its
	// Date headers and its ID tokens' times.
	ClockAhead time.Duration
}

// OAuthError is an RFC 6749 error and its description.
type OAuthError struct{ Code, Description string }

// Response is a canned HTTP answer.
type Response struct {
	Status      int
	ContentType string
	Body        string
	// Location is sent with a redirect.
	Location string
}

func (r *Response) write(w http.ResponseWriter) {
	if r.Location != "" {
		w.Header().Set("Location", r.Location)
	}
	ct := r.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(r.Status)
	w.Write([]byte(r.Body))
}

// Page is a vendor's error page.
type Page struct {
	Status int
	Title  string
	// Text is the page's text, in the vendor's words.
	Text string
}

func (p *Page) write(w http.ResponseWriter) { page(w, p.Status, p.Title, p.Text) }

// page writes a plain error page.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte("<!doctype html><html><head><title>" + html.EscapeString(title) + "</title></head><body><h1>" +
		html.EscapeString(title) + "</h1><p>" + html.EscapeString(text) + "</p><p><small>quickdiag practice IdP</small></p></body></html>"))
}

// All returns every scenario, good ones first, then by IdP.
func All() []Scenario { return slices.Clone(scenarios) }

// Lookup returns the scenario of that name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}
