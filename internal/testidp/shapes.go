package testidp

import "github.com/quickdiag/quickdiag/checks"

// Okta-shaped deployments: an org authorization server at the root
// (/oauth2/v1/…) and the custom server "default" (/oauth2/default/v1/…),
// each with its own signing key.

// OktaClientID is the desktop client's id in the Okta-shaped servers.
const OktaClientID = "0oa1quickdiagtest0x7"

// OktaServers returns the org and default servers, both knowing client.
func OktaServers(client Client) []Server {
	return []Server{
		{
			Name: "okta-default", Mount: "/oauth2/default",
			Routes:  map[string]string{"authorization": "/v1/authorize", "token": "/v1/token", "jwks": "/v1/keys", "userinfo": "/v1/userinfo"},
			Clients: []Client{client},
		},
		{
			Name: "okta-org", Mount: "",
			Routes:  map[string]string{"authorization": "/oauth2/v1/authorize", "token": "/oauth2/v1/token", "jwks": "/oauth2/v1/keys", "userinfo": "/oauth2/v1/userinfo"},
			Clients: []Client{client},
		},
	}
}

// OktaConfig returns the five values of the default server, as the seeds
// document them.
func (p *IdP) OktaConfig() checks.Config { return p.ServerConfig("default") }

// Entra-shaped deployment: tenant-prefixed v2.0 paths.

// EntraTenant and EntraClientID are the tenant and application ids of the
// Entra-shaped server.
const (
	EntraTenant   = "8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c"
	EntraClientID = "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23"
)

// EntraServer returns a server with Entra's paths under the tenant.
func EntraServer(client Client) Server {
	issuer := "/" + EntraTenant + "/v2.0"
	return Server{
		Name: "entra", Mount: "/" + EntraTenant, IssuerPath: &issuer,
		DiscoveryAlias: issuer + "/.well-known/openid-configuration",
		Routes: map[string]string{
			"authorization": "/oauth2/v2.0/authorize", "token": "/oauth2/v2.0/token",
			"jwks": "/discovery/v2.0/keys", "userinfo": "/oidc/userinfo",
		},
		Clients: []Client{client},
	}
}

// EntraConfig returns the five values of the Entra-shaped server, as the
// seeds document them.
func (p *IdP) EntraConfig() checks.Config {
	t := p.Origin + "/" + EntraTenant
	return checks.Config{
		Issuer:                t + "/v2.0",
		AuthorizationEndpoint: t + "/oauth2/v2.0/authorize",
		TokenEndpoint:         t + "/oauth2/v2.0/token",
		JWKSURI:               t + "/discovery/v2.0/keys",
		ClientID:              EntraClientID,
		IdP:                   "entra",
	}
}
