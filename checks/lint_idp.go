package checks

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// parsed returns the value's URL, or nil when it does not parse as an
// absolute URL (values.urls reports that).
func parsed(v string) *url.URL {
	u, err := url.Parse(clean(v))
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// segments returns the non-empty path segments of a URL value.
func segments(v string) []string {
	u := parsed(v)
	if u == nil {
		return nil
	}
	var out []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hostOf(v string) string {
	if u := parsed(v); u != nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

// urlFields returns the four URL fields.
func urlFields(c Config) []Field { return c.Fields()[:4] }

// Entra.

// entraTenant returns the tenant segment of an Entra URL ("" if none).
func entraTenant(v string) string {
	if s := segments(v); len(s) > 0 {
		return s[0]
	}
	return ""
}

var entraAliases = map[string]bool{"common": true, "organizations": true, "consumers": true}

var checkEntraIssuer = &Check{
	ID:    "entra.issuer",
	Title: "Entra issuer is the tenant's v2.0 issuer",
	Doc:   "The Issuer URL must be https://login.microsoftonline.com/<tenant GUID>/v2.0: Entra's v2.0 tokens carry that iss. The portal's Authority URL (no /v2.0), the v1 issuer sts.windows.net, a domain name or the common/organizations alias in place of the tenant GUID all fail validation.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPEntra},
	Run: func(ctx context.Context, p *Target) []Finding {
		v := p.Config.Issuer
		u := parsed(v)
		if u == nil {
			return []Finding{Skipf("Not run: the Issuer URL is not a URL (see values.urls)")}
		}
		seg := segments(v)
		tenant := ""
		if len(seg) > 0 {
			tenant = seg[0]
		}
		want := "https://" + u.Host + "/" + orPlaceholder(tenant, "<TENANT_ID>") + "/v2.0"
		switch {
		case strings.EqualFold(u.Hostname(), "sts.windows.net"):
			want = "https://login.microsoftonline.com/" + orPlaceholder(tenant, "<TENANT_ID>") + "/v2.0"
			return []Finding{Problem(Fail, "invalid_issuer", "Issuer URL is Entra's v1 issuer").
				WithDetail("sts.windows.net is the issuer of v1.0 tokens; the desktop app signs in through the v2.0 endpoints, whose tokens carry the /v2.0 issuer.").
				WithEvidence(want, v).WithFix("Recreate the extension access with the Issuer URL " + want)}
		case entraAliases[strings.ToLower(tenant)]:
			return []Finding{Problem(Fail, "invalid_issuer", "Issuer URL uses the "+tenant+" alias instead of the tenant ID").
				WithDetail("Tokens carry iss with your tenant's GUID, never the alias; the discovery document of /"+tenant+" shows a {tenantid} template.").
				WithEvidence("https://login.microsoftonline.com/<TENANT_ID>/v2.0", v).
				WithFix("Use the Directory (tenant) ID from the app registration's Overview page in all four URLs.")}
		case len(seg) == 1 || (len(seg) >= 2 && seg[1] != "v2.0"):
			return []Finding{Problem(Fail, "invalid_issuer", "Issuer URL lacks the /v2.0 suffix").
				WithDetail("This is the portal's Authority URL. Entra's v2.0 tokens carry iss ending in /v2.0, so sign-in fails with \"Invalid issuer: "+want+"\".").
				WithEvidence(want, v).WithFix("Recreate the extension access with the Issuer URL " + want)}
		case len(seg) > 2 || strings.HasSuffix(u.Path, "/"):
			return []Finding{Problem(Fail, "token_validation_failure", "Issuer URL has extra characters after /v2.0").WithEvidence(want, v)}
		case tenant != "" && !guidRE.MatchString(tenant):
			return []Finding{Problem(Fail, "invalid_issuer", "Issuer URL names the tenant by domain, not by its ID").
				WithDetail("Tokens carry iss with the tenant GUID; "+tenant+" in the issuer never matches.").
				WithEvidence("https://login.microsoftonline.com/<TENANT_ID>/v2.0", v).
				WithFix("Use the Directory (tenant) ID (a GUID) in the Issuer URL.")}
		}
		return []Finding{Passf("Issuer URL is the tenant's v2.0 issuer")}
	},
}

func orPlaceholder(s, ph string) string {
	if s == "" || entraAliases[strings.ToLower(s)] {
		return ph
	}
	return s
}

var checkEntraEndpoints = &Check{
	ID:    "entra.endpoints",
	Title: "Entra endpoints are the same tenant's v2.0 endpoints",
	Doc:   "All four URLs must name the same tenant, and the endpoints must be the v2.0 ones: /oauth2/v2.0/authorize, /oauth2/v2.0/token, /discovery/v2.0/keys. A common/organizations tenant in an endpoint fails for single-tenant apps (AADSTS50194).",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPEntra},
	Run: func(ctx context.Context, p *Target) []Finding {
		var out []Finding
		issuerTenant := entraTenant(p.Config.Issuer)
		wantPath := map[string]string{
			"authorization_endpoint": "oauth2/v2.0/authorize",
			"token_endpoint":         "oauth2/v2.0/token",
			"jwks_uri":               "discovery/v2.0/keys",
		}
		for _, f := range urlFields(p.Config)[1:] {
			seg := segments(f.Value)
			if len(seg) == 0 {
				continue
			}
			tenant, rest := seg[0], strings.Join(seg[1:], "/")
			want := "https://" + hostOf(f.Value) + "/" + orPlaceholder(issuerTenant, "<TENANT_ID>") + "/" + wantPath[f.Key]
			switch {
			case entraAliases[strings.ToLower(tenant)]:
				out = append(out, Problem(Warn, "unknown_tenant", f.Label+" uses the "+tenant+" alias").
					WithDetail("A single-tenant app registration refuses /"+tenant+" (AADSTS50194); use your tenant ID.").WithEvidence(want, f.Value))
			case issuerTenant != "" && !entraAliases[strings.ToLower(issuerTenant)] && !strings.EqualFold(tenant, issuerTenant):
				out = append(out, Problem(Fail, "endpoint_mismatch", f.Label+" names another tenant than the issuer").
					WithDetail(fmt.Sprintf("The issuer names tenant %s, this value %s: tokens would come from one tenant and be checked against another.", issuerTenant, tenant)).
					WithEvidence(want, f.Value))
			}
			if rest != wantPath[f.Key] {
				row, st := "endpoint_mismatch", Fail
				detail := "This is not the v2.0 endpoint; v1.0 endpoints issue tokens with the sts.windows.net issuer, which fail validation."
				if f.Key == "jwks_uri" {
					row, st = "jwks_mismatch", Warn
					detail = "Entra serves the same keys at its v1 and v2.0 key URLs today, but use the v2.0 one that discovery publishes."
				}
				out = append(out, Problem(st, row, f.Label+" is not Entra's v2.0 endpoint").WithDetail(detail).WithEvidence(want, f.Value))
			}
		}
		if len(out) == 0 {
			return []Finding{Passf("Endpoints are the same tenant's v2.0 endpoints")}
		}
		return out
	},
}

// Okta.

// oktaServer returns which authorization server an Okta URL belongs to:
// "org" for /oauth2/v1/…, the server id for /oauth2/<id>/…, "" if unknown.
func oktaServer(v string, isIssuer bool) string {
	seg := segments(v)
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

var checkOktaHost = &Check{
	ID:    "okta.host",
	Title: "Okta values use the org URL, one host",
	Doc:   "The -admin host serves only the admin console (404 on /oauth2/…); all four URLs must be on the same Okta org host.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPOkta},
	Run: func(ctx context.Context, p *Target) []Finding {
		var out []Finding
		issuerHost := hostOf(p.Config.Issuer)
		for _, f := range urlFields(p.Config) {
			h := hostOf(f.Value)
			if h == "" {
				continue
			}
			if i := strings.Index(h, "-admin."); i > 0 {
				fixed := strings.Replace(clean(f.Value), "-admin.", ".", 1)
				out = append(out, Problem(Fail, "okta_admin_host", f.Label+" uses the -admin host").
					WithDetail(h+" serves only the Okta admin console; its /oauth2/ paths answer 404 Page Not Found.").
					WithEvidence(fixed, f.Value).WithFix("Use the org URL without -admin: "+fixed))
				continue
			}
			if f.Key != "issuer" && issuerHost != "" && h != issuerHost && !strings.Contains(issuerHost, "-admin.") {
				out = append(out, Problem(Fail, "endpoint_mismatch", f.Label+" is on another host than the issuer").
					WithEvidence("https://"+issuerHost+"/…", f.Value))
			}
		}
		if len(out) == 0 {
			return []Finding{Passf("All values are on the org host %s", issuerHost)}
		}
		return out
	},
}

var checkOktaAuthServer = &Check{
	ID:    "okta.auth_server",
	Title: "Okta values come from one authorization server",
	Doc:   "Okta's org authorization server (/oauth2/v1/…) and each custom server (/oauth2/<id>/…, such as default) sign with their own keys and accept only their own tokens. Issuer, endpoints and JWKS must all belong to one server, or validation fails (JWKS) and userinfo answers 401.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPOkta},
	Run: func(ctx context.Context, p *Target) []Finding {
		c := p.Config
		iss := oktaServer(c.Issuer, true)
		if iss == "" {
			return []Finding{Problem(Warn, "token_validation_failure", "Issuer URL is not an Okta authorization server's issuer").
				WithEvidence("https://<OKTA_DOMAIN>/oauth2/default", c.Issuer).
				WithDetail("Okta issuers are https://<domain> (org server) or https://<domain>/oauth2/<server id>.")}
		}
		var out []Finding
		suffix := map[string]string{"authorization_endpoint": "/v1/authorize", "token_endpoint": "/v1/token", "jwks_uri": "/v1/keys"}
		base := strings.TrimSuffix(clean(c.Issuer), "/")
		if iss == "org" {
			base += "/oauth2"
		}
		for _, f := range urlFields(c)[1:] {
			s := oktaServer(f.Value, false)
			want := base + suffix[f.Key]
			if s == "" || s == iss {
				if s == iss && parsed(f.Value) != nil && !strings.HasSuffix(strings.TrimSuffix(parsed(f.Value).Path, "/"), suffix[f.Key]) {
					out = append(out, Problem(Fail, fieldRow(f.Key), f.Label+" has an unexpected path").WithEvidence(want, f.Value))
				}
				continue
			}
			detail := fmt.Sprintf("The issuer is %s, but this value belongs to %s.", oktaServerName(iss), oktaServerName(s))
			switch f.Key {
			case "jwks_uri":
				out = append(out, Problem(Fail, "jwks_mismatch", "JWKS URI is another authorization server's").
					WithDetail(detail+" Its keys do not sign this issuer's tokens, so validation fails.").WithEvidence(want, f.Value))
			case "token_endpoint":
				out = append(out, Problem(Fail, "userinfo_unauthorized", "Token endpoint is another authorization server's").
					WithDetail(detail+" Its tokens are rejected by this issuer's userinfo endpoint (HTTP 401) and fail validation.").WithEvidence(want, f.Value))
			default:
				out = append(out, Problem(Fail, "endpoint_mismatch", "Authorization endpoint is another authorization server's").
					WithDetail(detail).WithEvidence(want, f.Value))
			}
		}
		if len(out) == 0 {
			return []Finding{Passf("All values belong to %s", oktaServerName(iss))}
		}
		return out
	},
}

// Google.

var checkGoogleValues = &Check{
	ID:    "google.values",
	Title: "Google values, with the client secret in the token URL",
	Doc:   "Google's issuer is exactly https://accounts.google.com; desktop clients must send their client secret at the token endpoint even with PKCE, and the desktop app sends it only as the token endpoint's client_secret query parameter.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPGoogle},
	Run: func(ctx context.Context, p *Target) []Finding {
		c := p.Config
		var out []Finding
		if clean(c.Issuer) != "https://accounts.google.com" && clean(c.Issuer) != "" {
			out = append(out, Problem(Fail, "token_validation_failure", "Issuer URL is not Google's issuer").
				WithEvidence("https://accounts.google.com", c.Issuer))
		}
		u := parsed(c.TokenEndpoint)
		if u != nil {
			secret := u.Query().Get("client_secret")
			switch {
			case !u.Query().Has("client_secret"):
				out = append(out, Problem(Fail, "google_client_secret_missing", "Token endpoint lacks ?client_secret=").
					WithDetail("Google answers \"client_secret is missing.\" at the token exchange: desktop OAuth clients must send their secret, and the desktop app sends only what the token endpoint URL carries.").
					WithEvidence("https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>", c.TokenEndpoint))
			case secret == "" || placeholderRE.MatchString(secret):
				out = append(out, Problem(Fail, "google_client_secret_missing", "Token endpoint's client_secret is empty or a placeholder").
					WithEvidence("https://oauth2.googleapis.com/token?client_secret=<your client secret>", c.TokenEndpoint))
			case c.ClientSecret != "" && c.ClientSecret != secret:
				out = append(out, Problem(Warn, "google_client_secret_missing", "The token endpoint's client_secret differs from the client secret given").
					WithDetail("The desktop app sends the one in the URL.").WithEvidence("the same secret", "two different secrets"))
			}
			if !strings.EqualFold(u.Host, "oauth2.googleapis.com") || u.Path != "/token" {
				out = append(out, Problem(Fail, "endpoint_mismatch", "Token endpoint is not Google's").
					WithEvidence("https://oauth2.googleapis.com/token?client_secret=…", stripQuery(clean(c.TokenEndpoint))))
			}
		}
		if a := clean(c.AuthorizationEndpoint); a != "" && a != "https://accounts.google.com/o/oauth2/v2/auth" {
			out = append(out, Problem(Warn, "endpoint_mismatch", "Authorization endpoint is not the one Google's discovery publishes").
				WithEvidence("https://accounts.google.com/o/oauth2/v2/auth", c.AuthorizationEndpoint))
		}
		if j := clean(c.JWKSURI); j != "" && j != "https://www.googleapis.com/oauth2/v3/certs" {
			out = append(out, Problem(Fail, "jwks_mismatch", "JWKS URI is not Google's").
				WithEvidence("https://www.googleapis.com/oauth2/v3/certs", c.JWKSURI))
		}
		if len(out) == 0 {
			return []Finding{Passf("Google values are as Google publishes them, with the client secret in the token URL")}
		}
		return out
	},
}

// PingOne.

// pingOneEnv returns the environment id of a PingOne URL ("" if none).
func pingOneEnv(v string) string {
	if idpOf(v) != IdPPingOne {
		return ""
	}
	if s := segments(v); len(s) > 0 {
		return s[0]
	}
	return ""
}

var checkPingOneEnvironment = &Check{
	ID:    "pingone.environment",
	Title: "PingOne values share one region and environment",
	Doc:   "PingOne's domain depends on the region (auth.pingone.com, .eu, .ca, .asia, .com.au); all four URLs must use the same regional domain and the same environment ID, in the documented paths (/<env>/as, /as/authorize, /as/token, /as/jwks).",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPPingOne},
	Run: func(ctx context.Context, p *Target) []Finding {
		c := p.Config
		var out []Finding
		host, env := hostOf(c.Issuer), pingOneEnv(c.Issuer)
		if env != "" && !guidRE.MatchString(env) {
			out = append(out, Problem(Fail, "unknown_tenant", "Issuer URL does not name an environment ID").
				WithDetail("PingOne URLs start with the environment ID, a GUID, after the domain.").WithEvidence("https://"+host+"/<ENV_ID>/as", c.Issuer))
		}
		want := map[string]string{"issuer": "as", "authorization_endpoint": "as/authorize", "token_endpoint": "as/token", "jwks_uri": "as/jwks"}
		for _, f := range urlFields(c) {
			if idpOf(f.Value) != IdPPingOne {
				continue
			}
			seg := segments(f.Value)
			expected := "https://" + host + "/" + orPlaceholder(env, "<ENV_ID>") + "/" + want[f.Key]
			switch {
			case hostOf(f.Value) != host:
				out = append(out, Problem(Fail, "endpoint_mismatch", f.Label+" uses another regional domain than the issuer").
					WithDetail("Each PingOne region has its own domain; an environment exists in one region only.").WithEvidence(expected, f.Value))
			case len(seg) > 0 && env != "" && !strings.EqualFold(seg[0], env):
				out = append(out, Problem(Fail, "endpoint_mismatch", f.Label+" names another environment than the issuer").
					WithEvidence(expected, f.Value))
			case len(seg) > 0 && strings.Join(seg[1:], "/") != want[f.Key]:
				out = append(out, Problem(Fail, fieldRow(f.Key), f.Label+" has an unexpected path").WithEvidence(expected, f.Value))
			}
		}
		if len(out) == 0 {
			return []Finding{Passf("All values name environment %s on %s", env, host)}
		}
		return out
	},
}

// PingFederate.

var checkPingFederatePaths = &Check{
	ID:    "pingfederate.paths",
	Title: "PingFederate values on one host, in the standard paths",
	Doc:   "PingFederate serves /as/authorization.oauth2, /as/token.oauth2 and /pf/JWKS on the host named by its issuer (base URL); all values must be on that host.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPPingFederate},
	Run: func(ctx context.Context, p *Target) []Finding {
		c := p.Config
		var out []Finding
		host := hostOf(c.Issuer)
		want := map[string]string{"authorization_endpoint": "/as/authorization.oauth2", "token_endpoint": "/as/token.oauth2", "jwks_uri": "/pf/JWKS"}
		for _, f := range urlFields(c)[1:] {
			u := parsed(f.Value)
			if u == nil {
				continue
			}
			expected := "https://" + orPlaceholder(host, "<PINGFEDERATE_HOST>") + want[f.Key]
			if host != "" && strings.ToLower(u.Host) != host {
				out = append(out, Problem(Fail, fieldRow(f.Key), f.Label+" is on another host than the issuer").WithEvidence(expected, f.Value))
			} else if u.Path != want[f.Key] {
				out = append(out, Problem(Warn, fieldRow(f.Key), f.Label+" is not PingFederate's standard path").
					WithDetail("Right only if your PingFederate publishes this path in its discovery document.").WithEvidence(expected, f.Value))
			}
		}
		if len(out) == 0 {
			return []Finding{Passf("Values are on %s in PingFederate's standard paths", host)}
		}
		return out
	},
}

// Cognito.

var cognitoIssuerRE = regexp.MustCompile(`^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([a-z0-9-]+)_([A-Za-z0-9]+)$`)

var checkCognitoProxy = &Check{
	ID:    "cognito.proxy",
	Title: "Cognito endpoints go through the scope-stripping proxy",
	Doc:   "The desktop app always asks for offline_access, which Cognito rejects (invalid_scope); the authorization and token endpoints must be the proxy's. The issuer and JWKS URI stay Cognito's user-pool URLs, in the pool's region.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPCognito},
	Run: func(ctx context.Context, p *Target) []Finding {
		c := p.Config
		var out []Finding
		for _, f := range urlFields(c)[1:3] {
			h := hostOf(f.Value)
			if strings.HasSuffix(h, ".amazoncognito.com") || (strings.HasPrefix(h, "cognito-idp.") && strings.HasSuffix(h, ".amazonaws.com")) {
				out = append(out, Problem(Fail, "cognito_offline_access", f.Label+" points straight at Cognito").
					WithDetail("The desktop app sends scope offline_access, which Cognito does not have: Cognito answers invalid_scope. Only the proxy strips it.").
					WithEvidence("the proxy's endpoint (stack output "+map[string]string{"authorization_endpoint": "AuthEndpoint", "token_endpoint": "TokenEndpoint"}[f.Key]+")", f.Value))
			}
		}
		iss := clean(c.Issuer)
		m := cognitoIssuerRE.FindStringSubmatch(iss)
		switch {
		case iss == "":
		case m == nil:
			out = append(out, Problem(Fail, "token_validation_failure", "Issuer URL is not a Cognito user pool issuer").
				WithEvidence("https://cognito-idp.<region>.amazonaws.com/<region>_<pool>", c.Issuer).
				WithFix("Use the stack output IssuerUrl."))
		case m[1] != m[2]:
			out = append(out, Problem(Fail, "token_validation_failure", "Issuer URL's region differs from the pool ID's region").
				WithEvidence("https://cognito-idp."+m[2]+".amazonaws.com/"+m[2]+"_"+m[3], c.Issuer))
		case clean(c.JWKSURI) != iss+"/.well-known/jwks.json":
			out = append(out, Problem(Fail, "jwks_mismatch", "JWKS URI is not the pool's key set").
				WithEvidence(iss+"/.well-known/jwks.json", c.JWKSURI).WithFix("Use the stack output JwksUri."))
		}
		if len(out) == 0 {
			return []Finding{Passf("Endpoints are the proxy's; issuer and keys are the user pool's")}
		}
		return out
	},
}

// Auth0.

var checkAuth0Issuer = &Check{
	ID:    "auth0.issuer",
	Title: "Auth0 issuer keeps its trailing slash",
	Doc:   "Auth0's issuer ends with a slash (https://<tenant>.auth0.com/), and tokens carry it so; without it validation fails.",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPAuth0},
	Run: func(ctx context.Context, p *Target) []Finding {
		iss := clean(p.Config.Issuer)
		if iss != "" && !strings.HasSuffix(iss, "/") {
			return []Finding{Problem(Fail, "token_validation_failure", "Auth0 issuer lacks its trailing slash").
				WithEvidence(iss+"/", p.Config.Issuer)}
		}
		return []Finding{Passf("Issuer URL ends with a slash, as Auth0's tokens do")}
	},
}

// Trailing slash, for providers whose issuers never end with one.

var checkIssuerSlash = &Check{
	ID:    "values.issuer_slash",
	Title: "Issuer URL has no trailing slash",
	Doc:   "Entra, Google, Okta, PingOne, PingFederate and Cognito issuers do not end with a slash; issuer comparison is exact, so a trailing slash is a different issuer. (Auth0's does end with one; other providers are compared with discovery.)",
	Phase: PhaseValues,
	IdPs:  []IdP{IdPEntra, IdPGoogle, IdPOkta, IdPPingOne, IdPPingFederate, IdPCognito},
	Run: func(ctx context.Context, p *Target) []Finding {
		iss := clean(p.Config.Issuer)
		if strings.HasSuffix(iss, "/") {
			return []Finding{Problem(Fail, "token_validation_failure", "Issuer URL ends with a slash").
				WithDetail(p.IdP.Name()+" issues tokens whose iss has no trailing slash; the comparison is exact.").
				WithEvidence(strings.TrimRight(iss, "/"), p.Config.Issuer)}
		}
		return []Finding{Passf("Issuer URL has no trailing slash")}
	},
}
