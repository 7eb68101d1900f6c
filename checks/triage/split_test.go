package triage

import (
	"encoding/json"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// TestSplitFindsWhatTheWholeFinds: for every sign and clue, on every
// corpus text, example and a few hand-made texts, the split pattern with
// the prefilter finds exactly what the whole regular expression finds.
func TestSplitFindsWhatTheWholeFinds(t *testing.T) {
	texts := append([]string{"", "a", "localhost:18080 refused ERR_CONNECTION_REFUSED blocked from talking to localhost"},
		corpusTexts(t, "testdata/triage_corpus.json", "testdata/collected_corpus.json")...)
	for _, s := range signs() {
		texts = append(texts, s.Example)
	}
	for _, c := range clues() {
		texts = append(texts, c.Example)
	}
	// Under the race detector every sixteenth text: the comparison is of
	// regular expressions, which have no goroutines to race, and the whole
	// set would take minutes there and starve the browser tests.
	step := 1
	if raceDetector {
		step = 16
	}
	split, found := 0, 0
	for k, raw := range texts {
		if k%step != 0 {
			continue
		}
		text := normaliseReport(raw)
		lower := strings.ToLower(text)
		maySign, mayClue := signAnchors().possible(lower), clueAnchors().possible(lower)
		maySign.readsASCII(text, lower)
		mayClue.readsASCII(text, lower)
		for i, s := range signs() {
			want, got := s.Pattern.FindStringIndex(text), maySign.find(i, text)
			if !slices.Equal(want, got) {
				t.Fatalf("sign %d (%s) on %.80q: whole %v, split %v", i, s.Pattern, raw, want, got)
			}
			if got != nil {
				found++
			}
		}
		for i, c := range clues() {
			if want, got := c.Pattern.FindStringIndex(text), mayClue.find(i, text); !slices.Equal(want, got) {
				t.Fatalf("clue %d (%s) on %.80q: whole %v, split %v", i, c.Pattern, raw, want, got)
			}
		}
		// The same pass finds the connection failures' anchors, the
		// structured readers' names and the IdP's markers.
		pf := prefilter()
		has, _ := pf.ix.present(lower)
		aligned := alignedLower(text)
		holds := func(i int) bool { return has.has(pf.connect[i]) }
		mayFail := pf.failures.possible(lower)
		match := func(w string) []int { return mayFail.find(0, w) }
		if want, got := connectFailureLocs(text, aligned, nil, nil), connectFailureLocs(text, aligned, holds, match); !slices.EqualFunc(want, got, slices.Equal) {
			t.Fatalf("connection failures on %.80q: all anchors %v, the prefilter's %v", raw, want, got)
		}
		if want, got := readFacts(text, aligned, nil), readFacts(text, aligned, pf.holdsName(has)); !reflect.DeepEqual(want, got) {
			t.Fatalf("facts of %.80q: every name searched %+v, the prefilter's %+v", raw, want, got)
		}
		if want, got := idpInLower(lower), pf.idpIn(has); want != got {
			t.Fatalf("IdP of %.80q: markers searched %v, the prefilter's %v", raw, want, got)
		}
	}
	for _, s := range signs() {
		if len(s.pattern.parts) > 1 {
			split++
		}
	}
	if split < 80 || found < 1000/step {
		t.Errorf("%d signs split, %d matches compared: the test compares too little", split, found)
	}
	t.Logf("%d of %d signs split; %d matches compared on %d texts", split, len(signs()), found, len(texts))
}

// TestAlignedLowerKeepsOffsets: alignedLower is as long as its input on
// letters whose lower case changes length and on bytes that are no UTF-8,
// and lower-cases the rest.
func TestAlignedLowerKeepsOffsets(t *testing.T) {
	for _, s := range []string{"", "ABC", "İSTANBUL", "\u212a\u212a", "STRAẞE", "\xff\xfeAB", "ÉCOLE Ωμέγα"} {
		if got := alignedLower(s); len(got) != len(s) {
			t.Errorf("alignedLower(%q) = %q: %d bytes, want %d", s, got, len(got), len(s))
		}
	}
	if got := alignedLower("ÉCOLE Ωμέγα ERROR=X"); got != "école ωμέγα error=x" {
		t.Errorf("alignedLower = %q", got)
	}
}

// FuzzSplitFindsWhatTheWholeFinds: on any text, each sign's split pattern
// (and connectFailure's) behind the prefilter finds exactly what its whole
// expression finds.
func FuzzSplitFindsWhatTheWholeFinds(f *testing.F) {
	f.Add("This site can't be reached localhost refused to connect. ERR_CONNECTION_REFUSED")
	f.Add("IDX10214: Audience validation failed. Audiences: 'api://x'. Did not match: validationParameters.ValidAudience")
	f.Add("Ungültiger Parameter: redirect_uri \u212a İ ẞ")
	f.Fuzz(func(t *testing.T, raw string) {
		if len(raw) > 4096 {
			return
		}
		text := normaliseReport(raw)
		lower := strings.ToLower(text)
		may := signAnchors().possible(lower)
		may.readsASCII(text, lower)
		for i, s := range signs() {
			if want, got := s.Pattern.FindStringIndex(text), may.find(i, text); !slices.Equal(want, got) {
				t.Fatalf("sign %d (%s) on %q: whole %v, split %v", i, s.Pattern, raw, want, got)
			}
		}
		if want, got := connectFailure.FindStringIndex(text), prefilter().failures.possible(strings.ToLower(text)).find(0, text); !slices.Equal(want, got) {
			t.Fatalf("connectFailure on %q: whole %v, split %v", raw, want, got)
		}
	})
}

// TestConnectAnchorsCoverConnectFailure: every wording of connectFailure
// holds one of connectAnchors, or connectFailureLocs would never look
// around it.
func TestConnectAnchorsCoverConnectFailure(t *testing.T) {
	re := parseTop(connectFailure.String())
	alts := []*syntax.Regexp{re}
	if re.Op == syntax.OpAlternate {
		alts = re.Sub
	}
	if len(alts) < 20 {
		t.Fatalf("connectFailure splits into %d wordings: the test reads it wrong", len(alts))
	}
	for _, alt := range alts {
		lits := required(alt)
		if lits == nil {
			t.Errorf("%s: no literal every match holds", alt)
			continue
		}
		for _, l := range lits {
			if !slices.ContainsFunc(connectAnchors, func(a string) bool { return strings.Contains(l, a) }) {
				t.Errorf("%s: its literal %q holds none of connectAnchors", alt, l)
			}
		}
	}
}

// normaliseReference is normaliseReport without its ASCII fast path.
func normaliseReference(s string) string {
	if len(s) > MaxTriageInput {
		s = s[:MaxTriageInput]
	}
	if strings.ContainsAny(s, "%+") {
		if d, err := url.QueryUnescape(s); err == nil && d != s {
			s += "\n" + d
		}
	}
	return normaliseWhole(s)
}

// TestNormaliseReportFastPath: ASCII text left as it is normalises as the
// whole normalisation would.
func TestNormaliseReportFastPath(t *testing.T) {
	texts := append([]string{"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\x7fb", "a\x00b", "a\r\nb", "x%41y", "a+b", "ü  x", "“x”\u00a0y"},
		corpusTexts(t, "testdata/collected_corpus.json")...)
	for _, s := range texts {
		if got, want := normaliseReport(s), normaliseReference(s); got != want {
			t.Fatalf("normaliseReport(%.80q) = %.80q, want %.80q", s, got, want)
		}
	}
}

// FuzzNormaliseReport: on any text, normaliseReport is the whole
// normalisation.
func FuzzNormaliseReport(f *testing.F) {
	f.Add("a  b\t\x7f")
	f.Add("x%20y+z")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normaliseReport(s), normaliseReference(s); got != want {
			t.Fatalf("normaliseReport(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestLiteralPartsFindWhatTheirExpressionFinds: an alternative that is one
// literal, found by substring search in ASCII text, finds what its regular
// expression finds — at word boundaries made of letters, digits and '_',
// and past an occurrence that fails them.
func TestLiteralPartsFindWhatTheirExpressionFinds(t *testing.T) {
	texts := []string{"invalid_scope", "xinvalid_scope invalid_scope", "invalid_scope_x INVALID_SCOPE.", "9invalid_scope", "a invalid_scopeinvalid_scope b", "", "invalid_scop"}
	for _, expr := range []string{`(?is)\binvalid_scope\b`, `(?is)invalid_scope\b`, `(?is)\binvalid_scope`, `(?is)invalid_scope`} {
		p := compilePattern(expr)
		if len(p.parts) != 1 || p.parts[0].lit != "invalid_scope" {
			t.Fatalf("%s: not read as one literal part: %+v", expr, p.parts)
		}
		re := regexp.MustCompile(expr)
		for _, text := range texts {
			want := re.FindStringIndex(text)
			if got := p.find(text, strings.ToLower(text), nil); !slices.Equal(want, got) {
				t.Errorf("%s on %q: expression %v, substring search %v", expr, text, want, got)
			}
		}
	}
	for _, expr := range []string{`(?s)invalid_scope`, `(?is)invalid.scope`, `(?is)\Binvalid_scope`, `(?is)ünvalid`} {
		if lit, _, _ := literalOf(expr); lit != "" {
			t.Errorf("%s read as the literal %q", expr, lit)
		}
	}
}

// corpusTexts returns the texts of the corpus files.
func corpusTexts(t *testing.T, files ...string) []string {
	t.Helper()
	var texts []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c []struct{ Text string }
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		for _, e := range c {
			texts = append(texts, e.Text)
		}
	}
	return texts
}
