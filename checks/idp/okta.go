package idp

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Okta is Okta, with its org authorization server (/oauth2/v1/…) and its
// custom servers (/oauth2/<id>/…, such as default), on okta.com or a custom domain.
var Okta = &checks.IdP{
	ID:    "okta",
	Codes: "okta.tsv",
	Name:  "Okta",
	MatchHost: func(h string) bool {
		return checks.HasAnySuffix(h, ".okta.com", ".oktapreview.com", ".okta-emea.com", ".okta-gov.com", ".okta.mil", ".trexcloud.com")
	},
	// A custom domain: the authorization servers' paths.
	MatchPath: func(p string) bool {
		return strings.HasPrefix(p, "/oauth2/default") || strings.HasPrefix(p, "/oauth2/aus") || strings.HasPrefix(p, "/oauth2/v1/")
	},
	Markers: []string{"okta"},
	// The Okta Sign-In Widget draws the form by script.
	LoginPage: regexp.MustCompile(`(?i)id=["']okta-sign-in["']|new OktaSignIn\b|okta-sign-in\.min\.js`),
	// The -admin host serves only the admin console: the org's own host
	// publishes the discovery document.
	DiscoveryIssuer: func(iss string) string { return strings.Replace(iss, "-admin.", ".", 1) },
	Hosted:          true,
	IssuerNoSlash:   true,
	LintClientID: func(id string, c checks.Config) []checks.Finding {
		switch {
		case strings.HasPrefix(id, "O"):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidClient, "Okta client ID starts with the letter O").
				WithEvidence("0"+id[1:], c.ClientID).
				WithDetail("Okta client IDs start with the digit zero (0oa…); with the letter O Okta answers 400 Bad Request at once.").
				WithFix("Copy the Client ID again from the app's General tab: it starts with the digit 0.")}
		case !oktaClientRE.MatchString(id):
			return []checks.Finding{checks.Problem(checks.Warn, catalog.InvalidClient, "Client ID does not look like an Okta client ID").
				WithDetail("Okta client IDs are 20 characters starting with 0oa.").WithEvidence("0oa…", id)}
		}
		return nil
	},
	ShortHostFix: func(host string) string {
		return fmt.Sprintf("Use the full Okta domain, e.g. https://%s.okta.com, as the discovery document shows it.", host)
	},
	Guide: checks.Guide{
		Needs: []string{"Okta Admin Console → Applications", "Your Okta org domain (your-org.okta.com, never the -admin host)"},
		Requires: []string{
			"A Native application, client authentication None, PKCE required, grants Authorization Code and Refresh Token.",
			"Security → API → Authorization Servers → (default): scopes openid, email, profile, offline_access enabled; an access policy rule allowing this app both grants.",
			"All five values from one authorization server (do not mix /oauth2/v1/… with /oauth2/default/…).",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "Security → API → Authorization Servers → default → Issuer URI.",
			checks.AuthorizationEndpoint: "From https://<OKTA_DOMAIN>/oauth2/default/.well-known/openid-configuration → authorization_endpoint.",
			checks.TokenEndpoint:         "Same discovery document → token_endpoint.",
			checks.JWKSURI:               "Same discovery document → jwks_uri.",
			checks.ClientID:              "The app integration's General tab → Client ID (starts with the digit 0).",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://<OKTA_DOMAIN>/oauth2/default",
			checks.AuthorizationEndpoint: "https://<OKTA_DOMAIN>/oauth2/default/v1/authorize",
			checks.TokenEndpoint:         "https://<OKTA_DOMAIN>/oauth2/default/v1/token",
			checks.JWKSURI:               "https://<OKTA_DOMAIN>/oauth2/default/v1/keys",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:     "In the Native app integration, General → LOGIN → Sign-in redirect URIs: add exactly http://localhost:18080.",
		catalog.InvalidClient:        "Copy the Client ID from the app integration's General tab; it starts with the digit 0 (0oa…), never the letter O.",
		catalog.InvalidScope:         "Security → API → Authorization Servers → (your server) → Scopes: enable offline_access; Access Policies: the rule for this app must allow Authorization Code and Refresh Token.",
		catalog.AccessDeniedPolicy:   "Assign the app to the user or group, and in Security → API → Authorization Servers → Access Policies add a rule for this app allowing Authorization Code and Refresh Token.",
		catalog.PublicClientDisabled: "Use a Native application with Client authentication = None (public client).",
		catalog.EmailClaimMissing:    "Grant the email scope on the authorization server and make sure the user's profile has an email.",
		catalog.RefreshTokenMissing:  "Enable the Refresh Token grant on the app and allow it in the authorization server's access policy; grant offline_access.",
	},
	Checks: []*checks.Check{checkOktaHost, checkOktaAuthServer},
	Wordings: []checks.Wording{
		// Identity Engine: the policy wants an authenticator the user has
		// not enrolled, an enrollment-policy matter, not the app's access.
		{Row: catalog.IdPError, Pattern: `current set of available authenticator enrollments`, Weight: 0.9,
			Example: "Access has been denied because the policy requirements could not be satisfied by the users' current set of available authenticator enrollments."},
		{Row: catalog.AccessDeniedPolicy, Pattern: `App Not Assigned|not assigned this app`, Example: "403 App Not Assigned", Weight: 0.95},
		{Row: catalog.InvalidScope, Pattern: `may not include the offline_access scope`, Example: "Browser requests to the token endpoint may not include the offline_access scope.", Weight: 0.95},
		{Row: catalog.UserinfoUnauthorized, Pattern: `access token provided has an invalid issuer`, Example: "The access token provided has an invalid issuer.", Weight: 0.92},
		{Row: catalog.RedirectMismatch, Pattern: `redirect_uri'? parameter must be a Login redirect URI`,
			Example: "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"},
		{Row: catalog.InvalidClient, Pattern: `Invalid value for 'client_id' parameter`,
			Example: "Invalid value for 'client_id' parameter."},
		{Row: catalog.AccessDeniedPolicy, Pattern: `Policy evaluation failed`,
			Example: "Policy evaluation failed for this request, please check the policy configurations."},
		// The System Log's sign-on policy outcome, and the Identity Engine's
		// error code for an unassigned user.
		{Row: catalog.AccessDeniedPolicy, Pattern: `policy evaluation resulted in DENY|\bpolicy\.evaluate_sign_on\b.{0,200}\bDENY\b|\buser_not_assigned\b`,
			Example: "_time action eventType outcome.reason client.geographicalContext.country  2022-04-04 19:59:54.257 success policy.evaluate_sign_on Sign-on policy evaluation resulted in DENY United States", Weight: 0.93},
		{Row: catalog.AccessDeniedPolicy, Pattern: `User is not assigned to the client application`,
			Example: "User is not assigned to the client application."},
		{Row: catalog.InvalidScope, Pattern: `scopes are not configured for the authorization server`,
			Example: "One or more scopes are not configured for the authorization server resource."},
		{Row: catalog.PublicClientDisabled, Pattern: `Client authentication failed`,
			Example: "Client authentication failed. Either the client or the client credentials are invalid."},
		{Row: catalog.PKCEUnsupported, Pattern: `must use Proof Key for Code Exchange|PKCE code challenge is required when the token endpoint authentication method is`,
			Example: "Browser requests to the token endpoint must use Proof Key for Code Exchange.", Weight: 0.92},
		{Row: catalog.AccessDeniedPolicy, Pattern: `You are not allowed to access this app`,
			Example: "You are not allowed to access this app. To request access, contact an admin.", Weight: 0.92},
		{Row: catalog.RefreshTokenRejected, Pattern: `refresh token is invalid or expired`,
			Example: "The refresh token is invalid or expired."},
		{Row: catalog.OktaAdminHost, Pattern: `-admin\.okta(preview)?\.com.{0,200}(404|Page Not Found)|(404|Page Not Found).{0,200}-admin\.okta(preview)?\.com`,
			Example: "404 Page Not Found https://acme-admin.okta.com/oauth2/default/v1/authorize", Weight: 0.95},
		// The admin host in the sign-in's own requests (the authorize, token or
		// discovery URL, the issuer): the values were copied from the admin console.
		{Row: catalog.OktaAdminHost, Pattern: `(oauth2|openid-configuration|authorize|issuer).{0,200}\b[\w-]+-admin\.okta(preview|-emea)?\.com\b|\b[\w-]+-admin\.okta(preview|-emea)?\.com\S{0,200}(oauth2|openid-configuration|authorize)|Org URL should not contain -admin`, Weight: 0.93,
			Example: "GET /oauth2/default/.well-known/openid-configuration HTTP/1.1 Host: dev-123456-admin.okta.com"},
	},
}

