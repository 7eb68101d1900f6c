package triage

import (
	"embed"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
)

// The vendors' page texts in the languages they ship, from their own
// translation files: one reviewable file per vendor (data/localised/<idp
// id>.tsv), each line the text as the page shows it, its row, the message
// key and language, and the source. A server quickdiag has no IdP guide
// for (textOnly) has its English texts here too, from its source.
//
//go:embed data/localised/*.tsv
var localisedFS embed.FS

// textOnly are the servers whose texts are read without an IdP guide of
// theirs: their signs are no one IdP's.
var textOnly = map[string]bool{"hydra": true}

// localisedSigns reads the translated page texts as signs of their
// vendor: each text matches as shown, but for its closing punctuation; a
// value the page fills in (a user name) is written {} and matches any
// short run of text.
func localisedSigns(fsys embed.FS) ([]Sign, error) {
	entries, err := fsys.ReadDir("data/localised")
	if err != nil {
		return nil, err
	}
	var out []Sign
	for _, e := range entries {
		name := e.Name()
		vendor := strings.TrimSuffix(name, ".tsv")
		p, err := idp.Parse(vendor)
		if !textOnly[vendor] && (err != nil || p == nil) {
			return nil, fmt.Errorf("data/localised/%s: no IdP of that name", name)
		}
		err = readTSV(fsys, path.Join("data/localised", name), "text, row, key and language, source", func(f []string, row catalog.ID) error {
			// As a pasted text is normalised (normaliseReport): one kind of
			// quote and dash, single spaces.
			text := strings.TrimRight(reportQuotes.Replace(checks.Clean(f[0])), ".。!！ ")
			if len(text) < 12 { // bytes: 7 Chinese characters are a sentence, 11 Latin letters are not
				return fmt.Errorf("%q is too short to mean one thing", text)
			}
			pattern := strings.Join(strings.Fields(regexp.QuoteMeta(text)), `\s+`)
			pattern = strings.ReplaceAll(pattern, `\{\}`, `.{1,120}?`)
			example := strings.ReplaceAll(normaliseReport(f[0]), "{}", "jdoe")
			out = append(out, signW(row, p, 0.9, pattern, example))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
