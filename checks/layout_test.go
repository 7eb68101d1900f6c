package checks_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowed is the layout of the code: for each package, the project's
// packages its non-test files may import. Dependencies point one way, from
// the front ends down to the catalog.
var allowed = map[string][]string{
	"checks/catalog": {},
	"checks":         {"checks/catalog"},
	"checks/idp":     {"checks", "checks/catalog"},
	"checks/lint":    {"checks", "checks/catalog"},
	"checks/account": {"checks", "checks/catalog"},
	"checks/triage":  {"checks", "checks/catalog", "checks/idp"},
	"checks/oidc":    {"checks", "checks/catalog", "checks/triage"},
	"checks/signin":  {"checks", "checks/catalog", "checks/oidc", "checks/triage"},
	"checks/suite":   {"checks", "checks/catalog", "checks/idp", "checks/lint", "checks/oidc", "checks/signin"},
	"checks/har":     {"checks", "checks/catalog", "checks/idp", "checks/triage"},
	"checks/demo":    {"checks", "checks/catalog"},
	"checks/saml":    {"checks", "checks/catalog", "checks/har"},
	"checks/doctor":  {"checks", "checks/catalog"},
	"static":         {},
	"web":            {"checks", "checks/catalog", "checks/demo", "checks/doctor", "checks/har", "checks/saml", "checks/triage", "static"},
	"handlers":       {"checks", "checks/account", "checks/catalog", "checks/demo", "checks/doctor", "checks/har", "checks/saml", "checks/idp", "checks/triage", "static", "web"},
	"cmd/quickdiag": {"checks", "checks/account", "checks/catalog", "checks/demo", "checks/doctor", "checks/har", "checks/saml", "checks/idp", "checks/oidc", "checks/suite", "checks/triage",
		"handlers", "web"},
	"internal/testidp":     {"checks", "checks/catalog", "checks/oidc"},
	"internal/testbrowser": {},
}

// TestLayout fails when a package imports one of the project's packages
// that the layout does not allow, or when a package is not in the layout.
func TestLayout(t *testing.T) {
	const module = "github.com/quickdiag/quickdiag/"
	root := ".."
	seen := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
			return filepath.SkipDir // another module (a test provider built on its own)
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.go"))
		var pkg []string
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				pkg = append(pkg, f)
			}
		}
		if len(pkg) == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		may, ok := allowed[rel]
		if !ok {
			t.Errorf("package %s is not in the layout table", rel)
			return nil
		}
		seen++
		for _, f := range pkg {
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			for _, imp := range file.Imports {
				p := strings.Trim(imp.Path.Value, `"`)
				if !strings.HasPrefix(p, module) {
					continue
				}
				if dep := strings.TrimPrefix(p, module); !slices.Contains(may, dep) {
					t.Errorf("%s imports %s, which the layout does not allow", f, dep)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Errorf("only %d packages found: the walk no longer sees the tree", seen)
	}
}
