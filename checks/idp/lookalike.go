package idp

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// confusables maps letters of other scripts to the Latin letters they pass
// for in a host name (the common Cyrillic and Greek ones).
var confusables = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ɡ': 'g', 'һ': 'h', 'к': 'k', 'м': 'm', 'т': 't', 'в': 'b', 'н': 'h',
	'ο': 'o', 'α': 'a', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'τ': 't', 'ρ': 'p', 'υ': 'u', 'χ': 'x',
}

// Lookalike fails a host name that holds characters of another script, or
// a punycode label, where the IdP's own host would be plain ASCII: a value
// pasted from a phishing mail or a document with substituted characters.
var Lookalike = &checks.Check{
	ID:    "values.hosts",
	Title: "Host names hold no look-alike characters",
	Doc: "Checks each URL's host name for characters of another script (a Cyrillic о in okta.com) and punycode labels (xn--…): it fails when the host passes for a known IdP's " +
		"(lookalike_host), showing each character, and warns for any other non-ASCII host.",
	Phase: checks.PhaseValues,
	Run: func(ctx context.Context, t *checks.Target) []checks.Finding {
		var out []checks.Finding
		for _, f := range urlFields(t.Config) {
			u := checks.ParseURL(f.Value)
			if u == nil {
				continue
			}
			host := strings.ToLower(u.Hostname())
			shown := host
			if strings.Contains(host, "xn--") {
				if d, err := idna.ToUnicode(host); err == nil {
					shown = d
				}
			}
			odd := nonASCII(shown)
			if len(odd) == 0 {
				continue
			}
			folded := fold(shown)
			p := Of("https://" + folded)
			st := checks.Warn
			detail := fmt.Sprintf("The host %s holds %s: right only if your IdP really is on this internationalised name.", shown, strings.Join(odd, ", "))
			if p.Hosted && folded != shown {
				st = checks.Fail
				detail = fmt.Sprintf("The host %s holds %s and passes for %s's %s: it is not that host.", shown, strings.Join(odd, ", "), p.Name, folded)
			}
			out = append(out, checks.Problem(st, catalog.LookalikeHost, f.Label+" has look-alike characters in its host").
				WithDetail(detail).WithEvidence(folded, host).WithFix("Retype the host name from the IdP's own console; do not copy it from a mail or a document."))
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Host names are plain ASCII")}
		}
		return out
	},
}

// nonASCII names the characters of s outside ASCII, with their code points.
func nonASCII(s string) []string {
	var out []string
	for _, r := range s {
		if r > unicode.MaxASCII {
			out = append(out, fmt.Sprintf("%q (%U)", r, r))
		}
	}
	return out
}

// fold replaces look-alike letters with the Latin ones they pass for.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if l, ok := confusables[r]; ok {
			return l
		}
		return r
	}, s)
}
