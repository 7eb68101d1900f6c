package suite_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/signin"
	"github.com/quickdiag/quickdiag/checks/suite"
)

// TestCatalogMatchesShared checks that every row of the shared catalog, the
// contract's list of row ids, is in the engine's catalog with its text.
func TestCatalogMatchesShared(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "catalog.md")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("read %s: %v", path, err)
		}
		t.Skipf("no shared catalog beside the repository: %v", err)
	}
	rows := regexp.MustCompile(`(?m)^\| ([a-z0-9_]+) \| (check|triage) \|`).FindAllStringSubmatch(string(data), -1)
	if len(rows) < 40 {
		t.Fatalf("found only %d rows in %s", len(rows), path)
	}
	for _, m := range rows {
		r, ok := catalog.Lookup(catalog.ID(m[1]))
		if !ok {
			t.Errorf("row %s is missing from the engine's catalog", m[1])
			continue
		}
		if string(r.FoundBy) != m[2] {
			t.Errorf("row %s: found by %s, shared catalog says %s", m[1], r.FoundBy, m[2])
		}
	}
}

func TestCatalogRowsComplete(t *testing.T) {
	seen := map[catalog.ID]bool{}
	for _, r := range catalog.Rows() {
		if seen[r.ID] {
			t.Errorf("row %s twice", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Cause == "" || r.Fix == "" || r.Seen == "" || r.Group == "" {
			t.Errorf("row %s is incomplete: %+v", r.ID, r)
		}
	}
}

// TestDocsNameRealRows keeps the checks' docs honest: every catalog-row-like
// word (snake_case) in a check's or live step's doc is a row of the catalog.
func TestDocsNameRealRows(t *testing.T) {
	word := regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`)
	notRows := map[string]bool{ // OIDC words that look like row ids
		"preferred_username": true, "email_verified": true, "client_secret": true, "jwks_uri": true,
		"code_challenge_methods_supported": true, "scopes_supported": true, "grant_types_supported": true,
		"claims_supported": true, "refresh_token": true, "offline_access": true, "access_type": true,
		"redirect_uri": true, "id_token": true, "token_endpoint": true, "authorization_endpoint": true,
		"userinfo_endpoint": true, "response_type": true, "login_hint": true, "client_id": true,
	}
	steps := append(suite.Checks(), signin.Steps...)
	named := 0
	for _, c := range steps {
		for _, w := range word.FindAllString(c.Doc, -1) {
			if notRows[w] {
				continue
			}
			named++
			if _, ok := catalog.Lookup(catalog.ID(w)); !ok {
				t.Errorf("%s's doc names %q, which is no catalog row", c.ID, w)
			}
		}
	}
	if named < 20 {
		t.Errorf("only %d rows named in the docs; the pattern no longer finds them", named)
	}
}
