package idp

import (
	"context"
	"fmt"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Entra is Microsoft Entra ID (Azure AD), through its v2.0 endpoints.
var Entra = &checks.IdP{
	ID:    "entra",
	Codes: "entra.tsv",
	Name:  "Microsoft Entra ID",
	MatchHost: func(h string) bool {
		return h == "login.microsoftonline.com" || h == "login.microsoft.com" || h == "sts.windows.net" ||
			strings.HasSuffix(h, ".ciamlogin.com") || h == "login.microsoftonline.us" || h == "login.partner.microsoftonline.cn"
	},
	Markers:        []string{"aadsts", "microsoftonline", "entra", "azure ad"},
	Hosted:         true,
	IssuerNoSlash:  true,
	TenantInIssuer: true,
	DiscoveryIssuer: func(iss string) string {
		u := checks.ParseURL(iss)
		seg := checks.Segments(iss)
		if u == nil || len(seg) == 0 || entraAliases[strings.ToLower(seg[0])] {
			return iss
		}
		scheme, host := u.Scheme, u.Host
		if strings.EqualFold(u.Hostname(), "sts.windows.net") {
			scheme, host = "https", "login.microsoftonline.com"
		}
		return scheme + "://" + host + "/" + seg[0] + "/v2.0"
	},
	IssuerHint: func(entered, actual string) (catalog.ID, string, string, bool) {
		if strings.HasSuffix(actual, "/v2.0") && strings.TrimSuffix(actual, "/v2.0") == strings.TrimRight(checks.Clean(entered), "/") {
			return catalog.InvalidIssuer, "lacks Entra's /v2.0 suffix",
				"Entra's v2.0 endpoints issue tokens with iss = " + actual + "; without /v2.0 every sign-in fails with \"Invalid issuer: " + actual + "\".", true
		}
		return "", "", "", false
	},
	EmailHint: func(claims map[string]any) string {
		for _, k := range []string{"preferred_username", "upn"} {
			if u, _ := claims[k].(string); u != "" {
				return "The token carries " + u + " as preferred_username/upn, which is not enough: Entra puts email in the ID token only with the optional claim, and only when the user's Mail attribute is filled in."
			}
		}
		return ""
	},
	LintClientID: func(id string, c checks.Config) []checks.Finding {
		switch {
		case !guidRE.MatchString(id):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidClient, "Entra client ID is not a GUID").
				WithEvidence("the Application (client) ID, a GUID", c.ClientID).
				WithFix("Copy the Application (client) ID from the app registration's Overview page.")}
		case strings.EqualFold(id, entraTenant(c.Issuer)):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidClient, "Client ID is the tenant ID").
				WithEvidence("the Application (client) ID", c.ClientID).
				WithDetail("The value entered is the Directory (tenant) ID that also appears in the issuer.").
				WithFix("Copy the Application (client) ID, not the Directory (tenant) ID, from the Overview page.")}
		}
		return nil
	},
	Guide: checks.Guide{
		Needs: []string{"Access to Microsoft Entra ID → App registrations", "The Directory (tenant) ID"},
		Requires: []string{
			"Platform Mobile and desktop applications with http://localhost:18080; Allow public client flows = Yes.",
			"Delegated permissions openid, email, profile, offline_access (grant admin consent if required).",
			"Token configuration → optional claim email on the ID token, and every user's Mail attribute filled in.",
			"The Issuer URL ends in /v2.0 (the portal's Authority URL does not).",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "Endpoints panel → OpenID Connect metadata document → issuer (ends in /v2.0).",
			checks.AuthorizationEndpoint: "Endpoints panel → OAuth 2.0 authorization endpoint (v2).",
			checks.TokenEndpoint:         "Endpoints panel → OAuth 2.0 token endpoint (v2).",
			checks.JWKSURI:               "Not in the Endpoints panel: open the OpenID Connect metadata document and copy jwks_uri.",
			checks.ClientID:              "App registration → Overview → Application (client) ID (not the Directory ID).",
		},
		Example: map[checks.FieldKey]string{
			checks.Issuer:                "https://login.microsoftonline.com/<TENANT_ID>/v2.0",
			checks.AuthorizationEndpoint: "https://login.microsoftonline.com/<TENANT_ID>/oauth2/v2.0/authorize",
			checks.TokenEndpoint:         "https://login.microsoftonline.com/<TENANT_ID>/oauth2/v2.0/token",
			checks.JWKSURI:               "https://login.microsoftonline.com/<TENANT_ID>/discovery/v2.0/keys",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:     "In the app registration, Authentication → Add a platform → Mobile and desktop applications, add exactly http://localhost:18080 (not under Web or Single-page application).",
		catalog.InvalidClient:        "Copy the Application (client) ID from the app registration's Overview page, in the same tenant as the issuer.",
		catalog.InvalidScope:         "API permissions → Microsoft Graph → Delegated: add openid, email, profile, offline_access, then grant admin consent.",
		catalog.AccessDeniedPolicy:   "Enterprise applications → (the app) → Users and groups: assign the user or their group (or set Assignment required = No).",
		catalog.PublicClientDisabled: "Authentication → Advanced settings → Allow public client flows = Yes, and register the redirect URI under Mobile and desktop applications.",
		catalog.EmailClaimMissing:    "Token configuration → Add optional claim → ID → email; and populate each user's Mail attribute (Contact Information): the UPN alone is not enough.",
		catalog.RefreshTokenMissing:  "Add the offline_access delegated permission (and grant consent).",
	},
	Checks: []*checks.Check{checkEntraIssuer, checkEntraEndpoints},
	// Entra's AADSTS codes are in its code catalog (Codes): Microsoft
	// rewords the sentences, not the codes. These are its wordings without one.
	Wordings: []checks.Wording{
		// A user who may not consent to what the app asks (admin consent needed).
		{Row: catalog.ConsentRequired, Pattern: `Calling principal cannot consent`, Weight: 0.95,
			Example: "AADSTS90093: Calling principal cannot consent due to lack of permissions."},
		// AADSTS50194 as older builds worded it, often pasted without the code.
		{Row: catalog.UnknownTenant, Pattern: `is not configured as a multi-?tenant application|Usage of the /common endpoint is not supported`, Weight: 0.92,
			Example: "Application 'xxx'(Quick) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'."},
		{Row: catalog.InvalidScope, Pattern: `AADSTS650053\b`,
			Example: "AADSTS650053: The application asked for scope 'offline_access' that doesn't exist on the resource."},
		{Row: catalog.InvalidIssuer, Pattern: `Invalid issuer:? https://login\.microsoftonline\.com/\S+/v2\.0`,
			Example: "Invalid issuer: https://login.microsoftonline.com/TENANT_ID/v2.0", Weight: 0.98},
		{Row: catalog.InvalidIssuer, Pattern: `(didn.t|did not|forgot to|must) append /v2\.0|without (the )?/v2\.0`,
			Example: "the issuer was entered without /v2.0", Weight: 0.9},
		// An issuer mismatch between Entra's v1 issuer (sts.windows.net) and
		// its v2.0 one: the v2.0 issuer and endpoints are the ones to use.
		{Row: catalog.InvalidIssuer, Pattern: `(issuer|\biss\b|IDX10205).{0,300}\bsts\.windows\.net\b.{0,300}/v2\.0\b|/v2\.0\b.{0,300}\bsts\.windows\.net\b`, Weight: 0.96,
			Example: "IDX10205: Issuer validation failed. Issuer: 'https://sts.windows.net/TENANT_ID/'. Did not match: validationParameters.ValidIssuer: 'https://login.microsoftonline.com/TENANT_ID/v2.0'"},
		{Row: catalog.ConsentRequired, Pattern: `Need admin approval|has not consented|admin consent`,
			Example: "Need admin approval"},
		// A token whose kid is not in the tenant's key set: Entra signs with
		// an app-specific key (claims mapping, custom signing key) published
		// only at …/keys?appid=<client id>.
		{Row: catalog.IDTokenSignatureInvalid, Pattern: `keys\?appid=|\bappid=\S{0,60}.{0,200}(kid|signing key|signature)|(kid|signing key|signature).{0,200}\bappid=|custom signing keys?.{0,300}(SignatureKeyNotFound|IDX1050[13]|\bkid\b)|(SignatureKeyNotFound|IDX1050[13]).{0,300}custom signing keys?`,
			Example: "the standard https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys is loaded and not https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys?appid=", Weight: 0.98},
		// The same codes on the SAML side (the Q Business web app, seed
		// 003): the identifier is an entity ID, not an application GUID,
		// and the redirect is the Reply URL of Basic SAML Configuration.
		// Entra says "reply URL" on the OpenID side too, so the SAML side
		// needs an entity ID (urn: or a URL, where the OpenID side names a
		// GUID) or SAML named.
		{Row: catalog.SAMLAudienceMismatch, Pattern: `AADSTS700016\b.{0,80}identifier '?(urn:|https?://)|AADSTS700016\b.{0,200}\bSAML\b|\bSAML\b.{0,200}AADSTS700016\b`,
			Example: "AADSTS700016: Application with identifier 'urn:amazon:qbusiness:a1b2c3d4' was not found in the directory 'Contoso'.", Weight: 0.99},
		{Row: catalog.SAMLRecipientMismatch, Pattern: `AADSTS50011\b.{0,160}for the application:?\s*'?(urn:|https?://)|AADSTS50011\b.{0,200}\b(SAML|assertion consumer service)\b|\b(SAML|assertion consumer service)\b.{0,200}AADSTS50011\b`,
			Example: "AADSTS50011: The reply URL specified in the request does not match the reply URLs configured for the application: 'urn:amazon:qbusiness:a1b2c3d4'.", Weight: 0.99},
	},
}

