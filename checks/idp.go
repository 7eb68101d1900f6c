package checks

import (
	"fmt"
	"net/url"
	"strings"
)

// IdP names an identity provider family. Its value is what --idp takes.
type IdP string

// The identity providers quickdiag knows. IdPAuto asks for recognition from
// the values' shapes.
const (
	IdPAuto         IdP = "auto"
	IdPEntra        IdP = "entra"
	IdPGoogle       IdP = "google"
	IdPOkta         IdP = "okta"
	IdPPingFederate IdP = "pingfederate"
	IdPPingOne      IdP = "pingone"
	IdPCognito      IdP = "cognito"
	IdPAuth0        IdP = "auth0"
	IdPGeneric      IdP = "generic"
)

// IdPs lists the concrete identity providers, in the order the wizard shows them.
var IdPs = []IdP{IdPEntra, IdPGoogle, IdPOkta, IdPPingFederate, IdPPingOne, IdPCognito, IdPAuth0, IdPGeneric}

// Name returns the provider's display name.
func (p IdP) Name() string {
	switch p {
	case IdPEntra:
		return "Microsoft Entra ID"
	case IdPGoogle:
		return "Google Workspace"
	case IdPOkta:
		return "Okta"
	case IdPPingFederate:
		return "PingFederate"
	case IdPPingOne:
		return "PingOne"
	case IdPCognito:
		return "Amazon Cognito (via proxy)"
	case IdPAuth0:
		return "Auth0"
	case IdPGeneric:
		return "Other OIDC provider"
	}
	return string(p)
}

// ParseIdP parses an --idp value. The empty string means IdPAuto.
func ParseIdP(s string) (IdP, error) {
	v := IdP(strings.ToLower(strings.TrimSpace(s)))
	if v == "" || v == IdPAuto {
		return IdPAuto, nil
	}
	for _, p := range IdPs {
		if v == p {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown IdP %q: use one of auto, entra, google, okta, pingfederate, pingone, cognito, auth0, generic", s)
}

// DetectIdP recognises the identity provider from the shapes of the values.
// It returns IdPGeneric when no value is recognisable.
func DetectIdP(c Config) IdP {
	values := []string{c.Issuer, c.AuthorizationEndpoint, c.TokenEndpoint, c.JWKSURI}
	// The issuer decides first: behind a proxy (Cognito) the endpoints point elsewhere.
	for _, v := range values {
		if p := idpOf(v); p != IdPGeneric {
			return p
		}
	}
	return IdPGeneric
}

// idpOf recognises one URL.
func idpOf(raw string) IdP {
	u, err := url.Parse(strings.TrimSpace(strings.Trim(strings.TrimSpace(raw), `"'`)))
	if err != nil || u.Host == "" {
		return IdPGeneric
	}
	host := strings.ToLower(u.Hostname())
	path := u.Path
	switch {
	case host == "login.microsoftonline.com" || host == "login.microsoft.com" || host == "sts.windows.net" ||
		strings.HasSuffix(host, ".ciamlogin.com") || host == "login.microsoftonline.us" || host == "login.partner.microsoftonline.cn":
		return IdPEntra
	case host == "accounts.google.com" || strings.HasSuffix(host, ".googleapis.com"):
		return IdPGoogle
	case hasAnySuffix(host, ".okta.com", ".oktapreview.com", ".okta-emea.com", ".okta-gov.com", ".okta.mil", ".trexcloud.com"):
		return IdPOkta
	case strings.HasPrefix(host, "auth.pingone.") || strings.HasPrefix(host, "auth.ping-") || hasAnySuffix(host, ".pingone.com", ".pingone.eu", ".pingone.ca", ".pingone.asia", ".pingone.com.au", ".pingone.sg"):
		return IdPPingOne
	case strings.HasPrefix(host, "cognito-idp.") && strings.HasSuffix(host, ".amazonaws.com"),
		strings.HasSuffix(host, ".amazoncognito.com"):
		return IdPCognito
	case hasAnySuffix(host, ".auth0.com"):
		return IdPAuth0
	case strings.HasPrefix(path, "/as/") && strings.HasSuffix(path, ".oauth2"), strings.EqualFold(path, "/pf/JWKS"):
		return IdPPingFederate
	case strings.HasPrefix(path, "/oauth2/default") || strings.HasPrefix(path, "/oauth2/aus") || strings.HasPrefix(path, "/oauth2/v1/"):
		return IdPOkta // Okta custom domain
	}
	return IdPGeneric
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}
