package idp

import (
	"context"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Google is Google Workspace (Google Cloud OAuth clients of type Desktop app).
var Google = &checks.IdP{
	ID:    "google",
	Codes: "google.tsv",
	Name:  "Google Workspace",
	MatchHost: func(h string) bool {
		return h == "accounts.google.com" || strings.HasSuffix(h, ".googleapis.com")
	},
	Markers:       []string{"google", "googleapis", "gocspx"},
	Hosted:        true,
	IssuerNoSlash: true,
	// Google rejects offline_access; the desktop app asks with
	// access_type=offline, and prompt=consent to be sure of a refresh token.
	Scopes:                 []string{"openid", "email", "profile"},
	AuthParams:             map[string]string{"access_type": "offline", "prompt": "consent"},
	OfflineAccessNotListed: true,
	// Desktop clients must send their secret at the token endpoint, and the
	// desktop app sends only what the token endpoint URL carries.
	SecretInTokenURL: true,
	TokenErrors:      map[string]catalog.ID{"invalid_client": catalog.GoogleClientSecretMissing},
	LintClientID: func(id string, c checks.Config) []checks.Finding {
		if !strings.HasSuffix(id, ".apps.googleusercontent.com") {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidClient, "Google client ID is incomplete").
				WithEvidence("<number>-<id>.apps.googleusercontent.com", c.ClientID).
				WithFix("Copy the whole Client ID of the Desktop OAuth client, ending in .apps.googleusercontent.com.")}
		}
		return nil
	},
	Guide: checks.Guide{
		Needs: []string{"Google Cloud Console → APIs & Services → Credentials", "An OAuth client of type Desktop app, with its client secret"},
		Requires: []string{
			"OAuth consent screen user type Internal; scopes openid, email, profile.",
			"The token endpoint carries the client secret: https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>.",
			"The app asks Google with access_type=offline (Google rejects offline_access).",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "Always https://accounts.google.com.",
			checks.AuthorizationEndpoint: "Always https://accounts.google.com/o/oauth2/v2/auth.",
			checks.TokenEndpoint:         "https://oauth2.googleapis.com/token with ?client_secret= and the OAuth client's secret appended.",
			checks.JWKSURI:               "Always https://www.googleapis.com/oauth2/v3/certs.",
			checks.ClientID:              "Credentials → the Desktop OAuth client → Client ID (ends in .apps.googleusercontent.com).",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://accounts.google.com",
			checks.AuthorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth",
			checks.TokenEndpoint:         "https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>",
			checks.JWKSURI:               "https://www.googleapis.com/oauth2/v3/certs",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:    "Create the OAuth client with application type Desktop app; desktop clients accept the loopback redirect without registering it.",
		catalog.AccessDeniedPolicy:  "Set the OAuth consent screen's user type to Internal and sign in with a Workspace account of that organization; check API access controls in the Admin console.",
		catalog.RefreshTokenMissing: "The app asks with access_type=offline; if a user consented before, revoke the app's access in the Google account and sign in again.",
	},
	Checks: []*checks.Check{checkGoogleValues},
	Wordings: []checks.Wording{
		// Google's policy page, which in a sign-in is most often the redirect
		// URI (http, not registered); its Request details name it.
		{Row: catalog.RedirectMismatch, Pattern: `(does not|doesn.t) comply with Google.s OAuth 2\.0 policy|no cumple con la política OAuth 2\.0 de Google`, Weight: 0.85,
			Example: "You cannot log into this app because it does not comply with Google's OAuth 2.0 policy. If you are the app developer, register the redirect URI in the Google Cloud Console."},
		// An app in Testing (or unverified) that the user is no tester of.
		{Row: catalog.AccessDeniedPolicy, Pattern: `has not completed the Google verification process|only available to testers approved by the developer`, Weight: 0.92,
			Example: `Access Denied: "Quick" has not completed the Google verification process. This app is under testing and is only available to testers approved by the developer.`},
		// The loopback redirect is refused for client types other than
		// "Desktop app" (Google's loopback IP address flow migration).
		{Row: catalog.RedirectMismatch, Pattern: `loopback flow has been blocked|Loopback IP Address flow migration`, Weight: 0.93,
			Example: "The loopback flow has been blocked in order to keep users secure."},
		{Row: catalog.IdPError, Pattern: `Malformed auth code`, Weight: 0.9,
			Example: "oauth2: cannot fetch token: Malformed auth code."},
		{Row: catalog.RedirectMismatch, Pattern: `redirect_uri_mismatch`,
			Example: "Error 400: redirect_uri_mismatch"},
		{Row: catalog.RedirectMismatch, Pattern: `doesn.t comply with Google.s OAuth 2\.0 policy`,
			Example: "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy for keeping apps secure."},
		{Row: catalog.InvalidClient, Pattern: `OAuth client was not found|Error 401: invalid_client`,
			Example: "The OAuth client was not found. Error 401: invalid_client"},
		{Row: catalog.GoogleClientSecretMissing, Pattern: `client_secret is missing`,
			Example: "client_secret is missing."},
		{Row: catalog.AccessDeniedPolicy, Pattern: `org_internal|admin_policy_enforced`,
			Example: "Error 403: org_internal"},
		{Row: catalog.InvalidScope, Pattern: `invalid=\[offline_access\]`,
			Example: "Error 400: invalid_scope Some requested scopes were invalid. {valid=[openid, …], invalid=[offline_access]}"},
		{Row: catalog.RefreshTokenRejected, Pattern: `Token has been expired or revoked`,
			Example: "Token has been expired or revoked."},
	},
}

