package saml

import "strings"

// The claim URI prefixes Entra (and AD FS) name attributes with.
const (
	claimsXMLSoap   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	claimsMicrosoft = "http://schemas.microsoft.com/identity/claims/"
	claimsWS2008    = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
	claimGroupsLink = "http://schemas.microsoft.com/claims/groups.link"
)

// claimSources names the Entra user attribute behind a default claim.
var claimSources = map[string]string{
	claimsXMLSoap + "emailaddress":       "user.mail",
	claimsXMLSoap + "name":               "user.userprincipalname",
	claimsXMLSoap + "givenname":          "user.givenname",
	claimsXMLSoap + "surname":            "user.surname",
	claimsXMLSoap + "upn":                "user.userprincipalname",
	claimsMicrosoft + "objectidentifier": "the user's object ID",
	claimsMicrosoft + "tenantid":         "the tenant ID",
	claimsMicrosoft + "displayname":      "user.displayname",
	claimsWS2008 + "groups":              "the user's groups",
}

// claimLabel names an attribute for a person: a claim URI of Entra's with
// its short name and, for the default claims, the user attribute it comes
// from ("http://…/emailaddress (emailaddress, from user.mail)").
func claimLabel(name string) string {
	for _, p := range []string{claimsXMLSoap, claimsMicrosoft, claimsWS2008, "http://schemas.microsoft.com/claims/"} {
		if short, ok := strings.CutPrefix(name, p); ok && short != "" {
			if src := claimSources[name]; src != "" {
				return name + " (" + short + ", from " + src + ")"
			}
			return name + " (" + short + ")"
		}
	}
	return name
}
