package demo

import (
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Code in this file is the scenarios' data: one entry each, the good ones
// first (one per IdP shape), then one per failure, in the vendor's words.

// good is a scenario with nothing wrong, in an IdP's shape.
func good(idp, title string) Scenario {
	return Scenario{Name: idp + "-good", IdP: idp, Title: title + ": a good configuration", Symptom: "The sign-in works."}
}

// refused is a scenario the IdP refuses on its own page.
func refused(idp, kind string, row catalog.ID, title, symptom string) Scenario {
	return Scenario{Name: idp + "-" + strings.ReplaceAll(kind, "_", "-"), IdP: idp, Row: row, Title: title, Symptom: symptom, Faults: Faults{Refuse: kind}}
}

// unknownClient is a client ID the IdP does not know, entered by the admin
// (a typo, another tenant's app): the IdP refuses it on its own page.
func unknownClient(idp, title, symptom, id string) Scenario {
	return Scenario{Name: idp + "-unknown-client", IdP: idp, Row: catalog.InvalidClient, Title: title, Symptom: symptom,
		Values: func(c *checks.Config, _ Shape, _ string) { c.ClientID = id }}
}

var scenarios = []Scenario{
	good("okta", "Okta"), good("entra", "Microsoft Entra ID"), good("google", "Google Workspace"),
	good("pingfederate", "PingFederate"), good("pingone", "PingOne"), good("cognito", "Amazon Cognito"),
	good("auth0", "Auth0"), good("keycloak", "Keycloak"), good("adfs", "AD FS"), good("generic", "Any OpenID provider"),

	// Refused at the authorization endpoint, on the IdP's page.
	refused("okta", "redirect_mismatch", catalog.RedirectMismatch, "Okta: the redirect URI is not registered",
		"Okta's page: 400 Bad Request — The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"),
	refused("entra", "redirect_mismatch", catalog.RedirectMismatch, "Entra: the redirect URI is not registered",
		"Entra's page: AADSTS50011: The redirect URI 'http://localhost:18080' specified in the request does not match…"),
	refused("google", "redirect_mismatch", catalog.RedirectMismatch, "Google: the redirect URI is not registered", "Google's page: Error 400: redirect_uri_mismatch"),
	refused("keycloak", "redirect_mismatch", catalog.RedirectMismatch, "Keycloak: the redirect URI is not registered", "Keycloak's page: We are sorry... Invalid parameter: redirect_uri"),
	refused("auth0", "redirect_mismatch", catalog.RedirectMismatch, "Auth0: the callback URL is not allowed", "Auth0's page: Callback URL mismatch."),
	refused("adfs", "redirect_mismatch", catalog.RedirectMismatch, "AD FS: the redirect URI is not registered", "AD FS's page: MSIS9224: … not a valid registered redirect URI"),
	refused("pingfederate", "redirect_mismatch", catalog.RedirectMismatch, "PingFederate: the redirect URI is not registered", "PingFederate's page: Invalid Redirect URI"),
	refused("pingone", "redirect_mismatch", catalog.RedirectMismatch, "PingOne: the redirect URI is not registered", "PingOne's page: Redirect URI mismatch"),
	{Name: "entra-unknown-client", IdP: "entra", Row: catalog.InvalidClient, Title: "Entra: the client ID is not the application's",
		Symptom: "Entra's page: AADSTS700016: Application with identifier '…' was not found in the directory",
		Values:  func(c *checks.Config, _ Shape, _ string) { c.ClientID = "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b24" }},
	{Name: "okta-unknown-client", IdP: "okta", Row: catalog.InvalidClient, Title: "Okta: the client ID is another app's",
		Symptom: "Okta's page: 400 Bad Request — Invalid value for 'client_id' parameter.",
		Values:  func(c *checks.Config, _ Shape, _ string) { c.ClientID = "0oa8f2kq1zXyZ9AbC4x8" }},
	unknownClient("google", "Google: the client ID is another project's", "Google's page: Access blocked: Authorization Error — The OAuth client was not found. Error 401: invalid_client",
		"123456789012-zyxwvutsrqponmlkjihgfedcba543210.apps.googleusercontent.com"),
	unknownClient("keycloak", "Keycloak: the client ID is not in the realm", "Keycloak's page: We are sorry... Client not found.", "quick-desktop-app"),
	unknownClient("auth0", "Auth0: the client ID is another application's", "Auth0's page: Oops!, something went wrong — invalid_request: Unknown client",
		"ZyXwVuTsRqPoNmLkJiHgFeDcBa543210"),
	unknownClient("adfs", "AD FS: the client ID is not a registered client", "AD FS's page: MSIS9223: … no registered client was found with this client identifier",
		"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8c0"),
	unknownClient("pingfederate", "PingFederate: the client ID is not a client", "PingFederate's page: unknown or invalid client_id", "quick_desktop"),
	unknownClient("pingone", "PingOne: the client ID is another environment's", "PingOne's page: The request could not be completed. Client not found",
		"6b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4f"),
	{Name: "okta-scope-refused", IdP: "okta", Row: catalog.InvalidScope, Title: "Okta: offline_access is not allowed",
		Symptom: "The app says the sign-in failed: invalid_scope — One or more scopes are not configured for the authorization server resource.",
		Faults:  Faults{AuthorizeRedirect: &OAuthError{"invalid_scope", "One or more scopes are not configured for the authorization server resource."}}},
	{Name: "cognito-without-proxy", IdP: "cognito", Row: catalog.CognitoOfflineAccess, Title: "Cognito entered directly, without the proxy",
		Symptom: "The app says the sign-in failed: invalid_scope",
		Faults:  Faults{AuthorizeRedirect: &OAuthError{"invalid_scope", ""}}},
	{Name: "pingone-app-disabled", IdP: "pingone", Row: catalog.AppNotEnabled, Title: "PingOne: the application is disabled",
		Symptom: "PingOne's page: The request could not be completed. The application is disabled.",
		Faults:  Faults{AuthorizePage: &Page{http.StatusBadRequest, "The request could not be completed", "The request could not be completed. The application is disabled."}}},
	{Name: "generic-no-pkce", IdP: "generic", Row: catalog.PKCEUnsupported, Title: "The provider does not offer PKCE with S256",
		Symptom: "The token exchange fails; discovery lists only the plain challenge method.",
		Faults:  Faults{Discovery: func(d map[string]any) { d["code_challenge_methods_supported"] = []string{"plain"} }}},

	// Refused after the user signs in.
	{Name: "okta-policy", IdP: "okta", Row: catalog.AccessDeniedPolicy, Live: true, Title: "Okta: the access policy does not allow the app",
		Symptom: "After signing in: access_denied — Policy evaluation failed for this request, please check the policy configurations.",
		Faults:  Faults{AfterLogin: &OAuthError{"access_denied", "Policy evaluation failed for this request, please check the policy configurations."}}},
	{Name: "entra-consent", IdP: "entra", Row: catalog.ConsentRequired, Live: true, Title: "Entra: admin consent not granted",
		Symptom: "After signing in: AADSTS65001: The user or administrator has not consented to use the application",
		Faults: Faults{AfterLogin: &OAuthError{"consent_required", "AADSTS65001: The user or administrator has not consented to use the application with ID " +
			"'3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23' named 'Amazon Quick Desktop'. Send an interactive authorization request for this user and resource."}}},
	{Name: "entra-secret-required", IdP: "entra", Row: catalog.PublicClientDisabled, Live: true, Title: "Entra: registered as a web app, not a public client",
		Symptom: "After signing in: AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
		Faults:  Faults{Token: &Response{Status: http.StatusUnauthorized, Body: `{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.","error_codes":[7000218]}`}}},
	{Name: "google-no-secret", IdP: "google", Row: catalog.GoogleClientSecretMissing, Title: "Google: the token endpoint without its client_secret",
		Symptom: "After signing in, the token exchange fails: invalid_request — client_secret is missing.",
		Values:  func(c *checks.Config, s Shape, origin string) { c.TokenEndpoint = origin + s.Token }},

	{Name: "entra-guest-not-in-tenant", IdP: "entra", Row: catalog.IdPError, Live: true, Title: "Entra: the user's account is not in the tenant",
		Symptom: "After signing in: AADSTS50020: User account … from identity provider 'live.com' does not exist in tenant 'Acme'",
		Faults: Faults{AfterLogin: &OAuthError{"invalid_request", "AADSTS50020: User account 'alice@acme.example' from identity provider 'live.com' does not exist in tenant 'Acme' " +
			"and cannot access the application '3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23'(Amazon Quick Desktop) in that tenant."}}},
	{Name: "generic-token-redirects", IdP: "generic", Row: catalog.EndpointRedirects, Live: true, Title: "The token endpoint redirects elsewhere",
		Symptom: "The sign-in fails after the login page",
		Faults:  Faults{Token: &Response{Status: http.StatusTemporaryRedirect, Location: "https://login.other.example/token", Body: "{}"}}},
	{Name: "google-refresh-rejected", IdP: "google", Row: catalog.RefreshTokenRejected, Live: true, Title: "Google: the refresh token was revoked",
		Symptom: "Users are asked to sign in again",
		Faults:  Faults{Refresh: &Response{Status: http.StatusBadRequest, Body: `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`}}},
	{Name: "entra-refresh-rejected", IdP: "entra", Row: catalog.RefreshTokenRejected, Live: true, Title: "Entra: the refresh token expired",
		Symptom: "Users are asked to sign in again",
		Faults: Faults{Refresh: &Response{Status: http.StatusBadRequest, Body: `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity. ` +
			`The token was issued on 2026-08-01T09:12:44Z and was inactive for 90.00:00:00.","error_codes":[700082]}`}}},
	{Name: "okta-refresh-rejected", IdP: "okta", Row: catalog.RefreshTokenRejected, Live: true, Title: "Okta: the refresh token is refused",
		Symptom: "Users are asked to sign in again",
		Faults:  Faults{Refresh: &Response{Status: http.StatusBadRequest, Body: `{"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}`}}},
	{Name: "generic-private-keys", IdP: "generic", Row: catalog.JWKSPrivateKey, Title: "The key set publishes its private key",
		Symptom: "Nothing visible: anyone can forge tokens", Faults: Faults{PrivateJWKS: true}},

	// What the tokens carry.
	{Name: "entra-no-email", IdP: "entra", Row: catalog.EmailClaimMissing, Live: true, Title: "Entra: no email optional claim",
		Symptom: "After signing in the app says: User not found",
		Faults: Faults{Claims: func(c jwt.MapClaims) {
			delete(c, "email")
			delete(c, "email_verified")
			c["preferred_username"] = "alice@acme.example"
		}}},
	{Name: "okta-email-case", IdP: "okta", Row: catalog.EmailCaseMismatch, Live: true, Title: "Okta: the email differs in letter case",
		Symptom: "After signing in the app says: User not found", Faults: Faults{Claims: func(c jwt.MapClaims) { c["email"] = "Alice@Acme.example" }}},
	{Name: "okta-not-provisioned", IdP: "okta", Row: catalog.EmailNotProvisioned, Live: true, Title: "Okta: the user is not provisioned in the account",
		Symptom: "After signing in the app says: User not found", Email: "alice.practice@acme.example"},
	{Name: "auth0-no-refresh", IdP: "auth0", Row: catalog.RefreshTokenMissing, Live: true, Title: "Auth0: the API does not allow offline access",
		Symptom: "Session expires frequently: users sign in again every hour", Faults: Faults{NoRefreshToken: true}},
	{Name: "keycloak-no-email", IdP: "keycloak", Row: catalog.EmailClaimMissing, Live: true, Title: "Keycloak: the user has no email",
		Symptom: "After signing in the app says: User not found",
		Faults: Faults{Claims: func(c jwt.MapClaims) {
			delete(c, "email")
			delete(c, "email_verified")
		}}},
	{Name: "okta-no-refresh", IdP: "okta", Row: catalog.RefreshTokenMissing, Live: true, Title: "Okta: no refresh token issued",
		Symptom: "Session expires frequently: users sign in again every hour", Faults: Faults{NoRefreshToken: true}},
	{Name: "pingfederate-refresh-no-id-token", IdP: "pingfederate", Row: catalog.RefreshIDTokenMissing, Live: true, Title: "PingFederate: refresh returns no ID token",
		Symptom: "The session's refresh fails", Faults: Faults{RefreshNoIDToken: true}},
	{Name: "okta-refresh-no-email", IdP: "okta", Row: catalog.RefreshEmailMissing, Live: true, Title: "Okta: the refreshed ID token lacks email",
		Symptom: "Missing email claim after refresh", Faults: Faults{RefreshNoEmail: true}},
	{Name: "okta-userinfo-401", IdP: "okta", Row: catalog.UserinfoUnauthorized, Live: true, Title: "Okta: endpoints of two authorization servers",
		Symptom: "User info request failed (HTTP 401)",
		Faults: Faults{Userinfo: &Response{Status: http.StatusUnauthorized,
			Body: `{"error":"invalid_token","error_description":"The access token provided has an invalid issuer."}`}}},
	{Name: "generic-clock-skew", IdP: "generic", Row: catalog.ClockSkew, Title: "This machine's clock is ten minutes behind the IdP's",
		Symptom: "Token validation failure", Faults: Faults{ClockAhead: 10 * time.Minute}},
	{Name: "generic-bad-signature", IdP: "generic", Row: catalog.IDTokenSignatureInvalid, Live: true, Title: "A forged ID token: signed with another key",
		Symptom: "Token validation failure", Faults: Faults{BadSignature: true}},
	{Name: "generic-alg-none", IdP: "generic", Row: catalog.IDTokenSignatureInvalid, Live: true, Title: "A forged ID token: alg none",
		Symptom: "Token validation failure", Faults: Faults{AlgNone: true}},
	{Name: "generic-wrong-audience", IdP: "generic", Row: catalog.AudienceMismatch, Live: true, Title: "An ID token for another client",
		Symptom: "Audience validation failed", Faults: Faults{Claims: func(c jwt.MapClaims) { c["aud"] = "another-client" }}},
	{Name: "generic-expired-token", IdP: "generic", Row: catalog.ClockSkew, Live: true, Title: "A forged ID token: it expired an hour ago",
		Symptom: "Token validation failure: the token is expired", Faults: Faults{Claims: func(c jwt.MapClaims) {
			issued := time.Now().Add(-2 * time.Hour).Unix()
			c["iat"], c["nbf"], c["exp"] = issued, issued, issued+3600
		}}},

	// The provider is right; the values entered are not.
	{Name: "okta-org-jwks", IdP: "okta", Row: catalog.JWKSMismatch, Title: "Okta: the org server's JWKS with a custom server's issuer",
		Symptom: "Token validation failure",
		Values:  func(c *checks.Config, s Shape, origin string) { c.JWKSURI = origin + s.OtherJWKS }},
	{Name: "entra-issuer-without-v2", IdP: "entra", Row: catalog.InvalidIssuer, Title: "Entra: the issuer without /v2.0",
		Symptom: "Invalid issuer", Values: func(c *checks.Config, _ Shape, _ string) { c.Issuer = strings.TrimSuffix(c.Issuer, "/v2.0") }},
	{Name: "entra-unknown-tenant", IdP: "entra", Row: catalog.UnknownTenant, Title: "Entra: a tenant that does not exist",
		Symptom: "AADSTS90002: Tenant not found",
		Values: func(c *checks.Config, _ Shape, _ string) {
			for _, f := range []*string{&c.Issuer, &c.AuthorizationEndpoint, &c.TokenEndpoint, &c.JWKSURI} {
				*f = strings.Replace(*f, tenant, "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", 1)
			}
		}},
	{Name: "auth0-issuer-without-slash", IdP: "auth0", Row: catalog.TokenValidationFailure, Title: "Auth0: the issuer without its trailing slash",
		Symptom: "Token validation failure", Values: func(c *checks.Config, _ Shape, _ string) { c.Issuer = strings.TrimSuffix(c.Issuer, "/") }},
	{Name: "keycloak-other-realm-token", IdP: "keycloak", Row: catalog.EndpointMismatch, Title: "Keycloak: the token endpoint of another realm",
		Symptom: "The sign-in fails after the login page",
		Values: func(c *checks.Config, _ Shape, _ string) {
			c.TokenEndpoint = strings.Replace(c.TokenEndpoint, "/realms/acme/", "/realms/master/", 1)
		}},
	{Name: "generic-no-discovery", IdP: "generic", Row: catalog.DiscoveryUnreachable, Title: "The issuer serves no discovery document",
		Symptom: "The sign-in does not start", Faults: Faults{NoDiscovery: true}},
}
