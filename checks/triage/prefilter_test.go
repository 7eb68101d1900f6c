package triage

import (
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/idp"
)

func TestAnchors(t *testing.T) {
	for pattern, want := range map[string][]string{
		`(?is)AADSTS50011\b`:                       {"aadsts50011"},
		`(?is)no refresh[_ ]token|Session expires`: {"no refresh token", "no refresh_token", "session expires"},
		`(?is)(localhost|127\.0\.0\.1):18080`:      {"localhost:18080", "127.0.0.1:18080"},
		// The parser factors alternations ("1(?:2(?:175|169))"): the run
		// of few strings is still one literal set.
		`(?is)(WinHttp|code)\W{1,20}(12175|12169)\b`: {"12175", "12169"},
		`(?is)\binvalid_scope\b`:                     {"invalid_scope"},
		`(?is)a|bcd`:                                 nil, // "a" is too short to rule anything out
		`(?is)(x)?`:                                  nil,
		// Case-folded letters the lowered text holds in one form only: the
		// parser keeps iota as U+0345, and sigma is σ or ς in lowered text.
		`(?is)διαχειριστή`:   {"διαχειρι"}, // up to the sigma
		`(?is)πρόσβασης`:     {"πρό"},
		`(?is)bağlanılamadı`: {"bağlanılamadı"},
	} {
		got := anchors(pattern)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("anchors(%q) = %q, want %q", pattern, got, want)
		}
	}
	// Sound: the prefilter Analyze runs keeps every sign and clue for its
	// own example.
	for i, s := range signs() {
		if !signAnchors().possible(strings.ToLower(normaliseReport(s.Example))).pattern.has(i) {
			t.Errorf("the prefilter of %s rules out its own example %q", s.Row, s.Example)
		}
	}
	for i, c := range clues() {
		if !clueAnchors().possible(strings.ToLower(normaliseReport(c.Example))).pattern.has(i) {
			t.Errorf("the prefilter of %v rules out its own example", c.Rows)
		}
	}
}

// TestPrefilterLiterals: the hand-written literals the prefilter's pass
// looks for (the IdPs' markers, the structured readers' names, the
// connection failures' anchors) are lower case, as the text it reads is,
// and three bytes or more, as its index needs.
func TestPrefilterLiterals(t *testing.T) {
	var lits []string
	for _, p := range idp.All() {
		lits = append(lits, p.Markers...)
	}
	lits = append(lits, paramNames...)
	for _, l := range labels {
		lits = append(lits, l.label)
	}
	lits = append(lits, connectAnchors...)
	if len(lits) < 40 {
		t.Fatalf("%d literals: the test reads too few", len(lits))
	}
	for _, l := range lits {
		if len(l) < 3 || strings.ToLower(l) != l {
			t.Errorf("the prefilter's literal %q is not lower case of three bytes or more: the pass would never find it", l)
		}
	}
}
