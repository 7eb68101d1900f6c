package idp

import (
	"context"
	"slices"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// ADFS is Microsoft Active Directory Federation Services, AD FS 2016 and
// later (PKCE from AD FS 2019), on the federation service's own host.
var ADFS = &checks.IdP{
	ID:    "adfs",
	Codes: "adfs.tsv",
	Name:  "Microsoft AD FS",
	MatchPath: func(p string) bool {
		return p == "/adfs" || strings.HasPrefix(p, "/adfs/")
	},
	Markers:       []string{"msis", "ad fs", "adfs"},
	IssuerNoSlash: true,
	EmailHint: func(map[string]any) string {
		return "AD FS puts email in the ID token only through an issuance transform rule (Send LDAP Attributes as Claims: E-Mail-Addresses → email) and the user's E-Mail-Addresses attribute in Active Directory."
	},
	Guide: checks.Guide{
		Needs: []string{"AD FS Management on a federation server (AD FS 2019 or later: it supports PKCE)", "The federation service name (the host of https://<host>/adfs)"},
		Requires: []string{
			"Application Groups → Add Application Group → Native application accessing a Web API; Redirect URI exactly http://localhost:18080.",
			"Access control policy that permits the users (Permit everyone, or their group).",
			"The Web API's Issuance Transform Rules: Send LDAP Attributes as Claims, E-Mail-Addresses → email (typed in lower case), so the ID token carries email.",
			"The client permitted the scopes openid, email, profile (Grant-AdfsApplicationPermission); if AD FS refuses offline_access (MSIS9603), register it: Add-AdfsScopeDescription -Name offline_access.",
			"The Issuer URL is https://<host>/adfs — not the Federation Service identifier http://<host>/adfs/services/trust.",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "https://<host>/adfs/.well-known/openid-configuration → issuer (https://<host>/adfs).",
			checks.AuthorizationEndpoint: "The same document → authorization_endpoint (ends in /adfs/oauth2/authorize/).",
			checks.TokenEndpoint:         "The same document → token_endpoint (ends in /adfs/oauth2/token/).",
			checks.JWKSURI:               "The same document → jwks_uri (/adfs/discovery/keys).",
			checks.ClientID:              "The native application's Client Identifier (a GUID), shown when the application group is created.",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://<HOST>/adfs",
			checks.AuthorizationEndpoint: "https://<HOST>/adfs/oauth2/authorize/",
			checks.TokenEndpoint:         "https://<HOST>/adfs/oauth2/token/",
			checks.JWKSURI:               "https://<HOST>/adfs/discovery/keys",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:       "AD FS Management → Application Groups → the group → the native application → Redirect URI: add exactly http://localhost:18080.",
		catalog.InvalidClient:          "Copy the native application's Client Identifier (a GUID), not its name, from the application group.",
		catalog.PublicClientDisabled:   "Use a Native application (no client secret): the Server application and Web browser templates make a confidential client.",
		catalog.AccessDeniedPolicy:     "Permit the client on the Web API (Grant-AdfsApplicationPermission -ClientRoleIdentifier <client id> -ServerRoleIdentifier <Web API identifier> -ScopeNames openid,email,profile), and check the access control policy.",
		catalog.InvalidScope:           "Grant the client the scopes openid, email, profile (Grant-AdfsApplicationPermission); register offline_access with Add-AdfsScopeDescription -Name offline_access if AD FS does not know it.",
		catalog.EmailClaimMissing:      "Add an Issuance Transform Rule on the Web API: Send LDAP Attributes as Claims, E-Mail-Addresses → email; fill in the users' E-Mail-Addresses in Active Directory.",
		catalog.RefreshTokenRejected:   "Sign in again; AD FS refresh tokens end with SsoLifetime or DeviceUsageWindowInDays (Set-AdfsProperties).",
		catalog.PKCEUnsupported:        "PKCE needs AD FS 2019 or later: upgrade the farm (AD FS 2016 does not verify code_verifier).",
		catalog.TokenValidationFailure: "Copy issuer from https://<host>/adfs/.well-known/openid-configuration: https://<host>/adfs, exactly, letter case of the host included.",
	},
	Checks: []*checks.Check{checkADFSPaths},
	// AD FS words its errors with MSIS codes, on its error page ("An error
	// occurred … Error details: MSIS…") and in error_description.
	Wordings: []checks.Wording{
		{Row: catalog.RedirectMismatch, Pattern: `MSIS9224\b`,
			Example: "MSIS9224: Received invalid OAuth authorization request. The received 'redirect_uri' parameter is not a valid registered redirect URI for the client identifier", Weight: 0.97},
		{Row: catalog.InvalidClient, Pattern: `MSIS(9223|9607)\b`,
			Example: "MSIS9223: Received invalid OAuth authorization request. The received 'client_id' is invalid as no registered client was found with this client identifier.", Weight: 0.97},
		{Row: catalog.PublicClientDisabled, Pattern: `MSIS9622\b`,
			Example: `{"error":"invalid_client","error_description":"MSIS9622: Client authentication failed. Please verify the credential provided for client authentication is valid."}`, Weight: 0.95},
		{Row: catalog.AccessDeniedPolicy, Pattern: `MSIS9605\b|MSIS7068\b`,
			Example: "error=access_denied&error_description=MSIS9605: The client is not allowed to access the requested resource.", Weight: 0.95},
		{Row: catalog.InvalidScope, Pattern: `MSIS9603\b`,
			Example: `{"error":"invalid_scope","error_description":"MSIS9603: The received 'scope' parameter is invalid. The authorization server does not support the specified scope."}`, Weight: 0.95},
		{Row: catalog.RefreshTokenRejected, Pattern: `MSIS9615\b`,
			Example: "MSIS9615: The refresh token received in refresh_token parameter has expired", Weight: 0.95},
	},
}

var checkADFSPaths = &checks.Check{
	ID:    "adfs.paths",
	Title: "AD FS values on the federation service, in its OAuth paths",
	Doc: "The Issuer URL must be https://<host>/adfs — not the Federation Service identifier http://<host>/adfs/services/trust, which is the access tokens' issuer — and the endpoints that host's " +
		"/adfs/oauth2/authorize/, /adfs/oauth2/token/ and /adfs/discovery/keys (WS-Federation's /adfs/ls is not an OAuth endpoint).",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("adfs"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		iu := checks.ParseURL(c.Issuer)
		if iu == nil {
			return []checks.Finding{checks.Skipf("Not run: the Issuer URL is not a URL (see values.urls)")}
		}
		want := "https://" + iu.Host + "/adfs"
		var out []checks.Finding
		if path := strings.TrimSuffix(iu.Path, "/"); path != "/adfs" {
			f := checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL is not AD FS's OpenID Connect issuer").WithEvidence(want, c.Issuer)
			if strings.EqualFold(path, "/adfs/services/trust") {
				f = f.WithDetail("/adfs/services/trust is the Federation Service identifier, the issuer of AD FS's access tokens; its ID tokens carry iss " + want + ".")
			}
			out = append(out, f)
		}
		paths := map[checks.FieldKey][]string{
			checks.AuthorizationEndpoint: {"/adfs/oauth2/authorize/", "/adfs/oauth2/authorize"},
			checks.TokenEndpoint:         {"/adfs/oauth2/token/", "/adfs/oauth2/token"},
			checks.JWKSURI:               {"/adfs/discovery/keys"},
		}
		for _, f := range urlFields(c)[1:] {
			u := checks.ParseURL(f.Value)
			if u == nil {
				continue
			}
			expected := "https://" + iu.Host + paths[f.Key][0]
			switch {
			case !strings.EqualFold(u.Host, iu.Host):
				out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" is on another host than the issuer").WithEvidence(expected, f.Value))
			case !slices.Contains(paths[f.Key], u.Path):
				out = append(out, checks.Problem(checks.Fail, f.Row, f.Label+" is not AD FS's OAuth endpoint").WithEvidence(expected, f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Values are on the federation service %s, in AD FS's OAuth paths", iu.Host)}
		}
		return out
	},
}
