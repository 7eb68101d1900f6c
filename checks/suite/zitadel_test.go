package suite_test

import (
	"context"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// TestProviderZitadel runs the preflight against ZITADEL's OpenID library,
// an implementation written by others than the one the knowledge was
// tuned on: each configuration ends with exactly the right failures and
// no others (plain http on loopback is a warning only).
func TestProviderZitadel(t *testing.T) {
	z := testidp.StartZitadel(t)
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
