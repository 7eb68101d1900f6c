package idp

import (
	"context"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Auth0 is Auth0 (Okta Customer Identity Cloud), whose issuer ends with a slash.
var Auth0 = &checks.IdP{
	ID:        "auth0",
	Name:      "Auth0",
	Codes:     "auth0.tsv",
	MatchHost: func(h string) bool { return strings.HasSuffix(h, ".auth0.com") },
	Markers:   []string{"auth0"},
	Hosted:    true,
	Guide: checks.Guide{
		Needs:    []string{"Auth0 Dashboard → Applications", "A Native application"},
		Requires: []string{"Allowed Callback URLs http://localhost:18080; Refresh Token grant on; an API that allows offline access.", "The issuer ends with a slash."},
		Where: map[checks.FieldKey]string{
			checks.Issuer:  "https://<TENANT>.auth0.com/ — with the trailing slash.",
			checks.JWKSURI: "https://<TENANT>.auth0.com/.well-known/jwks.json",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.AppNotEnabled:        "Applications → the application → Connections: enable the connection the users sign in with.",
		catalog.InvalidClient:        "Copy the Client ID from Applications → the Native application → Settings, in the tenant the issuer names.",
		catalog.RedirectMismatch:     "Applications → the Native application → Settings → Allowed Callback URLs: add exactly http://localhost:18080.",
		catalog.PublicClientDisabled: "Use a Native application; its Credentials tab → Authentication Method: None.",
		catalog.RefreshTokenMissing:  "Enable Allow Offline Access on the API and the Refresh Token grant on the application.",
	},
	Checks: []*checks.Check{checkAuth0Issuer},
	// Auth0's Universal Login error page.
	Wordings: []checks.Wording{
		// Universal Login's password-change page: the account's own state.
		{Row: catalog.IdPError, Pattern: `You need to update your password because this is the first time you are logging in`, Example: "You need to update your password because this is the first time you are logging in, or because your password has expired.", Weight: 0.9},
		{Row: catalog.IdPError, Pattern: `Service not found`, Example: "Service not found: https://api.acme.example", Weight: 0.85},
		{Row: catalog.PublicClientDisabled, Pattern: `access_denied\W{1,5}Unauthorized\b`, Example: "access_denied: Unauthorized", Weight: 0.8},
		{Row: catalog.RefreshTokenRejected, Pattern: `Grant type 'refresh_token' not allowed for the client|while trying to use the Refresh Token to renew`, Example: "Grant type 'refresh_token' not allowed for the client."},
		// As Auth0's error page shows it (pasted in public threads).
		{Row: catalog.InvalidClient, Pattern: `Unknown client: `,
			Example: "Oops!, something went wrong. invalid_request: Unknown client: n2j2pQXwj2Lf5I6Y8N1O0P"},
		{Row: catalog.IdPError, Pattern: `no connections enabled for the client`,
			Example: "invalid_request: no connections enabled for the client", Weight: 0.85},
		{Row: catalog.RedirectMismatch, Pattern: `Callback URL mismatch|is not in the list of allowed callback URLs`,
			Example: "Oops!, something went wrong. Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs.", Weight: 0.95},
	},
}

var checkAuth0Issuer = &checks.Check{
	ID:      "auth0.issuer",
	Title:   "Auth0 issuer keeps its trailing slash",
	Doc:     "Auth0's issuer ends with a slash (https://<tenant>.auth0.com/), and tokens carry it so; without it validation fails.",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("auth0"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		iss := checks.Clean(p.Config.Issuer)
		if iss != "" && !strings.HasSuffix(iss, "/") {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Auth0 issuer lacks its trailing slash").
				WithEvidence(iss+"/", p.Config.Issuer)}
		}
		return []checks.Finding{checks.Passf("Issuer URL ends with a slash, as Auth0's tokens do")}
	},
}
