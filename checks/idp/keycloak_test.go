package idp_test

import (
	"testing"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
)

func TestKeycloak(t *testing.T) {
	realm := func(base string) checks.Config {
		return checks.Config{
			Issuer:                base,
			AuthorizationEndpoint: base + "/protocol/openid-connect/auth",
			TokenEndpoint:         base + "/protocol/openid-connect/token",
			JWKSURI:               base + "/protocol/openid-connect/certs",
			ClientID:              "quick-desktop",
		}
	}
	goods := []checks.Config{
		realm("https://sso.acme.example/realms/acme"),
		realm("https://id.acme.example/auth/realms/Acme-Prod"), // before Keycloak 17
	}
	traps := []trap{
		{"trailing slash", func(c *checks.Config) { c.Issuer += "/" }, "values.issuer_slash", checks.Fail, catalog.TokenValidationFailure},
		{"issuer is the protocol base", func(c *checks.Config) { c.Issuer += "/protocol/openid-connect" }, "keycloak.paths", checks.Fail, catalog.TokenValidationFailure},
		{"another realm's keys", func(c *checks.Config) {
			c.JWKSURI = "https://sso.acme.example/realms/master/protocol/openid-connect/certs"
		}, "keycloak.paths", checks.Fail, catalog.JWKSMismatch},
		{"another realm's token endpoint", func(c *checks.Config) {
			c.TokenEndpoint = "https://sso.acme.example/realms/master/protocol/openid-connect/token"
		}, "keycloak.paths", checks.Fail, catalog.EndpointMismatch},
		{"authorize spelt out", func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://sso.acme.example/realms/acme/protocol/openid-connect/authorize"
		}, "keycloak.paths", checks.Fail, catalog.EndpointMismatch},
		{"old /auth in one value", func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://sso.acme.example/auth/realms/acme/protocol/openid-connect/auth"
		}, "keycloak.paths", checks.Fail, catalog.EndpointMismatch},
		{"back-channel host", func(c *checks.Config) {
			c.TokenEndpoint = "https://keycloak.internal.acme.example/realms/acme/protocol/openid-connect/token"
		}, "keycloak.paths", checks.Warn, catalog.EndpointMismatch},
	}
	testProvider(t, idp.Keycloak, goods, traps)
}
