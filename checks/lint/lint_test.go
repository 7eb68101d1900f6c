package lint_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// The seeds' documented values for every IdP, with their placeholders filled
// in as an administrator would.
var good = map[*checks.IdP]checks.Config{
	idp.Entra: {
		Issuer:                "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/v2.0",
		AuthorizationEndpoint: "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/oauth2/v2.0/authorize",
		TokenEndpoint:         "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/oauth2/v2.0/token",
		JWKSURI:               "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/discovery/v2.0/keys",
		ClientID:              "3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23",
	},
	idp.Google: {
		Issuer:                "https://accounts.google.com",
		AuthorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth",
		TokenEndpoint:         "https://oauth2.googleapis.com/token?client_secret=GOCSPX-q8Zc1vN3tR5wY7uI9oP2aS4d",
		JWKSURI:               "https://www.googleapis.com/oauth2/v3/certs",
		ClientID:              "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
	},
	idp.Okta: {
		Issuer:                "https://acme.okta.com/oauth2/default",
		AuthorizationEndpoint: "https://acme.okta.com/oauth2/default/v1/authorize",
		TokenEndpoint:         "https://acme.okta.com/oauth2/default/v1/token",
		JWKSURI:               "https://acme.okta.com/oauth2/default/v1/keys",
		ClientID:              "0oa8f3k2l9PqRsTuV5d7",
	},
	idp.PingFederate: {
		Issuer:                "https://sso.acme.example",
		AuthorizationEndpoint: "https://sso.acme.example/as/authorization.oauth2",
		TokenEndpoint:         "https://sso.acme.example/as/token.oauth2",
		JWKSURI:               "https://sso.acme.example/pf/JWKS",
		ClientID:              "quick-desktop",
	},
	idp.PingOne: {
		Issuer:                "https://auth.pingone.eu/5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/as",
		AuthorizationEndpoint: "https://auth.pingone.eu/5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/as/authorize",
		TokenEndpoint:         "https://auth.pingone.eu/5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/as/token",
		JWKSURI:               "https://auth.pingone.eu/5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/as/jwks",
		ClientID:              "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
	},
	idp.Cognito: {
		Issuer:                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
		AuthorizationEndpoint: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/oauth2/authorize",
		TokenEndpoint:         "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/oauth2/token",
		JWKSURI:               "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123/.well-known/jwks.json",
		ClientID:              "4a5b6c7d8e9f0g1h2i3j4k5l6m",
	},
	idp.Auth0: {
		Issuer:                "https://acme.us.auth0.com/",
		AuthorizationEndpoint: "https://acme.us.auth0.com/authorize",
		TokenEndpoint:         "https://acme.us.auth0.com/oauth/token",
		JWKSURI:               "https://acme.us.auth0.com/.well-known/jwks.json",
		ClientID:              "hX3kq9Lm2Np7Rs5Tv8Wy0Zb4Cd6Fg1Jh",
	},
}

// runStatic runs the checks that need no network.
func runStatic(t *testing.T, c checks.Config) *checks.Report {
	t.Helper()
	return suite.Lint(context.Background(), c)
}

func TestSeedValuesPass(t *testing.T) {
	for p, c := range good {
		t.Run(p.ID, func(t *testing.T) {
			t.Parallel()
			if got := idp.Detect(c); got != p {
				t.Errorf("Detect = %s, want %s", got, p)
			}
			r := runStatic(t, c)
			if len(r.Findings) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range r.Findings {
				if f.Status != checks.Pass {
					t.Errorf("%s: %s %s: %s (%+v)", f.Check, f.Status, f.Row, f.Title, f.Evidence)
				}
			}
		})
	}
}

// with returns the good config of idp changed by edit.
func with(idp *checks.IdP, edit func(*checks.Config)) checks.Config {
	c := good[idp]
	edit(&c)
	return c
}

