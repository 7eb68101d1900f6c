package suite_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/demo"
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

// oktaProvider is an Okta-shaped provider to run the Okta checks against:
// its correct values, an HTTP client for it, its org server's base URL, and
// whether it is panva's (which also has the broken clients and servers).
type oktaProvider struct {
	values func() checks.Config
	client *http.Client
	origin string
	panva  bool
}

// TestProviderOkta runs the same checks against panva's oidc-provider and
// against quickdiag's practice IdP (ZITADEL's library), both in Okta's
// shape: where Node is not installed, the practice IdP still runs them.
func TestProviderOkta(t *testing.T) {
	t.Run("practice", func(t *testing.T) {
		sc, _ := demo.Lookup("okta-good")
		p, err := demo.Start(sc, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		testOkta(t, oktaProvider{values: p.Values, client: &http.Client{Timeout: 10 * time.Second}, origin: p.Origin})
	})
	t.Run("panva", func(t *testing.T) {
		idp := startOkta(t)
		testOkta(t, oktaProvider{values: idp.OktaConfig, client: idp.HTTPClient(), origin: idp.Origin, panva: true})
	})
}

func testOkta(t *testing.T, p oktaProvider) {
	org := p.origin + "/oauth2/v1"
	run := func(t *testing.T, c checks.Config) *checks.Report {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return suite.Run(ctx, c, suite.Options{HTTPClient: p.client})
	}

	t.Run("correct values pass", func(t *testing.T) {
		r := run(t, p.values())
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
		name      string
		edit      func(*checks.Config)
		check     string
		status    checks.Status
		row       catalog.ID
		want      string
		panvaOnly bool // needs a client or server only the panva setup has
	}{
		{name: "token endpoint of the org server", edit: func(c *checks.Config) { c.TokenEndpoint = org + "/token" },
			check: "discovery.endpoints", status: checks.Fail, row: "endpoint_mismatch", want: "/oauth2/v1/token"},
		{name: "token endpoint of the org server (static)", edit: func(c *checks.Config) { c.TokenEndpoint = org + "/token" },
			check: "okta.auth_server", status: checks.Fail, row: "userinfo_unauthorized", want: "org authorization server"},
		{name: "authorization endpoint of the org server", edit: func(c *checks.Config) { c.AuthorizationEndpoint = org + "/authorize" },
			check: "discovery.endpoints", status: checks.Fail, row: "endpoint_mismatch", want: "/oauth2/v1/authorize"},
		{name: "JWKS of the org server", edit: func(c *checks.Config) { c.JWKSURI = org + "/keys" },
			check: "jwks.same_keys", status: checks.Fail, row: "jwks_mismatch", want: "None of the issuer's signing keys"},
		{name: "issuer with a trailing slash", edit: func(c *checks.Config) { c.Issuer += "/" },
			check: "discovery.issuer", status: checks.Fail, row: "token_validation_failure", want: "differs"},
		{name: "issuer of the org server", edit: func(c *checks.Config) { c.Issuer = p.origin },
			check: "discovery.endpoints", status: checks.Fail, row: "endpoint_mismatch", want: "/oauth2/v1/authorize", panvaOnly: true},
		{name: "client registered with another redirect URI", edit: func(c *checks.Config) { c.ClientID = wrongRedirectClient },
			check: "probe.authorize", status: checks.Fail, row: "redirect_mismatch", want: "redirect_uri did not match", panvaOnly: true},
		{name: "offline_access not offered by the server", edit: func(c *checks.Config) {
			for _, v := range []*string{&c.Issuer, &c.AuthorizationEndpoint, &c.TokenEndpoint, &c.JWKSURI} {
				*v = strings.Replace(*v, "/oauth2/default", "/oauth2/noscope", 1)
			}
		}, check: "probe.authorize", status: checks.Fail, row: "invalid_scope", want: "One or more scopes are not configured", panvaOnly: true},
		{name: "unknown client", edit: func(c *checks.Config) { c.ClientID = "0oa1doesnotexist00x7" },
			check: "probe.authorize", status: checks.Fail, row: "invalid_client", want: "client"},
		{name: "wrong authorization path", edit: func(c *checks.Config) { c.AuthorizationEndpoint = p.origin + "/oauth2/default/v1/authorise" },
			check: "probe.authorize", status: checks.Fail, row: "endpoint_mismatch", want: "HTTP 404"},
	}
	for _, tt := range tests {
		if tt.panvaOnly && !p.panva {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := p.values()
			tt.edit(&c)
			testidp.Expect(t, run(t, c), tt.check, tt.status, tt.row, tt.want)
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
