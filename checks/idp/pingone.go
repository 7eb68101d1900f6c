package idp

import (
	"context"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// PingOne is Ping Identity's cloud service, one domain per region.
var PingOne = &checks.IdP{
	ID:             "pingone",
	Codes:          "pingone.tsv",
	Name:           "PingOne",
	MatchHost:      isPingOneHost,
	Markers:        []string{"pingone"},
	Hosted:         true,
	IssuerNoSlash:  true,
	TenantInIssuer: true,
	LintClientID: func(id string, c checks.Config) []checks.Finding {
		switch {
		case !guidRE.MatchString(id):
			return []checks.Finding{checks.Problem(checks.Warn, catalog.InvalidClient, "PingOne client ID is not a GUID").WithEvidence("the application's Client ID, a GUID", id)}
		case strings.EqualFold(id, pingOneEnv(c.Issuer)):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidClient, "Client ID is the environment ID").
				WithEvidence("the application's Client ID", c.ClientID).
				WithFix("Copy the Client ID from the application's Configuration tab, not the Environment ID.")}
		}
		return nil
	},
	Guide: checks.Guide{
		Needs: []string{"PingOne admin console → Applications", "The Environment ID and your region's domain (.com, .eu, .ca, .asia, .com.au)"},
		Requires: []string{
			"A Native application, Refresh Token grant enabled, resources openid, email, profile, offline_access.",
			"Attribute mapping email → the user's email; the application toggled Enabled.",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "The application's Configuration tab → Issuer.",
			checks.AuthorizationEndpoint: "Configuration tab → Authorization URL.",
			checks.TokenEndpoint:         "Configuration tab → Token Endpoint.",
			checks.JWKSURI:               "Configuration tab → JWKS Endpoint.",
			checks.ClientID:              "Configuration tab → Client ID (not the Environment ID).",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://auth.pingone.com/<ENV_ID>/as",
			checks.AuthorizationEndpoint: "https://auth.pingone.com/<ENV_ID>/as/authorize",
			checks.TokenEndpoint:         "https://auth.pingone.com/<ENV_ID>/as/token",
			checks.JWKSURI:               "https://auth.pingone.com/<ENV_ID>/as/jwks",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:     "In the Native application's Configuration tab, Redirect URIs: add exactly http://localhost:18080.",
		catalog.InvalidScope:         "In the application's Resources tab, add openid, email, profile and offline_access.",
		catalog.PublicClientDisabled: "Use a Native application with Token Endpoint Authentication Method = None.",
		catalog.EmailClaimMissing:    "In the application's Attribute Mappings, map email to the user's email address.",
		catalog.RefreshTokenMissing:  "Enable the Refresh Token grant type and add offline_access on the Resources tab.",
	},
	Checks: []*checks.Check{checkPingOneEnvironment},
	Wordings: []checks.Wording{
		// A locked account. (PingOne's request-validation page is a clue in
		// package triage: it names no parameter.)
		{Row: catalog.IdPError, Pattern: `Too many unsuccessful sign-on attempts|Account is now locked`, Weight: 0.9,
			Example: "Too many unsuccessful sign-on attempts. Account is now locked."},
		// PingOne's documentation and its own tests.
		{Row: catalog.InvalidScope, Pattern: `May not request scopes for multiple resources|At least one scope must be granted`,
			Example: "error=invalid_scope&error_description=May not request scopes for multiple resources", Weight: 0.85},
		{Row: catalog.PublicClientDisabled, Pattern: `Request denied: Unsupported authentication method`,
			Example: `oauth2: "invalid_client" "Request denied: Unsupported authentication method (Correlation ID: 5c8a…)"`, Weight: 0.85},
		{Row: catalog.AppNotEnabled, Pattern: `application is (not enabled|disabled)`,
			Example: "The application is disabled."},
		{Row: catalog.RedirectMismatch, Pattern: `redirect[_ ]uri (mismatch|is not valid|does not match)`,
			Example: "Redirect URI mismatch"},
		// An INVALID_DATA answer names the offending parameter in details[].target.
		{Row: catalog.RedirectMismatch, Pattern: `target\W{1,6}redirect_uri\b`,
			Example: `{"code":"INVALID_DATA","details":[{"code":"INVALID_VALUE","target":"redirect_uri","message":"Redirect URI mismatch"}]}`, Weight: 0.92},
		{Row: catalog.InvalidClient, Pattern: `target\W{1,6}client_id\b`,
			Example: `{"code":"INVALID_DATA","details":[{"code":"INVALID_VALUE","target":"client_id"}]}`, Weight: 0.9},
		{Row: catalog.InvalidScope, Pattern: `target\W{1,6}scope\b`,
			Example: `{"code":"INVALID_DATA","details":[{"code":"INVALID_VALUE","target":"scope"}]}`, Weight: 0.9},
		{Row: catalog.UnknownTenant, Pattern: `environment .{0,60}(not found|does not exist)`,
			Example: "The environment 5e2f… was not found", Weight: 0.85},
	},
}

// pingOneEnv returns the environment id of a PingOne URL ("" if none).
func pingOneEnv(v string) string {
	if !isPingOneHost(checks.HostOf(v)) {
		return ""
	}
	if s := checks.Segments(v); len(s) > 0 {
		return s[0]
	}
	return ""
}

var checkPingOneEnvironment = &checks.Check{
	ID:      "pingone.environment",
	Title:   "PingOne values share one region and environment",
	Doc:     "PingOne's domain depends on the region (auth.pingone.com, .eu, .ca, .asia, .com.au); all four URLs must use the same regional domain and the same environment ID, in the documented paths (/<env>/as, /as/authorize, /as/token, /as/jwks).",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("pingone"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		var out []checks.Finding
		host, env := checks.HostOf(c.Issuer), pingOneEnv(c.Issuer)
		if env != "" && !guidRE.MatchString(env) {
			out = append(out, checks.Problem(checks.Fail, catalog.UnknownTenant, "Issuer URL does not name an environment ID").
				WithDetail("PingOne URLs start with the environment ID, a GUID, after the domain.").WithEvidence("https://"+host+"/<ENV_ID>/as", c.Issuer))
		}
		want := map[checks.FieldKey]string{"issuer": "as", "authorization_endpoint": "as/authorize", "token_endpoint": "as/token", "jwks_uri": "as/jwks"}
		for _, f := range urlFields(c) {
			if !isPingOneHost(checks.HostOf(f.Value)) {
				continue
			}
			seg := checks.Segments(f.Value)
			expected := "https://" + host + "/" + orPlaceholder(env, "<ENV_ID>", nil) + "/" + want[f.Key]
			switch {
			case checks.HostOf(f.Value) != host:
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, f.Label+" uses another regional domain than the issuer").
					WithDetail("Each PingOne region has its own domain; an environment exists in one region only.").WithEvidence(expected, f.Value))
			case len(seg) > 0 && env != "" && !strings.EqualFold(seg[0], env):
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, f.Label+" names another environment than the issuer").
					WithEvidence(expected, f.Value))
			case len(seg) > 0 && strings.Join(seg[1:], "/") != want[f.Key]:
				out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" has an unexpected path").WithEvidence(expected, f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("All values name environment %s on %s", env, host)}
		}
		return out
	},
}

func isPingOneHost(h string) bool {
	return strings.HasPrefix(h, "auth.pingone.") || strings.HasPrefix(h, "auth.ping-") ||
		checks.HasAnySuffix(h, ".pingone.com", ".pingone.eu", ".pingone.ca", ".pingone.asia", ".pingone.com.au", ".pingone.sg")
}