func TestStaticLints(t *testing.T) {
	tests := []struct {
		name   string
		config checks.Config
		check  string
		row    catalog.ID
		status checks.Status
	}{
		// Pasting.
		{"trailing space", with(idp.Okta, func(c *checks.Config) { c.Issuer += " " }), "values.urls", "token_validation_failure", checks.Fail},
		{"leading tab in client id", with(idp.Okta, func(c *checks.Config) { c.ClientID = "\t" + c.ClientID }), "values.client_id", "invalid_client", checks.Fail},
		{"zero-width space", with(idp.Okta, func(c *checks.Config) { c.JWKSURI += "\u200b" }), "values.urls", "jwks_mismatch", checks.Fail},
		{"quotes", with(idp.Okta, func(c *checks.Config) { c.TokenEndpoint = `"` + c.TokenEndpoint + `"` }), "values.urls", "endpoint_mismatch", checks.Fail},
		{"placeholder", with(idp.Entra, func(c *checks.Config) {
			c.Issuer = "https://login.microsoftonline.com/<TENANT_ID>/v2.0"
		}), "values.urls", "token_validation_failure", checks.Fail},
		{"okta placeholder domain", with(idp.Okta, func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://<OKTA_DOMAIN>/oauth2/default/v1/authorize"
		}), "values.urls", "endpoint_mismatch", checks.Fail},
		{"empty jwks", with(idp.Okta, func(c *checks.Config) { c.JWKSURI = "" }), "values.urls", "jwks_mismatch", checks.Fail},
		{"empty client id", with(idp.Okta, func(c *checks.Config) { c.ClientID = "" }), "values.client_id", "invalid_client", checks.Fail},
		{"no scheme", with(idp.Okta, func(c *checks.Config) { c.Issuer = "acme.okta.com/oauth2/default" }), "values.urls", "token_validation_failure", checks.Fail},
		{"plain http", with(idp.Okta, func(c *checks.Config) { c.TokenEndpoint = "http://acme.okta.com/oauth2/default/v1/token" }), "values.urls", "endpoint_mismatch", checks.Fail},
		{"fragment", with(idp.Okta, func(c *checks.Config) { c.JWKSURI += "#keys" }), "values.urls", "jwks_mismatch", checks.Fail},
		{"issuer query", with(idp.Okta, func(c *checks.Config) { c.Issuer += "?x=1" }), "values.urls", "token_validation_failure", checks.Fail},
		{"not a url", with(idp.Okta, func(c *checks.Config) { c.JWKSURI = "https://%zz" }), "values.urls", "jwks_mismatch", checks.Fail},
		{"client id is a url", with(idp.Generic, func(c *checks.Config) { c.ClientID = "https://acme.example/app" }), "values.client_id", "invalid_client", checks.Fail},

		// Entra.
		{"entra authority url", with(idp.Entra, func(c *checks.Config) { c.Issuer = strings.TrimSuffix(c.Issuer, "/v2.0") }), "entra.issuer", "invalid_issuer", checks.Fail},
		{"entra v1 issuer", with(idp.Entra, func(c *checks.Config) {
			c.Issuer = "https://sts.windows.net/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/"
		}), "entra.issuer", "invalid_issuer", checks.Fail},
		{"entra common issuer", with(idp.Entra, func(c *checks.Config) { c.Issuer = "https://login.microsoftonline.com/common/v2.0" }), "entra.issuer", "invalid_issuer", checks.Fail},
		{"entra domain issuer", with(idp.Entra, func(c *checks.Config) { c.Issuer = "https://login.microsoftonline.com/acme.onmicrosoft.com/v2.0" }), "entra.issuer", "invalid_issuer", checks.Fail},
		{"entra issuer trailing slash", with(idp.Entra, func(c *checks.Config) { c.Issuer += "/" }), "values.issuer_slash", "token_validation_failure", checks.Fail},
		{"entra organizations endpoint", with(idp.Entra, func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
		}), "entra.endpoints", "unknown_tenant", checks.Warn},
		{"entra tenants differ", with(idp.Entra, func(c *checks.Config) {
			c.TokenEndpoint = "https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token"
		}), "entra.endpoints", "endpoint_mismatch", checks.Fail},
		{"entra v1 authorize", with(idp.Entra, func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/oauth2/authorize"
		}), "entra.endpoints", "endpoint_mismatch", checks.Fail},
		{"entra v1 keys", with(idp.Entra, func(c *checks.Config) {
			c.JWKSURI = "https://login.microsoftonline.com/8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c/discovery/keys"
		}), "entra.endpoints", "jwks_mismatch", checks.Warn},
		{"entra client id not a guid", with(idp.Entra, func(c *checks.Config) { c.ClientID = "quick-desktop" }), "values.client_id", "invalid_client", checks.Fail},
		{"entra client id is the tenant", with(idp.Entra, func(c *checks.Config) { c.ClientID = "8f1c2a4e-5b6d-4c3e-9a7f-0d1e2f3a4b5c" }), "values.client_id", "invalid_client", checks.Fail},

		// Okta.
		{"okta admin host", with(idp.Okta, func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://acme-admin.okta.com/oauth2/default/v1/authorize"
		}), "okta.host", "okta_admin_host", checks.Fail},
		{"okta admin issuer", with(idp.Okta, func(c *checks.Config) { c.Issuer = "https://acme-admin.okta.com/oauth2/default" }), "okta.host", "okta_admin_host", checks.Fail},
		{"okta no domain", with(idp.Okta, func(c *checks.Config) { c.Issuer = "https://acme/oauth2/default" }), "values.urls", "dns_unresolved", checks.Fail},
		{"okta other host", with(idp.Okta, func(c *checks.Config) { c.TokenEndpoint = "https://other.okta.com/oauth2/default/v1/token" }), "okta.host", "endpoint_mismatch", checks.Fail},
		{"okta org jwks with custom issuer", with(idp.Okta, func(c *checks.Config) { c.JWKSURI = "https://acme.okta.com/oauth2/v1/keys" }), "okta.auth_server", "jwks_mismatch", checks.Fail},
		{"okta org token with custom issuer", with(idp.Okta, func(c *checks.Config) { c.TokenEndpoint = "https://acme.okta.com/oauth2/v1/token" }), "okta.auth_server", "userinfo_unauthorized", checks.Fail},
		{"okta org issuer with custom authorize", with(idp.Okta, func(c *checks.Config) { c.Issuer = "https://acme.okta.com" }), "okta.auth_server", "endpoint_mismatch", checks.Fail},
		{"okta letter O", with(idp.Okta, func(c *checks.Config) { c.ClientID = "Ooa8f3k2l9PqRsTuV5d7" }), "values.client_id", "invalid_client", checks.Fail},
		{"okta odd client id", with(idp.Okta, func(c *checks.Config) { c.ClientID = "abc" }), "values.client_id", "invalid_client", checks.Warn},
		{"okta wrong path", with(idp.Okta, func(c *checks.Config) { c.JWKSURI = "https://acme.okta.com/oauth2/default/v1/jwks" }), "okta.auth_server", "jwks_mismatch", checks.Fail},

		// Google.
		{"google without secret", with(idp.Google, func(c *checks.Config) { c.TokenEndpoint = "https://oauth2.googleapis.com/token" }), "google.values", "google_client_secret_missing", checks.Fail},
		{"google secret placeholder", with(idp.Google, func(c *checks.Config) {
			c.TokenEndpoint = "https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>"
		}), "google.values", "google_client_secret_missing", checks.Fail},
		{"google secret given apart", with(idp.Google, func(c *checks.Config) {
			c.TokenEndpoint = "https://oauth2.googleapis.com/token"
			c.ClientSecret = "GOCSPX-q8Zc1vN3tR5wY7uI9oP2aS4d"
		}), "google.values", "google_client_secret_missing", checks.Fail},
		{"google issuer slash", with(idp.Google, func(c *checks.Config) { c.Issuer = "https://accounts.google.com/" }), "google.values", "token_validation_failure", checks.Fail},
		{"google short client id", with(idp.Google, func(c *checks.Config) { c.ClientID = "123456789012-abc" }), "values.client_id", "invalid_client", checks.Fail},
		{"google v1 jwks", with(idp.Google, func(c *checks.Config) { c.JWKSURI = "https://www.googleapis.com/oauth2/v1/certs" }), "google.values", "jwks_mismatch", checks.Fail},

		// PingOne.
		{"pingone regions differ", with(idp.PingOne, func(c *checks.Config) {
			c.TokenEndpoint = "https://auth.pingone.com/5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/as/token"
		}), "pingone.environment", "endpoint_mismatch", checks.Fail},
		{"pingone environments differ", with(idp.PingOne, func(c *checks.Config) {
			c.JWKSURI = "https://auth.pingone.eu/00000000-3c4d-4e5f-8a9b-0c1d2e3f4a5b/as/jwks"
		}), "pingone.environment", "endpoint_mismatch", checks.Fail},
		{"pingone environment not a guid", with(idp.PingOne, func(c *checks.Config) {
			c.Issuer = "https://auth.pingone.eu/acme/as"
		}), "pingone.environment", "unknown_tenant", checks.Fail},
		{"pingone client id is the environment", with(idp.PingOne, func(c *checks.Config) {
			c.ClientID = "5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
		}), "values.client_id", "invalid_client", checks.Fail},

		// PingFederate.
		{"pingfederate other host", with(idp.PingFederate, func(c *checks.Config) {
			c.TokenEndpoint = "https://pf2.acme.example/as/token.oauth2"
		}), "pingfederate.paths", "endpoint_mismatch", checks.Fail},
		{"pingfederate odd jwks path", with(idp.PingFederate, func(c *checks.Config) {
			c.JWKSURI = "https://sso.acme.example/ext/keys"
		}), "pingfederate.paths", "jwks_mismatch", checks.Warn},

		// Cognito.
		{"cognito direct", with(idp.Cognito, func(c *checks.Config) {
			c.AuthorizationEndpoint = "https://acme.auth.us-east-1.amazoncognito.com/oauth2/authorize"
		}), "cognito.proxy", "cognito_offline_access", checks.Fail},
		{"cognito region", with(idp.Cognito, func(c *checks.Config) {
			c.Issuer = "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_AbCdEf123"
			c.JWKSURI = c.Issuer + "/.well-known/jwks.json"
		}), "cognito.proxy", "token_validation_failure", checks.Fail},
		{"cognito jwks", with(idp.Cognito, func(c *checks.Config) {
			c.JWKSURI = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/jwks"
		}), "cognito.proxy", "jwks_mismatch", checks.Fail},

		// Auth0.
		{"auth0 without slash", with(idp.Auth0, func(c *checks.Config) { c.Issuer = "https://acme.us.auth0.com" }), "auth0.issuer", "token_validation_failure", checks.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runStatic(t, tt.config)
			var found bool
			for _, f := range r.Findings {
				if f.Check == tt.check && f.Row == tt.row && f.Status == tt.status {
					found = true
					if f.Title == "" || f.Fix == "" || f.Evidence == nil {
						t.Errorf("finding lacks title, fix or evidence: %+v", f)
					}
				}
			}
			if !found {
				t.Errorf("want %s %s from %s; got:\n%s", tt.status, tt.row, tt.check, testidp.Dump(r))
			}
		})
	}
}