var oktaClientRE = regexp.MustCompile(`^0oa[0-9A-Za-z]{14,}$`)

// oktaServer returns which authorization server an Okta URL belongs to:
// "org" for /oauth2/v1/…, the server id for /oauth2/<id>/…, "" if unknown.
func oktaServer(v string, isIssuer bool) string {
	seg := checks.Segments(v)
	if isIssuer {
		switch {
		case len(seg) == 0:
			return "org"
		case len(seg) >= 2 && seg[0] == "oauth2":
			return seg[1]
		}
		return ""
	}
	if len(seg) >= 2 && seg[0] == "oauth2" {
		if seg[1] == "v1" {
			return "org"
		}
		return seg[1]
	}
	return ""
}

func oktaServerName(s string) string {
	if s == "org" {
		return "the org authorization server (/oauth2/v1/…)"
	}
	return "the custom authorization server " + s + " (/oauth2/" + s + "/…)"
}

var checkOktaHost = &checks.Check{
	ID:      "okta.host",
	Title:   "Okta values use the org URL, one host",
	Doc:     "The -admin host serves only the admin console (404 on /oauth2/…); all four URLs must be on the same Okta org host.",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("okta"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		var out []checks.Finding
		issuerHost := checks.HostOf(p.Config.Issuer)
		for _, f := range urlFields(p.Config) {
			h := checks.HostOf(f.Value)
			if h == "" {
				continue
			}
			if i := strings.Index(h, "-admin."); i > 0 {
				fixed := strings.Replace(checks.Clean(f.Value), "-admin.", ".", 1)
				out = append(out, checks.Problem(checks.Fail, catalog.OktaAdminHost, f.Label+" uses the -admin host").
					WithDetail(h+" serves only the Okta admin console; its /oauth2/ paths answer 404 Page Not Found.").
					WithEvidence(fixed, f.Value).WithFix("Use the org URL without -admin: "+fixed))
				continue
			}
			if f.Key != checks.Issuer && issuerHost != "" && h != issuerHost && !strings.Contains(issuerHost, "-admin.") {
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, f.Label+" is on another host than the issuer").
					WithEvidence("https://"+issuerHost+"/…", f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("All values are on the org host %s", issuerHost)}
		}
		return out
	},
}

