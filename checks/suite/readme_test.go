package suite_test

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/doctor"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/signin"
	"github.com/quickdiag/quickdiag/checks/suite"
)

var update = flag.Bool("update", false, "rewrite the generated sections of README.md")

// TestREADMETables keeps the README's tables of checks, live sign-in steps
// and catalog rows generated from the code: the checks' docs and the catalog
// are the single source. Run with -update to rewrite them.
func TestREADMETables(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	want := replaceSection(got, "checks", checkTable())
	want = replaceSection(want, "live", liveTable())
	want = replaceSection(want, "catalog", catalogTable())
	want = replaceSection(want, "doctor", doctorTable())
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's generated tables are stale: run go test ./checks/suite -run TestREADMETables -update")
}

func replaceSection(doc, name, body string) string {
	re := regexp.MustCompile(`(?s)(<!-- ` + name + `:begin -->\n).*?(<!-- ` + name + `:end -->)`)
	return re.ReplaceAllString(doc, "${1}"+strings.ReplaceAll(body, "$", "$$")+"${2}")
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

func checkTable() string {
	var b strings.Builder
	b.WriteString("| check | what it verifies | for |\n| --- | --- | --- |\n")
	for _, c := range suite.Checks() {
		var names []string
		for _, p := range idp.All() {
			if c.AppliesTo(p) {
				names = append(names, p.ID)
			}
		}
		idps := strings.Join(names, ", ")
		if len(names) == len(idp.All()) {
			idps = "all"
		}
		fmt.Fprintf(&b, "| `%s` | **%s.** %s | %s |\n", c.ID, cell(c.Title), cell(c.Doc), idps)
	}
	return b.String()
}

func doctorTable() string {
	var b strings.Builder
	b.WriteString("| check | what it verifies |\n| --- | --- |\n")
	for _, c := range doctor.Checks {
		fmt.Fprintf(&b, "| `%s` | **%s.** %s |\n", c.ID, cell(c.Title), cell(c.Doc))
	}
	return b.String()
}

func liveTable() string {
	var b strings.Builder
	b.WriteString("| step | what it proves |\n| --- | --- |\n")
	for _, c := range signin.Steps {
		fmt.Fprintf(&b, "| `%s` | **%s.** %s |\n", c.ID, cell(c.Title), cell(c.Doc))
	}
	return b.String()
}

func catalogTable() string {
	var b strings.Builder
	var group catalog.Group
	for _, r := range catalog.Rows() {
		if r.Group != group {
			group = r.Group
			fmt.Fprintf(&b, "\n**%s**\n\n| row | found by | title | what the person sees |\n| --- | --- | --- | --- |\n", group)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, r.FoundBy, cell(r.Title), cell(r.Seen))
	}
	return strings.TrimPrefix(b.String(), "\n")
}
