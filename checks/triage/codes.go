package triage

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
)

// The code catalogs: one reviewable file per vendor, each line a code as
// the vendor prints it, the row it points at, the vendor's own description
// and where that description comes from.
//
//go:embed data/*.tsv
var dataFS embed.FS

// Code is one entry of a vendor's code catalog.
type Code struct {
	Code string
	Row  catalog.ID
	// Meaning is the vendor's own description of the code.
	Meaning string
	// Source is where the description was read.
	Source string
	// File is the catalog it comes from (data/<file>).
	File string
	// IdP is the provider whose catalog it is; nil for a library's,
	// a browser's or AWS's.
	IdP *checks.IdP
}

// codeTable is every vendor code, by its exact spelling and lower-cased.
type codeTable struct {
	exact map[string]*Code
	lower map[string]*Code
	all   []*Code
}

var codes = sync.OnceValue(func() *codeTable {
	t, err := loadCodes(dataFS)
	if err != nil {
		panic(err) // the embedded data is checked by TestCodeCatalogs
	}
	return t
})

// Codes returns every entry of the code catalogs, for listings and tests.
func Codes() []Code {
	out := make([]Code, 0, len(codes().all))
	for _, c := range codes().all {
		out = append(out, *c)
	}
	return out
}

// loadCodes reads the code catalogs. An IdP's catalog is the file its
// profile names (checks.IdP.Codes); every other file is no one provider's.
func loadCodes(fsys embed.FS) (*codeTable, error) {
	owner := map[string]*checks.IdP{}
	for _, p := range idp.All() {
		if p.Codes != "" {
			owner[p.Codes] = p
		}
	}
	entries, err := fsys.ReadDir("data")
	if err != nil {
		return nil, err
	}
	t := &codeTable{exact: map[string]*Code{}, lower: map[string]*Code{}}
	for _, e := range entries {
		if e.IsDir() {
			continue // data/localised: page texts, not codes
		}
		err := readTSV(fsys, path.Join("data", e.Name()), "code, row, meaning, source", func(f []string, row catalog.ID) error {
			c := &Code{Code: f[0], Row: row, Meaning: f[2], Source: f[3], File: e.Name(), IdP: owner[e.Name()]}
			if _, dup := t.exact[c.Code]; dup {
				return nil // the first file (in name order) keeps it
			}
			t.exact[c.Code] = c
			if _, dup := t.lower[strings.ToLower(c.Code)]; !dup {
				t.lower[strings.ToLower(c.Code)] = c
			}
			t.all = append(t.all, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(t.all, func(i, j int) bool { return t.all[i].File < t.all[j].File })
	return t, nil
}

// readTSV reads one of the knowledge's data files: four tab-separated
// fields a line (fields names them), the second a catalog row; blank
// lines and # comments skipped. visit gets each line's fields and row.
func readTSV(fsys embed.FS, name, fields string, visit func(f []string, row catalog.ID) error) error {
	data, err := fsys.ReadFile(name)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return fmt.Errorf("%s:%d: %d fields, want 4 (%s)", name, i+1, len(f), fields)
		}
		row := catalog.ID(f[1])
		if _, ok := catalog.Lookup(row); !ok {
			return fmt.Errorf("%s:%d: unknown row %q", name, i+1, f[1])
		}
		if err := visit(f, row); err != nil {
			return fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
	}
	return nil
}

// lookup returns the catalog entry of a code as printed: exact spelling
// first, then any case for snake_case names (Google's org_internal).
func (t *codeTable) lookup(word string) *Code {
	if c := t.exact[word]; c != nil {
		return c
	}
	if strings.Contains(word, "_") {
		return t.lower[strings.ToLower(word)]
	}
	return nil
}

// codeWords finds the words that may be codes: letters, digits, '_', and
// '.' or '-' inside a word (KC-SERVICES0014, Errors.User.NotFound), at
// least four characters. visit returns false to stop.
func codeWords(text string, visit func(word string, start, end int) bool) {
	isWord := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
	}
	start := -1
	for i := 0; i <= len(text); i++ {
		inner := i < len(text) && (text[i] == '.' || text[i] == '-') && start >= 0 && i+1 < len(text) && isWord(text[i+1])
		word := i < len(text) && (isWord(text[i]) || inner)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			if i-start >= 4 && !visit(text[start:i], start, i) {
				return
			}
			start = -1
		}
	}
}

// lookupWord looks a scanned word up whole, then, for a dotted or hyphened
// word, each of its parts (a code inside "error.AADSTS50011").
func (t *codeTable) lookupWord(w string) *Code {
	if c := t.lookup(w); c != nil {
		return c
	}
	if !strings.ContainsAny(w, ".-") {
		return nil
	}
	for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '.' || r == '-' }) {
		if len(part) >= 4 {
			if c := t.lookup(part); c != nil {
				return c
			}
		}
	}
	return nil
}
