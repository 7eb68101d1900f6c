package idp_test

import (
	"testing"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
)

func TestADFS(t *testing.T) {
	// As AD FS's discovery document publishes them (Microsoft's sample).
	good := checks.Config{
		Issuer:                "https://fs.acme.example/adfs",
		AuthorizationEndpoint: "https://fs.acme.example/adfs/oauth2/authorize/",
		TokenEndpoint:         "https://fs.acme.example/adfs/oauth2/token/",
		JWKSURI:               "https://fs.acme.example/adfs/discovery/keys",
		ClientID:              "5f2d6c1a-8b3e-4d7f-9a0b-1c2d3e4f5a6b",
	}
	noSlash := good
	noSlash.AuthorizationEndpoint, noSlash.TokenEndpoint = "https://fs.acme.example/adfs/oauth2/authorize", "https://fs.acme.example/adfs/oauth2/token"
	traps := []trap{
		{"federation service identifier as issuer", func(c *checks.Config) { c.Issuer = "https://fs.acme.example/adfs/services/trust" }, "adfs.paths", checks.Fail, catalog.TokenValidationFailure},
		{"trailing slash", func(c *checks.Config) { c.Issuer += "/" }, "values.issuer_slash", checks.Fail, catalog.TokenValidationFailure},
		{"WS-Federation endpoint", func(c *checks.Config) { c.AuthorizationEndpoint = "https://fs.acme.example/adfs/ls/" }, "adfs.paths", checks.Fail, catalog.EndpointMismatch},
		{"keys of another farm", func(c *checks.Config) { c.JWKSURI = "https://fs2.acme.example/adfs/discovery/keys" }, "adfs.paths", checks.Fail, catalog.JWKSMismatch},
		{"token path typo", func(c *checks.Config) { c.TokenEndpoint = "https://fs.acme.example/adfs/oauth/token/" }, "adfs.paths", checks.Fail, catalog.EndpointMismatch},
	}
	testProvider(t, idp.ADFS, []checks.Config{good, noSlash}, traps)
}
