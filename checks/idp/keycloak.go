package idp

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Keycloak is Keycloak (and Red Hat's build of it), self-hosted: one issuer
// per realm, https://<host>/realms/<realm> (before version 17, and on
// servers started with --http-relative-path=/auth, https://<host>/auth/realms/<realm>).
var Keycloak = &checks.IdP{
	ID:        "keycloak",
	Codes:     "keycloak.tsv",
	Name:      "Keycloak",
	MatchPath: func(p string) bool { return keycloakPathRE.MatchString(p) },
	Markers:   []string{"keycloak", "/realms/", "protocol/openid-connect"},
	// Its issuer has no trailing slash; an unknown realm answers discovery
	// with 404 {"error":"Realm does not exist"}.
	IssuerNoSlash:  true,
	TenantInIssuer: true,
	// With Client authentication on, the token endpoint answers
	// unauthorized_client "Invalid client or Invalid client credentials";
	// without the offline_access role or scope, not_allowed "Offline tokens
	// not allowed for the user or client".
	TokenErrors: map[string]catalog.ID{"unauthorized_client": catalog.PublicClientDisabled, "not_allowed": catalog.InvalidScope},
	Guide: checks.Guide{
		Needs: []string{"Keycloak admin console → your realm → Clients", "The realm's name and the server's public host name"},
		Requires: []string{
			"A client of type OpenID Connect with Client authentication Off (public client) and Standard flow on.",
			"Valid redirect URIs: exactly http://localhost:18080 (Keycloak compares exactly, letter case included).",
			"PKCE method (Advanced → Proof Key for Code Exchange Code Challenge Method on older consoles): S256, or blank.",
			"Client scopes: email and profile as Default, offline_access as Optional; users need the realm role offline_access (given by default-roles-<realm>).",
			"Every user has an email address, exactly as provisioned in the account.",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "Realm settings → General → Endpoints → OpenID Endpoint Configuration → issuer (https://<host>/realms/<realm>).",
			checks.AuthorizationEndpoint: "The same document → authorization_endpoint.",
			checks.TokenEndpoint:         "The same document → token_endpoint.",
			checks.JWKSURI:               "The same document → jwks_uri.",
			checks.ClientID:              "Clients → the client → Settings → Client ID (the name you gave it, not the id in the console's URL).",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://<HOST>/realms/<REALM>",
			checks.AuthorizationEndpoint: "https://<HOST>/realms/<REALM>/protocol/openid-connect/auth",
			checks.TokenEndpoint:         "https://<HOST>/realms/<REALM>/protocol/openid-connect/token",
			checks.JWKSURI:               "https://<HOST>/realms/<REALM>/protocol/openid-connect/certs",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:       "Clients → the client → Settings → Access settings → Valid redirect URIs: add exactly http://localhost:18080.",
		catalog.InvalidClient:          "Copy the Client ID from Clients → the client → Settings, in the realm the issuer names.",
		catalog.AppNotEnabled:          "Clients → the client → Settings: turn Enabled on.",
		catalog.InvalidScope:           "Clients → the client → Client scopes: add offline_access (Optional), email and profile (Default); give the users the realm role offline_access (Realm settings → User registration → Default roles).",
		catalog.PublicClientDisabled:   "Clients → the client → Settings → Capability config: turn Client authentication Off (a public client).",
		catalog.PKCEUnsupported:        "Clients → the client → Advanced → PKCE method (Proof Key for Code Exchange Code Challenge Method): S256, or leave it blank.",
		catalog.RefreshTokenMissing:    "Give the client the offline_access client scope (Optional) and the users the realm role offline_access.",
		catalog.RefreshTokenRejected:   "Sign in again; review Realm settings → Sessions (SSO Session Idle/Max, Offline Session Idle) and the client's session settings.",
		catalog.EmailClaimMissing:      "Clients → the client → Client scopes: add email as Default; fill in each user's Email (Users → the user → Details).",
		catalog.UnknownTenant:          "Use the realm's own issuer, https://<host>/realms/<realm> (with /auth before realms only on servers that still use it): the realm name is case-sensitive.",
		catalog.ConsentRequired:        "Clients → the client → Settings → Login settings: turn Consent required off, or have the user accept the consent screen.",
		catalog.AccessDeniedPolicy:     "Clients → the client → Settings → Capability config: turn Standard flow on.",
		catalog.TokenValidationFailure: "Copy issuer from Realm settings → Endpoints → OpenID Endpoint Configuration: https://<host>/realms/<realm>, no trailing slash.",
	},
	Checks: []*checks.Check{checkKeycloakPaths},
	// From Keycloak's login messages (messages_en.properties) and its
	// endpoints' error responses.
	Wordings: []checks.Wording{
		// The server's own log lines: an authorization code redeemed twice,
		// a login whose authentication session is gone (the login page
		// left open, a lost cookie), a refresh the server refused.
		{Row: catalog.IdPError, Pattern: `Code '[^']{0,80}' already used for userSession`, Weight: 0.9,
			Example: "WARN  [org.keycloak.protocol.oidc.utils.OAuth2CodeParser] (executor-thread-27) Code 'b199dad6' already used for userSession '463987a6' and client '9f330c7c'."},
		{Row: catalog.IdPError, Pattern: `Authentication session not found|KC_RESTART cookie|\bPage has expired\b`, Weight: 0.85,
			Example: "DEBUG [org.keycloak.services.resources.SessionCodeChecks] Authentication session not found. Trying to restart from cookie."},
		// The realm's "Require SSL" refusing a plain-http request it does not
		// count as local: Keycloak's page, quoted or named (other servers say
		// "HTTPS required for" a redirect URI, which is not this).
		{Row: catalog.IdPError, Pattern: "We are sorry\\W{1,12}HTTPS required|[`'\"]HTTPS required[`'\"]|\\bKeycloak\\b.{0,120}\\bHTTPS required\\b|\\bHTTPS required\\b.{0,120}\\bKeycloak\\b", Weight: 0.88,
			Example: "We are sorry... HTTPS required"},
		{Row: catalog.RefreshTokenRejected, Pattern: `type="?REFRESH_TOKEN_ERROR\b`, Weight: 0.86,
			Example: "WARN  [org.keycloak.events] type=REFRESH_TOKEN_ERROR, realmId=acme, clientId=quick-desktop, error=invalid_token, grant_type=refresh_token"},
		// The offline session behind an offline_access refresh token is gone
		// (expired, revoked, the server restarted without persisting it).
		{Row: catalog.RefreshTokenRejected, Pattern: `Offline user session not found|Offline session not active`, Weight: 0.93,
			Example: `Refresh token got rejected with "Invalid_grant and Offline user session not found"`},
		{Row: catalog.RedirectMismatch, Pattern: `Invalid parameter: ?redirect_uri`,
			Example: "We are sorry... Invalid parameter: redirect_uri", Weight: 0.95},
		{Row: catalog.InvalidClient, Pattern: `Client not found\.`,
			Example: "We are sorry... Client not found.", Weight: 0.95},
		{Row: catalog.AppNotEnabled, Pattern: `Client disabled\.`,
			Example: "We are sorry... Client disabled.", Weight: 0.95},
		{Row: catalog.InvalidScope, Pattern: `Invalid scopes: `,
			Example: "error=invalid_scope&error_description=Invalid scopes: openid email profile offline_access", Weight: 0.95},
		{Row: catalog.InvalidScope, Pattern: `Offline tokens not allowed for the user or client`,
			Example: `{"error":"not_allowed","error_description":"Offline tokens not allowed for the user or client"}`, Weight: 0.95},
		{Row: catalog.PKCEUnsupported, Pattern: `PKCE code verifier not specified|code challenge method is not matching the configured one|Missing parameter: code_challenge`,
			Example: "error=invalid_request&error_description=Invalid parameter: code challenge method is not matching the configured one"},
		{Row: catalog.PublicClientDisabled, Pattern: `unauthorized_client\W{1,40}(error_description\W{1,6})?Invalid client (or Invalid client )?credentials`,
			Example: `{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`, Weight: 0.95},
		// KC-SERVICES0093 names the parameter; for scope it is the scope list.
		{Row: catalog.InvalidScope, Pattern: `Invalid parameter value for: ?scope`,
			Example: "KC-SERVICES0093: Invalid parameter value for: scope", Weight: 0.95},
		// Token endpoint and login-theme (messages_en.properties) texts.
		{Row: catalog.IdPError, Pattern: `"Code not valid"|\bCode not valid\b`,
			Example: `{"error":"invalid_grant","error_description":"Code not valid"}`, Weight: 0.85},
		// A disabled user, not the app's access: the admin enables the user.
		// Japanese as the login theme words it (messages_ja.properties).
		{Row: catalog.IdPError, Pattern: `Account is disabled, contact your administrator|アカウントは無効です`,
			Example: "Account is disabled, contact your administrator.", Weight: 0.9},
		{Row: catalog.IdPError, Pattern: `You took too long to login|Login timeout\. Please sign in again|This page is no longer valid, please go back to your application`,
			Example: "You took too long to login. Login process starting from beginning.", Weight: 0.85},
		{Row: catalog.UnknownTenant, Pattern: `Realm does not exist`,
			Example: `{"error":"Realm does not exist"}`, Weight: 0.95},
		{Row: catalog.IdPError, Pattern: `Standard flow is disabled for the client`,
			Example: "Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client."},
		{Row: catalog.IdPError, Pattern: `Cookie not found\. Please make sure cookies are enabled`,
			Example: "We are sorry... Cookie not found. Please make sure cookies are enabled in your browser.", Weight: 0.85},
		{Row: catalog.RefreshTokenRejected, Pattern: `Token is not active|Session not active|Stale token|Offline session not active|Offline user session not found|Maximum allowed refresh token reuse exceeded`,
			Example: `{"error":"invalid_grant","error_description":"Token is not active"}`, Weight: 0.85},
	},
}

// keycloakPathRE matches the paths of a realm: /realms/<realm>… or
// /auth/realms/<realm>….
var (
	keycloakPathRE   = regexp.MustCompile(`^(/auth)?/realms/[^/]+(/|$)`)
	keycloakIssuerRE = regexp.MustCompile(`^(/auth)?/realms/([^/]+)$`)
)

// keycloakRealm splits an issuer's path into its context ("" or "/auth")
// and realm; ok is false when it is no realm issuer.
func keycloakRealm(path string) (context, realm string, ok bool) {
	m := keycloakIssuerRE.FindStringSubmatch(strings.TrimSuffix(path, "/"))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

var checkKeycloakPaths = &checks.Check{
	ID:    "keycloak.paths",
	Title: "Keycloak values name one realm, in its endpoint paths",
	Doc: "The Issuer URL must be a realm's issuer, https://<host>/realms/<realm> (or /auth/realms/<realm> on servers that keep the old context path); the endpoints must be that realm's " +
		"/protocol/openid-connect/auth, /token and /certs. Another realm's keys or endpoints fail validation; a different host for the token endpoint or key set is allowed (a back-channel host name), and is a warning.",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("keycloak"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		iu := checks.ParseURL(c.Issuer)
		if iu == nil {
			return []checks.Finding{checks.Skipf("Not run: the Issuer URL is not a URL (see values.urls)")}
		}
		ictx, realm, ok := keycloakRealm(iu.Path)
		if !ok {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL is not a Keycloak realm's issuer").
				WithDetail("Keycloak's issuer is the realm's base URL, without /protocol/openid-connect/… or /.well-known/….").
				WithEvidence("https://"+iu.Host+"/realms/<REALM>", c.Issuer)}
		}
		base := "https://" + iu.Host + ictx + "/realms/" + realm
		want := map[checks.FieldKey]string{
			checks.AuthorizationEndpoint: "/protocol/openid-connect/auth",
			checks.TokenEndpoint:         "/protocol/openid-connect/token",
			checks.JWKSURI:               "/protocol/openid-connect/certs",
		}
		var out []checks.Finding
		for _, f := range urlFields(c)[1:] {
			u := checks.ParseURL(f.Value)
			if u == nil {
				continue
			}
			expected := base + want[f.Key]
			fctx, frealm, _ := keycloakRealm(strings.TrimSuffix(u.Path, want[f.Key]))
			switch {
			case !strings.HasSuffix(u.Path, want[f.Key]) || (fctx == "" && frealm == ""):
				out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" is not the realm's "+strings.TrimPrefix(want[f.Key], "/protocol/openid-connect/")+" endpoint").
					WithEvidence(expected, f.Value))
			case frealm != realm:
				row := catalog.EndpointMismatch
				if f.Key == checks.JWKSURI {
					row = catalog.JWKSMismatch
				}
				out = append(out, checks.Problem(checks.Fail, row, f.Label+" names another realm than the issuer").
					WithDetail(fmt.Sprintf("The issuer is realm %s, this value realm %s: each realm signs with its own keys and accepts only its own tokens.", realm, frealm)).
					WithEvidence(expected, f.Value))
			case fctx != ictx:
				out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" and the issuer disagree about /auth").
					WithDetail("One value has the /auth context path of older Keycloak servers and the other does not; a server serves only one of them.").
					WithEvidence(expected, f.Value))
			case !strings.EqualFold(u.Host, iu.Host):
				out = append(out, checks.Problem(checks.Warn, f.Row, f.Label+" is on another host than the issuer").
					WithDetail("Keycloak publishes the token endpoint and key set on its back-channel host name when one is configured; right only if the discovery document shows this host.").
					WithEvidence(expected, f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("All values name realm %s on %s", realm, iu.Host)}
		}
		return out
	},
}
