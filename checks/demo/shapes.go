package demo

import "strings"

// Shape is how an IdP lays out its URLs, reproduced on loopback: the
// issuer's path and each endpoint's, and what its client IDs look like.
// Paths may name {tenant}; the practice provider serves them all on one
// port and routes them to the OpenID provider inside.
type Shape struct {
	// IdP is the profile's ID (package idp).
	IdP string
	// Issuer is the issuer's path ("" for the origin itself).
	Issuer string
	// IssuerSlash is true when the issuer ends with a slash (Auth0).
	IssuerSlash                      bool
	Authorize, Token, JWKS, Userinfo string
	// ClientID is a client ID of the IdP's shape.
	ClientID string
	// Secret is the client secret the shape needs (Google's), put in the
	// token endpoint's query as the desktop app sends it.
	Secret string
	// OtherJWKS is where another authorization server's keys are (Okta's
	// org server), for the values trap that enters them.
	OtherJWKS string
}

const tenant = "8f3b1c2d-4e5f-4a6b-9c7d-1e2f3a4b5c6d"

// shapes are the URL layouts of every IdP quickdiag knows.
var shapes = map[string]Shape{
	"okta": {IdP: "okta", Issuer: "/oauth2/default", Authorize: "/oauth2/default/v1/authorize", Token: "/oauth2/default/v1/token",
		JWKS: "/oauth2/default/v1/keys", Userinfo: "/oauth2/default/v1/userinfo", ClientID: "0oa8f2kq1zXyZ9AbC4x7", OtherJWKS: "/oauth2/v1/keys"},
	"entra": {IdP: "entra", Issuer: "/" + tenant + "/v2.0", Authorize: "/" + tenant + "/oauth2/v2.0/authorize", Token: "/" + tenant + "/oauth2/v2.0/token",
		JWKS: "/" + tenant + "/discovery/v2.0/keys", Userinfo: "/oidc/userinfo", ClientID: "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23", OtherJWKS: "/common/discovery/keys"},
	"google": {IdP: "google", Issuer: "", Authorize: "/o/oauth2/v2/auth", Token: "/token", JWKS: "/oauth2/v3/certs", Userinfo: "/v1/userinfo",
		ClientID: "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com", Secret: "GOCSPX-practiceSecretValue1234"},
	"pingfederate": {IdP: "pingfederate", Issuer: "", Authorize: "/as/authorization.oauth2", Token: "/as/token.oauth2", JWKS: "/pf/JWKS",
		Userinfo: "/idp/userinfo.openid", ClientID: "quick-desktop"},
	"pingone": {IdP: "pingone", Issuer: "/2f1d3c4b-5a6e-4f70-8192-a3b4c5d6e7f8/as", Authorize: "/2f1d3c4b-5a6e-4f70-8192-a3b4c5d6e7f8/as/authorize",
		Token: "/2f1d3c4b-5a6e-4f70-8192-a3b4c5d6e7f8/as/token", JWKS: "/2f1d3c4b-5a6e-4f70-8192-a3b4c5d6e7f8/as/jwks",
		Userinfo: "/2f1d3c4b-5a6e-4f70-8192-a3b4c5d6e7f8/as/userinfo", ClientID: "6b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"},
	"cognito": {IdP: "cognito", Issuer: "/us-east-1_AbCdEfGhI", Authorize: "/oauth2/authorize", Token: "/oauth2/token",
		JWKS: "/us-east-1_AbCdEfGhI/.well-known/jwks.json", Userinfo: "/oauth2/userInfo", ClientID: "1h57kf5cpq17m0eml12EXAMPLE"},
	"auth0": {IdP: "auth0", Issuer: "", IssuerSlash: true, Authorize: "/authorize", Token: "/oauth/token", JWKS: "/.well-known/jwks.json",
		Userinfo: "/userinfo", ClientID: "AbCdEfGhIjKlMnOpQrStUvWxYz012345"},
	"keycloak": {IdP: "keycloak", Issuer: "/realms/acme", Authorize: "/realms/acme/protocol/openid-connect/auth", Token: "/realms/acme/protocol/openid-connect/token",
		JWKS: "/realms/acme/protocol/openid-connect/certs", Userinfo: "/realms/acme/protocol/openid-connect/userinfo", ClientID: "quick-desktop"},
	"adfs": {IdP: "adfs", Issuer: "/adfs", Authorize: "/adfs/oauth2/authorize/", Token: "/adfs/oauth2/token/", JWKS: "/adfs/discovery/keys",
		Userinfo: "/adfs/userinfo", ClientID: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"},
	"generic": {IdP: "generic", Issuer: "/oidc", Authorize: "/oidc/auth", Token: "/oidc/token", JWKS: "/oidc/keys", Userinfo: "/oidc/me", ClientID: "quick-desktop"},
}

// ShapeOf returns the URL layout of an IdP by its ID (generic's for one
// without).
func ShapeOf(idp string) Shape {
	if s, ok := shapes[idp]; ok {
		return s
	}
	return shapes["generic"]
}

// issuerURL is the issuer of the shape at origin.
func (s Shape) issuerURL(origin string) string {
	u := origin + s.Issuer
	if s.IssuerSlash && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// discoveryPath is where the shape serves its discovery document.
func (s Shape) discoveryPath() string {
	return strings.TrimSuffix(s.Issuer, "/") + "/.well-known/openid-configuration"
}
