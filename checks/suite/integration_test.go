package suite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// Clients registered next to the correct desktop client.
const (
	wrongRedirectClient = "0oa1wrongredirect0x7"
)

// clientsFor returns the correct desktop client id plus the broken ones.
func clientsFor(id string) []testidp.Client {
	wrong := testidp.DesktopClient(wrongRedirectClient)
	wrong.RedirectURIs = []string{"http://127.0.0.1:18080"} // localhost ≠ 127.0.0.1
	return []testidp.Client{testidp.DesktopClient(id), wrong}
}

// startOkta starts the Okta-shaped org and default servers, and a third
// custom server "noscope" that does not offer offline_access.
func startOkta(t *testing.T) *testidp.IdP {
	servers := testidp.OktaServers(testidp.DesktopClient(testidp.OktaClientID))
	servers[0].Clients = clientsFor(testidp.OktaClientID)
	noScope := servers[0]
	noScope.Name, noScope.Mount = "okta-noscope", "/oauth2/noscope"
	noScope.RejectScopes = []string{"offline_access"}
	return testidp.Start(t, testidp.Options{Servers: append(servers, noScope)})
}

func runLive(t *testing.T, idp *testidp.IdP, c checks.Config) *checks.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return suite.Run(ctx, c, suite.Options{HTTPClient: idp.HTTPClient()})
}

func TestProviderOkta(t *testing.T) {
	idp := startOkta(t)
	org := idp.Origin + "/oauth2/v1"

	t.Run("correct values pass", func(t *testing.T) {
		r := runLive(t, idp, idp.OktaConfig())
		for _, f := range r.Findings {
			if f.Status != checks.Pass {
				t.Errorf("%s: %s %s %s %+v", f.Check, f.Status, f.Row, f.Title, f.Evidence)
			}
		}
		if len(testidp.Findings(r, "probe.authorize")) != 1 {
			t.Errorf("the probe did not run:\n%s", testidp.Dump(r))
		}
	})

	tests := []struct {
		name   string
		edit   func(*checks.Config)
		check  string
		status checks.Status
		row    catalog.ID
		want   string
	}{
		{"token endpoint of the org server", func(c *checks.Config) { c.TokenEndpoint = org + "/token" },
			"discovery.endpoints", checks.Fail, "endpoint_mismatch", "/oauth2/v1/token"},
		{"token endpoint of the org server (static)", func(c *checks.Config) { c.TokenEndpoint = org + "/token" },
			"okta.auth_server", checks.Fail, "userinfo_unauthorized", "org authorization server"},
		{"authorization endpoint of the org server", func(c *checks.Config) { c.AuthorizationEndpoint = org + "/authorize" },
			"discovery.endpoints", checks.Fail, "endpoint_mismatch", "/oauth2/v1/authorize"},
		{"JWKS of the org server", func(c *checks.Config) { c.JWKSURI = org + "/keys" },
			"jwks.same_keys", checks.Fail, "jwks_mismatch", "None of the issuer's signing keys"},
		{"issuer with a trailing slash", func(c *checks.Config) { c.Issuer += "/" },
			"discovery.issuer", checks.Fail, "token_validation_failure", "differs"},
		{"issuer of the org server", func(c *checks.Config) { c.Issuer = idp.Origin },
			"discovery.endpoints", checks.Fail, "endpoint_mismatch", "/oauth2/v1/authorize"},
		{"client registered with another redirect URI", func(c *checks.Config) { c.ClientID = wrongRedirectClient },
			"probe.authorize", checks.Fail, "redirect_mismatch", "redirect_uri did not match"},
		{"offline_access not offered by the server", func(c *checks.Config) {
			for _, v := range []*string{&c.Issuer, &c.AuthorizationEndpoint, &c.TokenEndpoint, &c.JWKSURI} {
				*v = strings.Replace(*v, "/oauth2/default", "/oauth2/noscope", 1)
			}
		}, "probe.authorize", checks.Fail, "invalid_scope", "One or more scopes are not configured"},
		{"unknown client", func(c *checks.Config) { c.ClientID = "0oa1doesnotexist00x7" },
			"probe.authorize", checks.Fail, "invalid_client", "invalid_client"},
		{"wrong authorization path", func(c *checks.Config) { c.AuthorizationEndpoint = idp.Origin + "/oauth2/default/v1/authorise" },
			"probe.authorize", checks.Fail, "endpoint_mismatch", "HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := idp.OktaConfig()
			tt.edit(&c)
			testidp.Expect(t, runLive(t, idp, c), tt.check, tt.status, tt.row, tt.want)
		})
	}
}