func TestEveryWarnAndFailHasARow(t *testing.T) {
	// Whatever the input, a warn or fail names a catalog row that exists.
	inputs := []checks.Config{{}, {Issuer: "x"}, {Issuer: " \"<TENANT_ID>\" ", ClientID: "O", IdP: "okta"}}
	for _, c := range good {
		c.Issuer, c.TokenEndpoint = c.Issuer+"/ ", "http://"+c.TokenEndpoint
		inputs = append(inputs, c)
	}
	for _, in := range inputs {
		for _, p := range idp.All() {
			in.IdP = p.ID
			for _, f := range runStatic(t, in).Findings {
				if f.Status == checks.Pass || f.Status == checks.Skip {
					continue
				}
				if _, ok := catalog.Lookup(f.Row); !ok {
					t.Errorf("%s %s: row %q is not in the catalog (%s)", f.Check, f.Status, f.Row, f.Title)
				}
			}
		}
	}
}

func TestDetectIdP(t *testing.T) {
	tests := map[string]*checks.IdP{
		"https://login.microsoftonline.com/x/v2.0":                  idp.Entra,
		"https://accounts.google.com":                               idp.Google,
		"https://dev-1.oktapreview.com/oauth2/default":              idp.Okta,
		"https://login.acme.example/oauth2/default":                 idp.Okta,
		"https://auth.pingone.com.au/x/as":                          idp.PingOne,
		"https://sso.acme.example/as/authorization.oauth2":          idp.PingFederate,
		"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc": idp.Cognito,
		"https://acme.eu.auth0.com/":                                idp.Auth0,
		"https://idp.acme.example/realms/main":                      idp.Keycloak,
		"https://idp.acme.example/auth/realms/main":                 idp.Keycloak,
		"https://adfs.acme.example/adfs":                            idp.ADFS,
		"https://idp.acme.example/oidc":                             idp.Generic,
		"not a url":                                                 idp.Generic,
	}
	for in, want := range tests {
		if got := idp.Detect(checks.Config{Issuer: in}); got != want {
			t.Errorf("DetectIdP(%q) = %s, want %s", in, got, want)
		}
	}
	// An explicit IdP wins.
	c := checks.Config{Issuer: "https://idp.acme.example", IdP: "entra"}
	if got := idp.Resolve(c); got != idp.Entra {
		t.Errorf("ResolvedIdP = %s, want entra", got)
	}
}