var checkOktaAuthServer = &checks.Check{
	ID:      "okta.auth_server",
	Title:   "Okta values come from one authorization server",
	Doc:     "Okta's org authorization server (/oauth2/v1/…) and each custom server (/oauth2/<id>/…, such as default) sign with their own keys and accept only their own tokens. Issuer, endpoints and JWKS must all belong to one server, or validation fails (JWKS) and userinfo answers 401.",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("okta"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		iss := oktaServer(c.Issuer, true)
		if iss == "" {
			return []checks.Finding{checks.Problem(checks.Warn, catalog.TokenValidationFailure, "Issuer URL is not an Okta authorization server's issuer").
				WithEvidence("https://<OKTA_DOMAIN>/oauth2/default", c.Issuer).
				WithDetail("Okta issuers are https://<domain> (org server) or https://<domain>/oauth2/<server id>.")}
		}
		var out []checks.Finding
		suffix := map[checks.FieldKey]string{"authorization_endpoint": "/v1/authorize", "token_endpoint": "/v1/token", "jwks_uri": "/v1/keys"}
		// Expected values are the org's own (okta.host reports -admin).
		base := strings.TrimSuffix(strings.Replace(checks.Clean(c.Issuer), "-admin.", ".", 1), "/")
		if iss == "org" {
			base += "/oauth2"
		}
		for _, f := range urlFields(c)[1:] {
			s := oktaServer(f.Value, false)
			want := base + suffix[f.Key]
			if s == "" || s == iss {
				if s == iss && checks.ParseURL(f.Value) != nil && !strings.HasSuffix(strings.TrimSuffix(checks.ParseURL(f.Value).Path, "/"), suffix[f.Key]) {
					out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" has an unexpected path").WithEvidence(want, f.Value))
				}
				continue
			}
			detail := fmt.Sprintf("The issuer is %s, but this value belongs to %s.", oktaServerName(iss), oktaServerName(s))
			switch f.Key {
			case "jwks_uri":
				out = append(out, checks.Problem(checks.Fail, catalog.JWKSMismatch, "JWKS URI is another authorization server's").
					WithDetail(detail+" Its keys do not sign this issuer's tokens, so validation fails.").WithEvidence(want, f.Value))
			case "token_endpoint":
				out = append(out, checks.Problem(checks.Fail, catalog.UserinfoUnauthorized, "Token endpoint is another authorization server's").
					WithDetail(detail+" Its tokens are rejected by this issuer's userinfo endpoint (HTTP 401) and fail validation.").WithEvidence(want, f.Value))
			default:
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, "Authorization endpoint is another authorization server's").
					WithDetail(detail).WithEvidence(want, f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("All values belong to %s", oktaServerName(iss))}
		}
		return out
	},
}
