package suite_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// TestProviderZitadel runs the preflight against ZITADEL's OpenID library,
// an implementation written by others than the one the knowledge was
// tuned on: each configuration ends with exactly the right failures and
// no others (plain http on loopback is a warning only).
func TestProviderZitadel(t *testing.T) {
	z := testidp.StartZitadel(t, "")
	tests := []struct {
		name  string
		cfg   checks.Config
		fails map[string]catalog.ID // check → row; nothing else may fail
	}{
		{"desktop client", z.Config(testidp.ZitadelClient), nil},
		{"unknown client", z.Config("no-such-client"), map[string]catalog.ID{"probe.authorize": catalog.InvalidClient}},
		{"redirect URI not registered", z.Config(testidp.ZitadelWrongRedirect), map[string]catalog.ID{"probe.authorize": catalog.RedirectMismatch}},
		{"JWKS URI with a typo", func() checks.Config { c := z.Config(testidp.ZitadelClient); c.JWKSURI = z.Issuer + "/key"; return c }(),
			map[string]catalog.ID{"jwks.keys": catalog.JWKSMismatch, "jwks.same_keys": catalog.JWKSMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r := suite.Run(ctx, tt.cfg, suite.Options{})
			got := map[string]catalog.ID{}
			for _, f := range r.Findings {
				if f.Status == checks.Fail {
					got[f.Check] = f.Row
				}
			}
			for check, row := range tt.fails {
				if got[check] != row {
					t.Errorf("%s: want fail %s, got %q", check, row, got[check])
				}
			}
			for check, row := range got {
				if _, want := tt.fails[check]; !want {
					t.Errorf("unexpected failure %s %s", check, row)
				}
			}
			if t.Failed() {
				t.Logf("findings:\n%s", testidp.Dump(r))
			}
			if tt.fails == nil {
				if fs := testidp.Findings(r, "probe.authorize"); len(fs) != 1 || fs[0].Status != checks.Pass {
					t.Errorf("the probe did not reach the sign-in page:\n%s", testidp.Dump(r))
				}
			}
		})
	}
}

// TestSignInZitadel signs in, in a real browser, against ZITADEL's OpenID
// library, as the desktop app does: each configuration ends with exactly
// the right failures and no others.
func TestSignInZitadel(t *testing.T) {
	browser := testbrowser.Start(t)
	noEmail := `{"u1": {"ID": "u1", "Username": "bob", "Password": "` + testidp.ZitadelPassword + `", "FirstName": "Bob", "LastName": "NoMail"}}`
	for _, tt := range []struct {
		name, client, users, login string
		fails                      map[string]catalog.ID
	}{
		{"desktop client", testidp.ZitadelClient, "", "", nil},
		{"ID tokens without the user's claims", testidp.ZitadelNoClaims, "", "", map[string]catalog.ID{"signin.email": catalog.EmailClaimMissing}},
		{"user without an email", testidp.ZitadelClient, noEmail, "bob", map[string]catalog.ID{"signin.email": catalog.EmailClaimMissing}},
		{"confidential client", testidp.ZitadelConfidential, "", "", map[string]catalog.ID{"signin.exchange": catalog.PublicClientDisabled}},
		{"no refresh token", testidp.ZitadelNoRefresh, "", "", map[string]catalog.ID{"signin.refresh": catalog.RefreshTokenMissing}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z := testidp.StartZitadel(t, tt.users)
			login := tt.login
			if login == "" {
				login = z.User
			}
			testidp.LockLoopbackPort(t)
			cfg := z.Config(tt.client)
			urls := make(chan string, 1)
			done := make(chan *checks.SignInResult, 1)
			testidp.Background(t, 60*time.Second, func(ctx context.Context) {
				done <- suite.SignIn(ctx, cfg, suite.SignInOptions{Ready: func(u string) { urls <- u }})
			})
			var signInURL string
			select {
			case signInURL = <-urls:
			case res := <-done:
				t.Fatalf("the sign-in ended before it was ready: %+v", res.Findings)
			}
			if _, err := testbrowser.SignIn(testbrowser.NewTab(t, browser), signInURL, login); err != nil {
				t.Fatalf("browser: %v", err)
			}
			res := <-done
			got := map[string]catalog.ID{}
			var dump strings.Builder
			for _, f := range res.Findings {
				fmt.Fprintf(&dump, "  %s %s %s: %s | %s\n", f.Check, f.Status, f.Row, f.Title, f.Detail)
				if f.Status == checks.Fail {
					got[f.Check] = f.Row
				}
			}
			for check, row := range tt.fails {
				if got[check] != row {
					t.Errorf("%s: want fail %s, got %q", check, row, got[check])
				}
			}
			for check, row := range got {
				if _, want := tt.fails[check]; !want {
					t.Errorf("unexpected failure %s %s", check, row)
				}
			}
			if t.Failed() {
				t.Logf("findings:\n%s", dump.String())
			}
		})
	}
}
