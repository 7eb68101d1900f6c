package checks

// Guide is what an administrator needs to know about one IdP to register
// the desktop app: what to have at hand, what the app requires, and where
// the IdP's console shows each value.
type Guide struct {
	IdP IdP
	// Needs is what to have at hand.
	Needs []string
	// Requires is what the desktop app requires of this IdP's registration.
	Requires []string
	// Where says where each console value is found, by Field key.
	Where map[string]string
	// Example holds the documented shape of each value, by Field key.
	Example map[string]string
}

// common requirements of every IdP registration.
var commonRequires = []string{
	"A public client (no client secret, PKCE S256) — the app is a desktop application.",
	"Redirect URI exactly http://localhost:18080 (no path, no trailing slash, localhost not 127.0.0.1).",
	"Scopes openid, email, profile and offline_access, and the Authorization Code and Refresh Token grants.",
	"An email claim in the ID token that equals the user's email in the account exactly, letter case included.",
}

var guides = map[IdP]Guide{
	IdPEntra: {
		Needs: []string{"Access to Microsoft Entra ID → App registrations", "The Directory (tenant) ID"},
		Requires: []string{
			"Platform Mobile and desktop applications with http://localhost:18080; Allow public client flows = Yes.",
			"Delegated permissions openid, email, profile, offline_access (grant admin consent if required).",
			"Token configuration → optional claim email on the ID token, and every user's Mail attribute filled in.",
			"The Issuer URL ends in /v2.0 (the portal's Authority URL does not).",
		},
		Where: map[string]string{
			"issuer":                 "Endpoints panel → OpenID Connect metadata document → issuer (ends in /v2.0).",
			"authorization_endpoint": "Endpoints panel → OAuth 2.0 authorization endpoint (v2).",
			"token_endpoint":         "Endpoints panel → OAuth 2.0 token endpoint (v2).",
			"jwks_uri":               "Not in the Endpoints panel: open the OpenID Connect metadata document and copy jwks_uri.",
			"client_id":              "App registration → Overview → Application (client) ID (not the Directory ID).",
		},
		Example: map[string]string{
			"issuer":                 "https://login.microsoftonline.com/<TENANT_ID>/v2.0",
			"authorization_endpoint": "https://login.microsoftonline.com/<TENANT_ID>/oauth2/v2.0/authorize",
			"token_endpoint":         "https://login.microsoftonline.com/<TENANT_ID>/oauth2/v2.0/token",
			"jwks_uri":               "https://login.microsoftonline.com/<TENANT_ID>/discovery/v2.0/keys",
		},
	},
	IdPGoogle: {
		Needs: []string{"Google Cloud Console → APIs & Services → Credentials", "An OAuth client of type Desktop app, with its client secret"},
		Requires: []string{
			"OAuth consent screen user type Internal; scopes openid, email, profile.",
			"The token endpoint carries the client secret: https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>.",
			"The app asks Google with access_type=offline (Google rejects offline_access).",
		},
		Where: map[string]string{
			"issuer":                 "Always https://accounts.google.com.",
			"authorization_endpoint": "Always https://accounts.google.com/o/oauth2/v2/auth.",
			"token_endpoint":         "https://oauth2.googleapis.com/token with ?client_secret= and the OAuth client's secret appended.",
			"jwks_uri":               "Always https://www.googleapis.com/oauth2/v3/certs.",
			"client_id":              "Credentials → the Desktop OAuth client → Client ID (ends in .apps.googleusercontent.com).",
		},
		Example: map[string]string{
			"issuer":                 "https://accounts.google.com",
			"authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
			"token_endpoint":         "https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>",
			"jwks_uri":               "https://www.googleapis.com/oauth2/v3/certs",
		},
	},
	IdPOkta: {
		Needs: []string{"Okta Admin Console → Applications", "Your Okta org domain (your-org.okta.com, never the -admin host)"},
		Requires: []string{
			"A Native application, client authentication None, PKCE required, grants Authorization Code and Refresh Token.",
			"Security → API → Authorization Servers → (default): scopes openid, email, profile, offline_access enabled; an access policy rule allowing this app both grants.",
			"All five values from one authorization server (do not mix /oauth2/v1/… with /oauth2/default/…).",
		},
		Where: map[string]string{
			"issuer":                 "Security → API → Authorization Servers → default → Issuer URI.",
			"authorization_endpoint": "From https://<OKTA_DOMAIN>/oauth2/default/.well-known/openid-configuration → authorization_endpoint.",
			"token_endpoint":         "Same discovery document → token_endpoint.",
			"jwks_uri":               "Same discovery document → jwks_uri.",
			"client_id":              "The app integration's General tab → Client ID (starts with the digit 0).",
		},
		Example: map[string]string{
			"issuer":                 "https://<OKTA_DOMAIN>/oauth2/default",
			"authorization_endpoint": "https://<OKTA_DOMAIN>/oauth2/default/v1/authorize",
			"token_endpoint":         "https://<OKTA_DOMAIN>/oauth2/default/v1/token",
			"jwks_uri":               "https://<OKTA_DOMAIN>/oauth2/default/v1/keys",
		},
	},
	IdPPingFederate: {
		Needs: []string{"PingFederate administrative console → Applications → OAuth → Clients", "The PingFederate host name"},
		Requires: []string{
			"Client Authentication None, Require PKCE, grants Authorization Code and Refresh Token, common scopes openid, email, profile, offline_access.",
			"OpenID Connect Policy: Return ID Token On Refresh Grant, and email in the attribute contract for first sign-in and refresh.",
		},
		Where: map[string]string{
			"issuer":                 "System → Server → Protocol Settings → Base URL (the discovery document's issuer).",
			"authorization_endpoint": "https://<PINGFEDERATE_HOST>/as/authorization.oauth2",
			"token_endpoint":         "https://<PINGFEDERATE_HOST>/as/token.oauth2",
			"jwks_uri":               "https://<PINGFEDERATE_HOST>/pf/JWKS",
			"client_id":              "The OAuth client's Client ID.",
		},
		Example: map[string]string{
			"issuer":                 "https://<PINGFEDERATE_HOST>",
			"authorization_endpoint": "https://<PINGFEDERATE_HOST>/as/authorization.oauth2",
			"token_endpoint":         "https://<PINGFEDERATE_HOST>/as/token.oauth2",
			"jwks_uri":               "https://<PINGFEDERATE_HOST>/pf/JWKS",
		},
	},
	IdPPingOne: {
		Needs: []string{"PingOne admin console → Applications", "The Environment ID and your region's domain (.com, .eu, .ca, .asia, .com.au)"},
		Requires: []string{
			"A Native application, Refresh Token grant enabled, resources openid, email, profile, offline_access.",
			"Attribute mapping email → the user's email; the application toggled Enabled.",
		},
		Where: map[string]string{
			"issuer":                 "The application's Configuration tab → Issuer.",
			"authorization_endpoint": "Configuration tab → Authorization URL.",
			"token_endpoint":         "Configuration tab → Token Endpoint.",
			"jwks_uri":               "Configuration tab → JWKS Endpoint.",
			"client_id":              "Configuration tab → Client ID (not the Environment ID).",
		},
		Example: map[string]string{
			"issuer":                 "https://auth.pingone.com/<ENV_ID>/as",
			"authorization_endpoint": "https://auth.pingone.com/<ENV_ID>/as/authorize",
			"token_endpoint":         "https://auth.pingone.com/<ENV_ID>/as/token",
			"jwks_uri":               "https://auth.pingone.com/<ENV_ID>/as/jwks",
		},
	},
	IdPCognito: {
		Needs: []string{"The scope-stripping proxy stack deployed", "Its outputs: IssuerUrl, AuthEndpoint, TokenEndpoint, JwksUri, ClientId"},
		Requires: []string{
			"Cognito has no offline_access scope and the app always sends it: the authorization and token endpoints must be the proxy's.",
			"A public app client with callback URL http://localhost:18080; users synced with emails identical to the account's.",
		},
		Where: map[string]string{
			"issuer":                 "Stack output IssuerUrl (https://cognito-idp.<region>.amazonaws.com/<pool id>).",
			"authorization_endpoint": "Stack output AuthEndpoint (the proxy).",
			"token_endpoint":         "Stack output TokenEndpoint (the proxy).",
			"jwks_uri":               "Stack output JwksUri.",
			"client_id":              "Stack output ClientId.",
		},
	},
	IdPAuth0: {
		Needs:    []string{"Auth0 Dashboard → Applications", "A Native application"},
		Requires: []string{"Allowed Callback URLs http://localhost:18080; Refresh Token grant on; an API that allows offline access.", "The issuer ends with a slash."},
		Where: map[string]string{
			"issuer":   "https://<TENANT>.auth0.com/ — with the trailing slash.",
			"jwks_uri": "https://<TENANT>.auth0.com/.well-known/jwks.json",
		},
	},
	IdPGeneric: {
		Needs:    []string{"The IdP's discovery document (<issuer>/.well-known/openid-configuration)"},
		Requires: []string{"Copy issuer, authorization_endpoint, token_endpoint and jwks_uri verbatim from the discovery document."},
		Where:    map[string]string{},
	},
}

// GuideFor returns the guide for an IdP, with the requirements common to
// every IdP first.
func GuideFor(idp IdP) Guide {
	g, ok := guides[idp]
	if !ok {
		g = guides[IdPGeneric]
	}
	g.IdP = idp
	g.Requires = append(append([]string(nil), commonRequires...), g.Requires...)
	return g
}