// entraTenant returns the tenant segment of an Entra URL ("" if none).
func entraTenant(v string) string {
	if s := checks.Segments(v); len(s) > 0 {
		return s[0]
	}
	return ""
}

var entraAliases = map[string]bool{"common": true, "organizations": true, "consumers": true}

var checkEntraIssuer = &checks.Check{
	ID:      "entra.issuer",
	Title:   "Entra issuer is the tenant's v2.0 issuer",
	Doc:     "The Issuer URL must be https://login.microsoftonline.com/<tenant GUID>/v2.0: Entra's v2.0 tokens carry that iss. The portal's Authority URL (no /v2.0), the v1 issuer sts.windows.net, a domain name or the common/organizations alias in place of the tenant GUID all fail validation.",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("entra"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		v := p.Config.Issuer
		u := checks.ParseURL(v)
		if u == nil {
			return []checks.Finding{checks.Skipf("Not run: the Issuer URL is not a URL (see values.urls)")}
		}
		seg := checks.Segments(v)
		tenant := ""
		if len(seg) > 0 {
			tenant = seg[0]
		}
		want := "https://" + u.Host + "/" + orPlaceholder(tenant, "<TENANT_ID>", entraAliases) + "/v2.0"
		switch {
		case strings.EqualFold(u.Hostname(), "sts.windows.net"):
			want = "https://login.microsoftonline.com/" + orPlaceholder(tenant, "<TENANT_ID>", entraAliases) + "/v2.0"
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidIssuer, "Issuer URL is Entra's v1 issuer").
				WithDetail("sts.windows.net is the issuer of v1.0 tokens; the desktop app signs in through the v2.0 endpoints, whose tokens carry the /v2.0 issuer.").
				WithEvidence(want, v).WithFix("Recreate the extension access with the Issuer URL " + want)}
		case entraAliases[strings.ToLower(tenant)]:
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidIssuer, "Issuer URL uses the "+tenant+" alias instead of the tenant ID").
				WithDetail("Tokens carry iss with your tenant's GUID, never the alias; the discovery document of /"+tenant+" shows a {tenantid} template.").
				WithEvidence("https://login.microsoftonline.com/<TENANT_ID>/v2.0", v).
				WithFix("Use the Directory (tenant) ID from the app registration's Overview page in all four URLs.")}
		case len(seg) == 1 || (len(seg) >= 2 && seg[1] != "v2.0"):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidIssuer, "Issuer URL lacks the /v2.0 suffix").
				WithDetail("This is the portal's Authority URL. Entra's v2.0 tokens carry iss ending in /v2.0, so sign-in fails with \"Invalid issuer: "+want+"\".").
				WithEvidence(want, v).WithFix("Recreate the extension access with the Issuer URL " + want)}
		case len(seg) > 2 || strings.HasSuffix(u.Path, "/"):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL has extra characters after /v2.0").WithEvidence(want, v)}
		case tenant != "" && !guidRE.MatchString(tenant):
			return []checks.Finding{checks.Problem(checks.Fail, catalog.InvalidIssuer, "Issuer URL names the tenant by domain, not by its ID").
				WithDetail("Tokens carry iss with the tenant GUID; "+tenant+" in the issuer never matches.").
				WithEvidence("https://login.microsoftonline.com/<TENANT_ID>/v2.0", v).
				WithFix("Use the Directory (tenant) ID (a GUID) in the Issuer URL.")}
		}
		return []checks.Finding{checks.Passf("Issuer URL is the tenant's v2.0 issuer")}
	},
}

