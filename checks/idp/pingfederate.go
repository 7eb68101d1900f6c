package idp

import (
	"context"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// PingFederate is Ping Identity's self-hosted server, recognised by its paths.
var PingFederate = &checks.IdP{
	ID:    "pingfederate",
	Codes: "pingfederate.tsv",
	Name:  "PingFederate",
	MatchPath: func(p string) bool {
		return strings.HasPrefix(p, "/as/") && strings.HasSuffix(p, ".oauth2") || strings.EqualFold(p, "/pf/JWKS")
	},
	Markers:       []string{"pingfederate", "authorization.oauth2", "/pf/"},
	IssuerNoSlash: true,
	Guide: checks.Guide{
		Needs: []string{"PingFederate administrative console → Applications → OAuth → Clients", "The PingFederate host name"},
		Requires: []string{
			"Client Authentication None, Require PKCE, grants Authorization Code and Refresh Token, common scopes openid, email, profile, offline_access.",
			"OpenID Connect Policy: Return ID Token On Refresh Grant, and email in the attribute contract for first sign-in and refresh.",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "System → Server → Protocol Settings → Base URL (the discovery document's issuer).",
			checks.AuthorizationEndpoint: "https://<PINGFEDERATE_HOST>/as/authorization.oauth2",
			checks.TokenEndpoint:         "https://<PINGFEDERATE_HOST>/as/token.oauth2",
			checks.JWKSURI:               "https://<PINGFEDERATE_HOST>/pf/JWKS",
			checks.ClientID:              "The OAuth client's Client ID.",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://<PINGFEDERATE_HOST>",
			checks.AuthorizationEndpoint: "https://<PINGFEDERATE_HOST>/as/authorization.oauth2",
			checks.TokenEndpoint:         "https://<PINGFEDERATE_HOST>/as/token.oauth2",
			checks.JWKSURI:               "https://<PINGFEDERATE_HOST>/pf/JWKS",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:      "In the OAuth client, Redirection URIs: add exactly http://localhost:18080.",
		catalog.InvalidScope:          "In the OAuth client, grant the common scopes openid, email, profile and offline_access, and allow the Refresh Token grant.",
		catalog.PublicClientDisabled:  "In the OAuth client, set Client Authentication to None.",
		catalog.EmailClaimMissing:     "In the OIDC policy's Attribute Contract, include email and map it to the user's mail attribute.",
		catalog.RefreshTokenMissing:   "Allow the Refresh Token grant on the OAuth client and grant offline_access.",
		catalog.RefreshIDTokenMissing: "In OpenID Connect Policy Management, select Return ID Token On Refresh Grant in the client's OIDC policy.",
		catalog.RefreshEmailMissing:   "In the OIDC policy's Attribute Contract, map email so that it is produced for refresh token grants as well as the first sign-in.",
	},
	Checks: []*checks.Check{checkPingFederatePaths},
	Wordings: []checks.Wording{
		// PingFederate's sign-on page templates: the account's own trouble.
		{Row: catalog.IdPError, Pattern: `We didn.t recognize the username or password you entered|You are not allowed to sign on at this time|Your account is expired\. Please contact|Unexpected System Error|provide the reference number below to help locate`, Weight: 0.9,
			Example: "We didn't recognize the username or password you entered. Please try again."},
		// PingFederate's log and response texts.
		{Row: catalog.InvalidScope, Pattern: `exceeds that which the client is permitted to request`,
			Example: "The requested scope is invalid, unknown, malformed, or exceeds that which the client is permitted to request."},
		{Row: catalog.PKCEUnsupported, Pattern: `code_verifier sent does not match code_challenge`,
			Example: "The code_verifier sent does not match code_challenge included in the authorization request using the S256 code_challenge_method.", Weight: 0.85},
		{Row: catalog.InvalidClient, Pattern: `unknown or invalid client_id|client_id .* is (unknown|invalid)`,
			Example: "unknown or invalid client_id"},
		{Row: catalog.RedirectMismatch, Pattern: `redirect_uri .* (is not|not) (valid|allowed|registered)|Invalid Redirect URI`,
			Example: "Invalid Redirect URI"},
	},
}

var checkPingFederatePaths = &checks.Check{
	ID:      "pingfederate.paths",
	Title:   "PingFederate values on one host, in the standard paths",
	Doc:     "PingFederate serves /as/authorization.oauth2, /as/token.oauth2 and /pf/JWKS on the host named by its issuer (base URL); all values must be on that host.",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("pingfederate"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		var out []checks.Finding
		host := checks.HostOf(c.Issuer)
		want := map[checks.FieldKey]string{"authorization_endpoint": "/as/authorization.oauth2", "token_endpoint": "/as/token.oauth2", "jwks_uri": "/pf/JWKS"}
		for _, f := range urlFields(c)[1:] {
			u := checks.ParseURL(f.Value)
			if u == nil {
				continue
			}
			expected := "https://" + orPlaceholder(host, "<PINGFEDERATE_HOST>", nil) + want[f.Key]
			if host != "" && strings.ToLower(u.Host) != host {
				out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" is on another host than the issuer").WithEvidence(expected, f.Value))
			} else if u.Path != want[f.Key] {
				out = append(out, checks.Problem(checks.Warn, f.Row, f.Label+" is not PingFederate's standard path").
					WithDetail("Right only if your PingFederate publishes this path in its discovery document.").WithEvidence(expected, f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Values are on %s in PingFederate's standard paths", host)}
		}
		return out
	},
}
