package checks_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/quickdiag/quickdiag/checks"
)

// TestCatalogMatchesShared checks that every row of the shared catalog, the
// contract's list of row ids, is in the engine's catalog with its text.
func TestCatalogMatchesShared(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "catalog.md")
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
		r, ok := checks.LookupRow(m[1])
		if !ok {
			t.Errorf("row %s is missing from the engine's catalog", m[1])
			continue
		}
		if r.FoundBy != m[2] {
			t.Errorf("row %s: found by %s, shared catalog says %s", m[1], r.FoundBy, m[2])
		}
	}
}

func TestCatalogRowsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range checks.Catalog() {
		if seen[r.ID] {
			t.Errorf("row %s twice", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Cause == "" || r.Fix == "" || r.Seen == "" || r.Group == "" {
			t.Errorf("row %s is incomplete: %+v", r.ID, r)
		}
	}
}
