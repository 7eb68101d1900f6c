package idp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// trap is a value an administrator gets wrong, and the row it must name.
type trap struct {
	name   string
	edit   func(*checks.Config)
	check  string
	status checks.Status
	row    catalog.ID
}

// testProvider checks a provider's documented values and traps: every
// good configuration is recognised and passes every static check, and each
// trap names its row from the expected check. Then each of the provider's
// wordings, alone, is triaged to its row first.
func testProvider(t *testing.T, p *checks.IdP, goods []checks.Config, traps []trap) {
	t.Helper()
	for i, c := range goods {
		t.Run(fmt.Sprintf("good %d", i), func(t *testing.T) {
			if got := idp.Detect(c); got != p {
				t.Errorf("Detect(%s) = %s, want %s", c.Issuer, got, p)
			}
			r := suite.Lint(context.Background(), c)
			ran := map[string]bool{}
			for _, f := range r.Findings {
				ran[f.Check] = true
				if f.Status != checks.Pass {
					t.Errorf("%s: %s %s: %s %+v", f.Check, f.Status, f.Row, f.Title, f.Evidence)
				}
			}
			for _, own := range p.Checks {
				if !ran[own.ID] {
					t.Errorf("%s did not run", own.ID)
				}
			}
		})
	}
	for _, tt := range traps {
		t.Run(tt.name, func(t *testing.T) {
			c := goods[0]
			tt.edit(&c)
			r := suite.Lint(context.Background(), c)
			var b strings.Builder
			for _, f := range r.Findings {
				if f.Check == tt.check && f.Status == tt.status && f.Row == tt.row {
					return
				}
				fmt.Fprintf(&b, "  %s %s %s: %s\n", f.Check, f.Status, f.Row, f.Title)
			}
			t.Errorf("want %s %s from %s; got:\n%s", tt.status, tt.row, tt.check, b.String())
		})
	}
	for _, w := range p.Wordings {
		t.Run("wording "+string(w.Row), func(t *testing.T) {
			ms := triage.Rank(w.Example)
			if len(ms) == 0 || ms[0].Row != w.Row {
				t.Errorf("triage of %q: %+v, want %s first", w.Example, ms, w.Row)
			}
		})
	}
}

// TestEveryWordingTriagesToItsRow: each provider's wordings, alone, are
// triaged to their row first: no other provider's or generic wording
// outranks them on their own example.
func TestEveryWordingTriagesToItsRow(t *testing.T) {
	for _, p := range idp.All() {
		for _, w := range p.Wordings {
			ms := triage.Rank(w.Example)
			if len(ms) == 0 || ms[0].Row != w.Row {
				got := catalog.ID("(none)")
				if len(ms) > 0 {
					got = ms[0].Row
				}
				t.Errorf("%s: %q triages to %s, want %s", p.ID, w.Example, got, w.Row)
			}
		}
	}
}

func TestLookalikeHosts(t *testing.T) {
	for _, tt := range []struct {
		name, issuer string
		status       checks.Status
	}{
		{"Cyrillic о in okta.com", "https://acme.оkta.com/oauth2/default", checks.Fail},
		{"punycode of the same", "https://acme.xn--kta-red.com/oauth2/default", checks.Fail},
		{"an internationalised self-hosted name", "https://anmeldung.müller.example/realms/x", checks.Warn},
		{"plain ASCII", "https://acme.okta.com/oauth2/default", checks.Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := suite.Lint(context.Background(), checks.Config{Issuer: tt.issuer, IdP: "generic"})
			var got *checks.Finding
			for i, f := range r.Findings {
				if f.Check == "values.hosts" {
					got = &r.Findings[i]
				}
			}
			if got == nil || got.Status != tt.status || (tt.status != checks.Pass && got.Row != catalog.LookalikeHost) {
				t.Fatalf("values.hosts: %+v, want %s", got, tt.status)
			}
			if tt.status == checks.Fail && !strings.Contains(got.Detail, "U+043E") {
				t.Errorf("the character is not shown: %s", got.Detail)
			}
		})
	}
}