// TestDependentChecksStandDown: a malformed value (no scheme, a
// placeholder, spaces inside) fails its own check, and the checks that
// would derive fixes from it skip with the reason instead; no Go error
// text and no value built from the malformed one reaches the user.
func TestDependentChecksStandDown(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*checks.Config)
	}{
		{"issuer without https://", func(c *checks.Config) { c.Issuer = "acme.okta.com/oauth2/default" }},
		{"issuer with a placeholder", func(c *checks.Config) { c.Issuer = "https://<OKTA_DOMAIN>/oauth2/default" }},
		{"issuer with a space inside", func(c *checks.Config) { c.Issuer = "https://acme.okta.com/oauth2/ default" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := with(idp.Okta, tt.edit)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			// Only checks that must not fetch anything here: the values are a
			// real IdP's, and nothing leaves this machine.
			list := append(suite.Static(), oidc.DiscoveryFetch, oidc.DiscoveryIssuer, oidc.JWKSSameKeys)
			r := suite.Run(ctx, c, suite.Options{Checks: list, HTTPClient: &http.Client{Transport: testidp.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
				t.Errorf("a request left for %s", r.URL.Host)
				return nil, errors.New("no network in this test")
			})}})
			for _, f := range r.Findings {
				text := f.Title + " " + f.Detail + " " + f.Fix
				if f.Evidence != nil {
					text += " " + f.Evidence.Expected + " " + f.Evidence.Got
				}
				for _, bad := range []string{"unsupported protocol scheme", "oauth2/default/oauth2", "Get \"", "parse \""} {
					if strings.Contains(text, bad) {
						t.Errorf("%s: %q reaches the user: %s", f.Check, bad, text)
					}
				}
				switch f.Check {
				case "okta.auth_server", "okta.host", "discovery.fetch", "discovery.issuer", "jwks.same_keys":
					if f.Status != checks.Skip {
						t.Errorf("%s did not stand down: %s %s", f.Check, f.Status, f.Title)
					}
				}
			}
			testidp.Expect(t, r, "values.urls", checks.Fail, catalog.TokenValidationFailure, "")
		})
	}
}