func TestProviderEntra(t *testing.T) {
	server := testidp.EntraServer(testidp.DesktopClient(testidp.EntraClientID))
	wrong := testidp.DesktopClient("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9")
	wrong.RedirectURIs = []string{"http://localhost:18080/callback"}
	server.Clients = append(server.Clients, wrong)
	idp := testidp.Start(t, testidp.Options{Servers: []testidp.Server{server}})

	t.Run("correct values pass", func(t *testing.T) {
		r := runLive(t, idp, idp.EntraConfig())
		for _, f := range r.Findings {
			if f.Status != checks.Pass {
				t.Errorf("%s: %s %s %s %+v", f.Check, f.Status, f.Row, f.Title, f.Evidence)
			}
		}
	})
	t.Run("issuer without /v2.0", func(t *testing.T) {
		c := idp.EntraConfig()
		c.Issuer = strings.TrimSuffix(c.Issuer, "/v2.0")
		r := runLive(t, idp, c)
		testidp.Expect(t, r, "discovery.issuer", checks.Fail, "invalid_issuer", "/v2.0")
		testidp.Expect(t, r, "entra.issuer", checks.Fail, "invalid_issuer", "/v2.0")
	})
	t.Run("redirect URI with a path", func(t *testing.T) {
		c := idp.EntraConfig()
		c.ClientID = wrong.ID
		testidp.Expect(t, runLive(t, idp, c), "probe.authorize", checks.Fail, "redirect_mismatch", "redirect_uri")
	})
}

// TestPasteFixesTheValues is the property of values_to_paste, against the
// real provider: for each broken value, the edited field is never offered
// as verified, and pasting every value of the set and checking again gives
// no failure from the values, discovery or key-set checks.
func TestPasteFixesTheValues(t *testing.T) {
	idp := startOkta(t)
	org := idp.Origin + "/oauth2/v1"
	tests := []struct {
		name  string
		field checks.FieldKey
		edit  func(*checks.Config)
	}{
		{"issuer with a trailing slash", checks.Issuer, func(c *checks.Config) { c.Issuer += "/" }},
		{"issuer with a space", checks.Issuer, func(c *checks.Config) { c.Issuer = " " + c.Issuer }},
		{"token endpoint of the org server", checks.TokenEndpoint, func(c *checks.Config) { c.TokenEndpoint = org + "/token" }},
		{"authorization endpoint of the org server", checks.AuthorizationEndpoint, func(c *checks.Config) { c.AuthorizationEndpoint = org + "/authorize" }},
		{"JWKS of the org server", checks.JWKSURI, func(c *checks.Config) { c.JWKSURI = org + "/keys" }},
		{"token endpoint in quotes", checks.TokenEndpoint, func(c *checks.Config) { c.TokenEndpoint = `"` + c.TokenEndpoint + `"` }},
		{"wrong authorization path", checks.AuthorizationEndpoint, func(c *checks.Config) { c.AuthorizationEndpoint = idp.Origin + "/oauth2/default/v1/authorise" }},
		// The org server's issuer is an issuer too: the endpoints and keys of
		// the default server are what no longer belong to it.
		{"issuer of the org server", checks.JWKSURI, func(c *checks.Config) { c.Issuer = idp.Origin }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := idp.OktaConfig()
			tt.edit(&c)
			r := runLive(t, idp, c)
			if r.Failed() == false {
				t.Fatalf("the broken value failed no check:\n%s", testidp.Dump(r))
			}
			if p := r.ValuesToPaste.Get(tt.field); p == nil || p.Status == checks.Verified {
				t.Errorf("the broken %s is offered as %+v", tt.field, p)
			}
			// Every finding about the broken value expects the set's value.
			if p := r.ValuesToPaste.Get(tt.field); p != nil && p.Status == checks.Corrected {
				for _, f := range r.Findings {
					if f.Evidence != nil && f.Evidence.Got == c.Get(tt.field) && f.Status != checks.Pass && f.Evidence.Expected != p.Value {
						t.Errorf("%s expects %q, the values to paste %q", f.Check, f.Evidence.Expected, p.Value)
					}
				}
			}
			fixed := c
			for _, f := range checks.Fields {
				fixed.Set(f.Key, r.RawPaste(f.Key))
			}
			again := runLive(t, idp, fixed)
			for _, f := range again.Findings {
				switch f.Phase {
				case checks.PhaseValues, checks.PhaseDiscovery, checks.PhaseKeys:
					if f.Status == checks.Fail {
						t.Errorf("after pasting the set: %s %s %s: %s %+v", f.Check, f.Status, f.Row, f.Title, f.Evidence)
					}
				}
			}
			for _, f := range checks.Fields[:4] {
				if p := again.ValuesToPaste.Get(f.Key); p.Status != checks.Verified {
					t.Errorf("after pasting the set, %s is %s: %s", f.Key, p.Status, p.Why)
				}
			}
		})
	}
}
