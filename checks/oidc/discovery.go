// Package oidc talks to the IdP as a relying party does, without anyone
// signing in: bounded HTTP fetches, the discovery document, key sets and the
// authorization-endpoint probe, each with its checks. It also builds the
// desktop app's authorization request, which the live sign-in sends.
package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Discovery is the part of an OpenID Provider's discovery document that
// quickdiag reads. A list is nil when the document does not carry it.
type Discovery struct {
	// URL is where the document was fetched.
	URL string `json:"-"`
	// ContentType is the media type it was served with.
	ContentType string `json:"-"`
	// Date is the response's Date header (the IdP's clock); zero when it
	// had none.
	Date time.Time `json:"-"`

	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	UserinfoEndpoint              string   `json:"userinfo_endpoint"`
	JWKSURI                       string   `json:"jwks_uri"`
	ScopesSupported               []string `json:"scopes_supported"`
	ClaimsSupported               []string `json:"claims_supported"`
	GrantTypesSupported           []string `json:"grant_types_supported"`
	ResponseTypesSupported        []string `json:"response_types_supported"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
	IDTokenSigningAlgs            []string `json:"id_token_signing_alg_values_supported"`
}

// DiscoveryURL returns where the issuer's discovery document lives, as a
// relying party computes it: the issuer, trimmed of white space, quotes and
// one trailing slash, followed by /.well-known/openid-configuration.
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(checks.Clean(issuer), "/") + "/.well-known/openid-configuration"
}

// DiscoveryError is a discovery document that was fetched but is not usable.
type DiscoveryError struct {
	URL    string
	Status int
	// Msg says what is wrong, for the administrator.
	Msg string
	// Row is the catalog row.
	Row catalog.ID
}

// Error says what was wrong with the document.
func (e *DiscoveryError) Error() string { return e.Msg }

// FetchDiscovery fetches and decodes the issuer's discovery document.
func FetchDiscovery(ctx context.Context, f *Fetcher, issuer string) (*Discovery, error) {
	if checks.Clean(issuer) == "" {
		return nil, &DiscoveryError{Msg: "no Issuer URL was entered", Row: catalog.TokenValidationFailure}
	}
	u := DiscoveryURL(issuer)
	resp, err := f.Get(ctx, u, "application/json")
	if err != nil {
		return nil, err
	}
	var d Discovery
	if err := DecodeJSON(resp, &d, "discovery document"); err != nil {
		err.Row = catalog.DiscoveryUnreachable
		return nil, err
	}
	d.URL = resp.URL
	d.ContentType = resp.ContentType
	d.Date, _ = http.ParseTime(resp.Header.Get("Date"))
	return &d, nil
}

// DecodeJSON decodes a JSON object response into v, or says precisely why
// it is not one.
func DecodeJSON(resp *Response, v any, what string) *DiscoveryError {
	de := &DiscoveryError{URL: resp.URL, Status: resp.Status}
	if resp.Status != http.StatusOK {
		de.Msg = fmt.Sprintf("%s answered HTTP %d instead of the %s%s", resp.URL, resp.Status, what, bodyHint(resp))
		return de
	}
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 {
		de.Msg = fmt.Sprintf("%s returned an empty body instead of the %s", resp.URL, what)
		return de
	}
	if body[0] != '{' {
		kind := "something other than JSON"
		if looksHTML(body) {
			kind = "an HTML page"
		}
		de.Msg = fmt.Sprintf("%s returned %s (Content-Type %q) instead of the %s%s", resp.URL, kind, resp.ContentType, what, bodyHint(resp))
		return de
	}
	if err := json.Unmarshal(body, v); err != nil {
		de.Msg = fmt.Sprintf("%s returned malformed JSON for the %s: %v", resp.URL, what, checks.DescribeJSONError(body, err))
		return de
	}
	return nil
}

func looksHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype") || strings.Contains(head, "<head") || strings.Contains(head, "<body")
}

// bodyHint returns a short, printable excerpt of the body's text.
func bodyHint(resp *Response) string {
	t := checks.PageText(resp.Body)
	if t == "" {
		return ""
	}
	return ": " + checks.Truncate(t, 160)
}

// Discovery checks.

// DiscoveryFetch reads the discovery document.
var DiscoveryFetch = &checks.Check{
	ID:     "discovery.fetch",
	Title:  "Discovery document is reachable JSON",
	Doc:    "Fetches <issuer>/.well-known/openid-configuration, as a relying party does, and checks that it is a JSON object served as JSON.",
	Phase:  checks.PhaseDiscovery,
	Values: []checks.FieldKey{checks.Issuer},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, err := DiscoveryOf(ctx, p)
		if err != nil {
			return []checks.Finding{FetchFailure("The discovery document could not be read", err).
				WithEvidence("JSON at "+DiscoveryURL(AuthorityIssuer(p)), err.Error())}
		}
		if d.ContentType != "application/json" && !strings.HasSuffix(d.ContentType, "+json") {
			return []checks.Finding{checks.Problem(checks.Warn, catalog.DiscoveryUnreachable, "The discovery document is served with the wrong content type").
				WithDetail("It parses as JSON, but strict clients may refuse a document not served as application/json.").
				WithEvidence("Content-Type: application/json", "Content-Type: "+checks.OrNone(d.ContentType)).
				WithFix("Have the IdP (or the proxy in front of it) serve the document as application/json.")}
		}
		return []checks.Finding{checks.Passf("Discovery document read from %s", d.URL)}
	},
}

// DiscoveryClock compares this machine's clock with the IdP's.
var DiscoveryClock = &checks.Check{
	ID:     "discovery.clock",
	Title:  "This machine's clock agrees with the IdP's",
	Doc:    "Compares this machine's clock with the Date header of the IdP's discovery response: ID tokens fail when the clocks differ by more than the 5 minutes the token checks allow (clock_skew).",
	Phase:  checks.PhaseDiscovery,
	Values: []checks.FieldKey{checks.Issuer},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, err := DiscoveryOf(ctx, p)
		if err != nil {
			return []checks.Finding{checks.Skipf("Not checked: the discovery document could not be read (see discovery.fetch).")}
		}
		if d.Date.IsZero() {
			return []checks.Finding{checks.Skipf("Not checked: the IdP's answer carries no Date header.")}
		}
		return []checks.Finding{ClockFinding(time.Since(d.Date), d.URL)}
	},
}

// ClockFinding judges offset, this machine's clock minus the IdP's as its
// Date header at url showed it (to the second), against the leeway the
// token checks allow.
func ClockFinding(offset time.Duration, url string) checks.Finding {
	offset = offset.Round(time.Second)
	abs, way := offset, "ahead of"
	if offset < 0 {
		abs, way = -offset, "behind"
	}
	tolerance := "ID tokens allow " + checks.MaxClockSkewWords
	if abs <= checks.MaxClockSkew {
		return checks.Passf("This machine's clock is within %s of the IdP's (%s)", max(abs, time.Second), tolerance)
	}
	return checks.Problem(checks.Fail, catalog.ClockSkew, fmt.Sprintf("This machine's clock is %s %s the IdP's", abs, way)).
		WithDetail(fmt.Sprintf("Measured from the Date header of %s; %s, so the ID token's iat and nbf fail (\"token used before issued\", \"not valid yet\") or it looks expired.", url, tolerance)).
		WithEvidence("within "+checks.MaxClockSkewWords, fmt.Sprintf("%s %s", abs, way))
}

// FetchFailure turns a fetch or decode error into a failing finding; the
// error itself goes into the evidence the caller adds.
func FetchFailure(title string, err error) checks.Finding {
	f := checks.Problem(checks.Fail, catalog.DiscoveryUnreachable, title)
	switch e := err.(type) {
	case *FetchError:
		f.Row = e.Row()
	case *DiscoveryError:
		if e.Row != "" {
			f.Row = e.Row
		}
	}
	return f
}

// DiscoveryIssuer compares the Issuer URL with discovery's.
var DiscoveryIssuer = &checks.Check{
	ID:       "discovery.issuer",
	Title:    "Issuer URL matches discovery's issuer exactly",
	Doc:      "Compares the Issuer URL as entered with the discovery document's issuer, byte for byte: the desktop app compares the token's iss claim with the value entered, and a trailing slash or a missing path makes a different issuer.",
	Phase:    checks.PhaseDiscovery,
	Values:   []checks.FieldKey{checks.Issuer},
	Requires: []*checks.Input{DiscoveryInput},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, _ := DiscoveryOf(ctx, p)
		got := p.Config.Issuer
		if d.Issuer == "" {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.TokenValidationFailure, "The discovery document has no issuer").
				WithEvidence("an issuer in the discovery document", "(none)")}
		}
		if got == d.Issuer {
			return []checks.Finding{checks.Passf("Issuer URL is exactly the IdP's issuer")}
		}
		f := checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL differs from the IdP's issuer").
			WithDetail("Tokens carry iss = "+d.Issuer+"; the desktop app compares it with the value entered, byte for byte, and rejects the sign-in.").
			WithEvidence(d.Issuer, got).
			WithFix("Recreate the extension access with the Issuer URL copied verbatim: " + d.Issuer)
		if p.IdP.IssuerHint != nil {
			if row, title, detail, ok := p.IdP.IssuerHint(got, d.Issuer); ok {
				f.Row, f.Title, f.Detail = row, "Issuer URL "+title, detail
				f.Fix = "Delete the extension access and recreate it with the Issuer URL " + d.Issuer
			}
		}
		return []checks.Finding{f}
	},
}

// DiscoveryEndpoints compares the endpoints with discovery's.
var DiscoveryEndpoints = &checks.Check{
	ID:       "discovery.endpoints",
	Title:    "Authorization and token endpoints match discovery",
	Doc:      "Compares the authorization and token endpoints as entered with the discovery document's. Google's token endpoint is compared without its client_secret query; behind the Cognito proxy the endpoints are expected to differ.",
	Phase:    checks.PhaseDiscovery,
	Values:   []checks.FieldKey{checks.Issuer},
	Requires: []*checks.Input{DiscoveryInput},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, _ := DiscoveryOf(ctx, p)
		var out []checks.Finding
		type pair struct{ label, entered, published string }
		tokenEntered := p.Config.TokenEndpoint
		if p.IdP.SecretInTokenURL {
			tokenEntered = checks.StripQuery(tokenEntered)
		}
		for _, e := range []pair{
			{"Authorization endpoint", p.Config.AuthorizationEndpoint, d.AuthorizationEndpoint},
			{"Token endpoint", tokenEntered, d.TokenEndpoint},
		} {
			switch {
			case e.entered == e.published:
			case p.IdP.Proxied != nil && p.IdP.Proxied(e.entered):
				// The proxy's endpoint, as the IdP's setup requires.
			case e.published == "":
				out = append(out, checks.Problem(checks.Warn, catalog.EndpointMismatch, "The discovery document does not publish the "+strings.ToLower(e.label)).
					WithEvidence(e.entered, "(none)"))
			default:
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, e.label+" differs from the discovery document").
					WithEvidence(e.published, e.entered).
					WithFix("Recreate the extension access with the "+strings.ToLower(e.label)+" copied verbatim from discovery: "+e.published))
			}
		}
		if len(out) == 0 {
			if p.IdP.Proxied != nil && p.IdP.Proxied(p.Config.AuthorizationEndpoint) {
				return []checks.Finding{checks.Passf("Endpoints point at the proxy; the issuer is %s's", p.IdP.Name)}
			}
			return []checks.Finding{checks.Passf("Authorization and token endpoints are exactly discovery's")}
		}
		return out
	},
}

// DiscoveryPKCE checks that PKCE S256 is supported.
var DiscoveryPKCE = &checks.Check{
	ID:       "discovery.pkce",
	Title:    "PKCE S256 is supported",
	Doc:      "Checks that code_challenge_methods_supported lists S256 when the document lists methods at all (Entra's omits the list while enforcing PKCE for public clients).",
	Phase:    checks.PhaseDiscovery,
	Values:   []checks.FieldKey{checks.Issuer},
	Requires: []*checks.Input{DiscoveryInput},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, _ := DiscoveryOf(ctx, p)
		m := d.CodeChallengeMethodsSupported
		switch {
		case m == nil:
			return []checks.Finding{checks.Passf("Discovery does not list PKCE methods (not required; the sign-in step proves PKCE)")}
		case slices.Contains(m, "S256"):
			return []checks.Finding{checks.Passf("PKCE S256 is supported")}
		}
		return []checks.Finding{checks.Problem(checks.Fail, catalog.PKCEUnsupported, "The IdP does not list PKCE S256").
			WithEvidence("code_challenge_methods_supported containing S256", fmt.Sprintf("%q", m))}
	},
}

// DiscoveryRefresh checks that refresh tokens are offered.
var DiscoveryRefresh = &checks.Check{
	ID:       "discovery.refresh",
	Title:    "offline_access and refresh tokens are offered",
	Doc:      "Where the document lists them, checks that scopes_supported has offline_access and grant_types_supported has refresh_token: the desktop app needs refresh tokens for long sessions. (Google takes access_type=offline instead; behind the Cognito proxy the scope is stripped.)",
	Phase:    checks.PhaseDiscovery,
	Values:   []checks.FieldKey{checks.Issuer},
	Requires: []*checks.Input{DiscoveryInput},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, _ := DiscoveryOf(ctx, p)
		var out []checks.Finding
		if !p.IdP.OfflineAccessNotListed && d.ScopesSupported != nil && !slices.Contains(d.ScopesSupported, "offline_access") {
			out = append(out, checks.Problem(checks.Warn, catalog.InvalidScope, "offline_access is not among the advertised scopes").
				WithDetail("The desktop app always asks for offline_access; an IdP that does not offer it refuses the sign-in or issues no refresh token.").
				WithEvidence("scopes_supported containing offline_access", fmt.Sprintf("%q", d.ScopesSupported)))
		}
		if d.GrantTypesSupported != nil && !slices.Contains(d.GrantTypesSupported, "refresh_token") {
			out = append(out, checks.Problem(checks.Warn, catalog.RefreshTokenMissing, "The refresh_token grant is not advertised").
				WithEvidence("grant_types_supported containing refresh_token", fmt.Sprintf("%q", d.GrantTypesSupported)))
		}
		if d.GrantTypesSupported != nil && !slices.Contains(d.GrantTypesSupported, "authorization_code") {
			out = append(out, checks.Problem(checks.Fail, catalog.InvalidScope, "The authorization_code grant is not advertised").
				WithEvidence("grant_types_supported containing authorization_code", fmt.Sprintf("%q", d.GrantTypesSupported)).
				WithFix("Enable the Authorization Code grant for this application and authorization server."))
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Refresh tokens are offered (or not listed)")}
		}
		return out
	},
}

// DiscoveryEmail checks that the email claim is offered.
var DiscoveryEmail = &checks.Check{
	ID:       "discovery.email_claim",
	Title:    "The email claim is offered",
	Doc:      "Where the document lists claims_supported, checks that email is among them: the desktop app maps the user by the ID token's email claim.",
	Phase:    checks.PhaseDiscovery,
	Values:   []checks.FieldKey{checks.Issuer},
	Requires: []*checks.Input{DiscoveryInput},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, _ := DiscoveryOf(ctx, p)
		if d.ClaimsSupported != nil && !slices.Contains(d.ClaimsSupported, "email") {
			return []checks.Finding{checks.Problem(checks.Warn, catalog.EmailClaimMissing, "email is not among the advertised claims").
				WithEvidence("claims_supported containing email", fmt.Sprintf("%q", d.ClaimsSupported))}
		}
		return []checks.Finding{checks.Passf("The email claim is offered (or claims are not listed)")}
	},
}

// IssuerOf returns the issuer of an issuer or discovery URL, as pasted.
func IssuerOf(issuerOrDiscoveryURL string) string {
	s := strings.TrimSpace(issuerOrDiscoveryURL)
	return strings.TrimSuffix(strings.TrimSuffix(s, "/.well-known/openid-configuration"), "/")
}