// TestFixesAgree: the fixes of one configuration do not contradict each
// other: with the -admin host in every value (and the org server's keys),
// no expected value or fix keeps -admin or gains a trailing slash.
func TestFixesAgree(t *testing.T) {
	c := with(idp.Okta, func(c *checks.Config) {
		for _, f := range checks.Fields[:4] {
			c.Set(f.Key, strings.Replace(c.Get(f.Key), "acme.okta.com", "acme-admin.okta.com", 1))
		}
		c.JWKSURI = "https://acme-admin.okta.com/oauth2/v1/keys" // and the org server's keys
	})
	for _, f := range runStatic(t, c).Findings {
		if f.Evidence == nil {
			continue
		}
		for _, s := range []string{f.Evidence.Expected, f.Fix} {
			if strings.Contains(s, "-admin.") || strings.Contains(s, "default/ ") || strings.HasSuffix(s, "oauth2/default/") {
				t.Errorf("%s proposes %q", f.Check, s)
			}
		}
	}
}

// TestLoopbackHTTPIsAStandIn: plain http on this machine's loopback (a
// practice or test IdP) passes, and the pass says so.
func TestLoopbackHTTPIsAStandIn(t *testing.T) {
	r := runStatic(t, checks.Config{Issuer: "http://127.0.0.1:8080", AuthorizationEndpoint: "http://127.0.0.1:8080/auth",
		TokenEndpoint: "http://127.0.0.1:8080/token", JWKSURI: "http://127.0.0.1:8080/jwks", ClientID: "x", IdP: "generic"})
	f := testidp.Findings(r, "values.urls")
	if len(f) != 1 || f[0].Status != checks.Pass || !strings.Contains(f[0].Title, "loopback") {
		t.Errorf("plain http on loopback: %+v", f)
	}
}