var checkEntraEndpoints = &checks.Check{
	ID:      "entra.endpoints",
	Title:   "Entra endpoints are the same tenant's v2.0 endpoints",
	Doc:     "All four URLs must name the same tenant, and the endpoints must be the v2.0 ones: /oauth2/v2.0/authorize, /oauth2/v2.0/token, /discovery/v2.0/keys. A common/organizations tenant in an endpoint fails for single-tenant apps (AADSTS50194).",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: is("entra"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		var out []checks.Finding
		issuerTenant := entraTenant(p.Config.Issuer)
		wantPath := map[checks.FieldKey]string{
			checks.AuthorizationEndpoint: "oauth2/v2.0/authorize",
			checks.TokenEndpoint:         "oauth2/v2.0/token",
			checks.JWKSURI:               "discovery/v2.0/keys",
		}
		for _, f := range urlFields(p.Config)[1:] {
			seg := checks.Segments(f.Value)
			if len(seg) == 0 {
				continue
			}
			tenant, rest := seg[0], strings.Join(seg[1:], "/")
			want := "https://" + checks.HostOf(f.Value) + "/" + orPlaceholder(issuerTenant, "<TENANT_ID>", entraAliases) + "/" + wantPath[f.Key]
			switch {
			case entraAliases[strings.ToLower(tenant)]:
				out = append(out, checks.Problem(checks.Warn, catalog.UnknownTenant, f.Label+" uses the "+tenant+" alias").
					WithDetail("A single-tenant app registration refuses /"+tenant+" (AADSTS50194); use your tenant ID.").WithEvidence(want, f.Value))
			case issuerTenant != "" && !entraAliases[strings.ToLower(issuerTenant)] && !strings.EqualFold(tenant, issuerTenant):
				out = append(out, checks.Problem(checks.Fail, catalog.EndpointMismatch, f.Label+" names another tenant than the issuer").
					WithDetail(fmt.Sprintf("The issuer names tenant %s, this value %s: tokens would come from one tenant and be checked against another.", issuerTenant, tenant)).
					WithEvidence(want, f.Value))
			}
			if rest != wantPath[f.Key] {
				row, st := catalog.EndpointMismatch, checks.Fail
				detail := "This is not the v2.0 endpoint; v1.0 endpoints issue tokens with the sts.windows.net issuer, which fail validation."
				if f.Key == checks.JWKSURI {
					row, st = catalog.JWKSMismatch, checks.Warn
					detail = "Entra serves the same keys at its v1 and v2.0 key URLs today, but use the v2.0 one that discovery publishes."
				}
				out = append(out, checks.Problem(st, row, f.Label+" is not Entra's v2.0 endpoint").WithDetail(detail).WithEvidence(want, f.Value))
			}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Endpoints are the same tenant's v2.0 endpoints")}
		}
		return out
	},
}