var checkGoogleValues = &checks.Check{
	ID:      "google.values",
	Title:   "Google values, with the client secret in the token URL",
	Doc:     "Google's issuer is exactly https://accounts.google.com; desktop clients must send their client secret at the token endpoint even with PKCE, and the desktop app sends it only as the token endpoint's client_secret query parameter.",
	Phase:   checks.PhaseValues,
	Applies: is("google"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		var out []checks.Finding
		// On loopback, a practice IdP stands in for Google: shapes, not hosts.
		standIn := checks.OnLoopback(c.Issuer)
		if want := checks.StandIn(c.Issuer, "https://accounts.google.com"); checks.Clean(c.Issuer) != want && checks.Clean(c.Issuer) != "" {
			out = append(out, checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL is not Google's issuer").
				WithEvidence(want, c.Issuer))
		}
		u := checks.ParseURL(c.TokenEndpoint)
		if u != nil {
			secret := u.Query().Get("client_secret")
			switch {
			case !u.Query().Has("client_secret"):
				out = append(out, checks.Problem(checks.Fail, catalog.GoogleClientSecretMissing, "Token endpoint lacks ?client_secret=").
					WithDetail("Google answers \"client_secret is missing.\" at the token exchange: desktop OAuth clients must send their secret, and the desktop app sends only what the token endpoint URL carries.").
					WithEvidence("https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>", c.TokenEndpoint))
			case secret == "" || checks.Placeholder.MatchString(secret):
				out = append(out, checks.Problem(checks.Fail, catalog.GoogleClientSecretMissing, "Token endpoint's client_secret is empty or a placeholder").
					WithEvidence("https://oauth2.googleapis.com/token?client_secret=<your client secret>", c.TokenEndpoint))
			case c.ClientSecret != "" && c.ClientSecret != secret:
				out = append(out, checks.Problem(checks.Warn, catalog.GoogleClientSecretMissing, "The token endpoint's client_secret differs from the client secret given").
					WithDetail("The desktop app sends the one in the URL.").WithEvidence("the same secret", "two different secrets"))
			}
			if !(strings.EqualFold(u.Host, "oauth2.googleapis.com") || standIn && checks.IsLoopback(u.Hostname())) || u.Path != "/token" {
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, "Token endpoint is not Google's").
					WithEvidence("https://oauth2.googleapis.com/token?client_secret=…", checks.StripQuery(checks.Clean(c.TokenEndpoint))))
			}
		}
		if a, want := checks.Clean(c.AuthorizationEndpoint), checks.StandIn(c.AuthorizationEndpoint, "https://accounts.google.com/o/oauth2/v2/auth"); a != "" && a != want {
			out = append(out, checks.Problem(checks.Warn, catalog.EndpointMismatch, "Authorization endpoint is not the one Google's discovery publishes").
				WithEvidence(want, c.AuthorizationEndpoint))
		}
		if j, want := checks.Clean(c.JWKSURI), checks.StandIn(c.JWKSURI, "https://www.googleapis.com/oauth2/v3/certs"); j != "" && j != want {
			out = append(out, checks.Problem(checks.Fail, catalog.JWKSMismatch, "JWKS URI is not Google's").
				WithEvidence(want, c.JWKSURI))
		}
		if len(out) == 0 && standIn {
			return []checks.Finding{checks.Passf("Google values are in Google's shapes, with the client secret in the token URL (the host, on this machine's loopback, taken as a stand-in for Google's)")}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Google values are as Google publishes them, with the client secret in the token URL")}
		}
		return out
	},
}
