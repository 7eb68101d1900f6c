package triage_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// collected is one message of the collected corpus: real messages from
// vendor docs, issue threads and library source, each with its source.
// Split says which part it is in, drawn once at random (by the SHA-256 of
// the text): "knowledge", which the knowledge table may be written from,
// or "heldout", which it may not.
type collected struct {
	corpusEntry
	Wrapped bool   `json:"wrapped"`
	Vendor  string `json:"vendor"`
	Split   string `json:"split"`
	// Second is a second reader's row for a held-out message: a separate
	// labelling pass that saw only the text (not its source, label or
	// quickdiag's answer) and followed the collectors' conventions. Where the two readings
	// agree the message is clear; the rest is how far reading the text
	// alone can go.
	Second *struct {
		Row  catalog.ID   `json:"row"`
		Also []catalog.ID `json:"also"`
	} `json:"second_reading,omitempty"`
}

// clear reports whether the second reading names the corpus's row.
func (e collected) clear() bool {
	return e.Second != nil && e.accepts(e.Second.Row)
}

// sameValue pairs rows whose fix is one change of one pasted value: an
// issuer that differs from the IdP's is invalid_issuer in the catalog's
// Entra words ("Invalid issuer: …/v2.0") and token_validation_failure in
// general (the Issuer URL ≠ the IdP's issuer verbatim); both say "paste
// the issuer of the discovery document, verbatim". Collectors labelled
// a library's issuer mismatch either way.
var sameValue = map[catalog.ID]catalog.ID{
	catalog.InvalidIssuer:          catalog.TokenValidationFailure,
	catalog.TokenValidationFailure: catalog.InvalidIssuer,
}

// accepts reports whether row is a right answer for the message: its
// row, one of its also rows, or the row with the same fix.
func (e collected) accepts(row catalog.ID) bool {
	return row == e.Row || slices.Contains(e.Also, row) || sameValue[e.Row] == row
}

func loadCollected(t testing.TB) []collected {
	data, err := os.ReadFile("testdata/collected_corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var c []collected
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// heldOutFloor is the top-1 accuracy on the held-out part below which the
// test fails: the README reports the figure measured.
const heldOutFloor = 0.75

// TestHeldOut measures top-1 on both parts of the collected corpus and
// fails when the held-out part falls below its floor or the knowledge part
// below 95%. Misses are listed for the knowledge part only: the held-out
// part's texts must not shape the knowledge (set QUICKDIAG_HELDOUT_MISSES=1
// to list them when deciding, once, that the split is spent).
func TestHeldOut(t *testing.T) {
	all := loadCollected(t)
	right := map[string]int{}
	total := map[string]int{}
	for _, e := range all {
		total[e.Split]++
		total[e.Split+" "+e.Vendor]++
		if e.Second != nil {
			total["read"]++
		}
		if e.clear() {
			total["clear"]++
		}
		ms := triage.Rank(e.Text)
		if len(ms) > 0 && e.accepts(ms[0].Row) {
			right[e.Split]++
			right[e.Split+" "+e.Vendor]++
			if e.clear() {
				right["clear"]++
			}
			continue
		}
		if e.Split == "knowledge" || os.Getenv("QUICKDIAG_HELDOUT_MISSES") != "" {
			got := catalog.ID("(none)")
			if len(ms) > 0 {
				got = ms[0].Row
			}
			t.Logf("%s miss: want %s got %s: %.200q", e.Split, e.Row, got, e.Text)
		}
	}
	var vendors []string
	for k := range total {
		if strings.Contains(k, " ") {
			vendors = append(vendors, k)
		}
	}
	slices.Sort(vendors)
	for _, k := range vendors {
		t.Logf("  %-24s %3d of %3d", k, right[k], total[k])
	}
	t.Logf("a second reader of the held-out texts names the corpus's row for %d of %d (%.1f%%); on those, top-1 %.1f%% (%d)",
		total["clear"], total["read"], 100*float64(total["clear"])/float64(max(total["read"], 1)),
		100*float64(right["clear"])/float64(max(total["clear"], 1)), right["clear"])
	for _, part := range []string{"knowledge", "heldout"} {
		acc := float64(right[part]) / float64(max(total[part], 1))
		t.Logf("top-1 on the %s part: %.1f%% (%d of %d)", part, 100*acc, right[part], total[part])
		floor := 0.95
		if part == "heldout" {
			floor = heldOutFloor
		}
		if acc < floor {
			t.Errorf("top-1 on the %s part %.1f%% < %.0f%%", part, 100*acc, 100*floor)
		}
	}
}

// TestCorpusShape: at least 400 messages from at least 80 sources, each
// with its source, ten per IdP, a quarter wrapped as helpdesks paste; every
// held-out message with its second reading.
func TestCorpusShape(t *testing.T) {
	all := loadCollected(t)
	sources := map[string]bool{}
	perIdP := map[string]int{}
	wrapped := 0
	for _, e := range loadCorpus(t) {
		sources[e.Source] = true
		perIdP[e.IdP]++
	}
	for _, e := range all {
		if e.Source == "" || e.Split != "knowledge" && e.Split != "heldout" {
			t.Errorf("entry without source or split: %.80q", e.Text)
		}
		if e.Split == "heldout" && e.Second == nil {
			// Not the text: whoever reads this may be writing knowledge.
			t.Errorf("a held-out message from %s has no second reading", e.Source)
		}
		if e.Second != nil {
			if _, ok := catalog.Lookup(e.Second.Row); !ok {
				t.Errorf("second reading names an unknown row %s", e.Second.Row)
			}
		}
		if _, ok := catalog.Lookup(e.Row); !ok {
			t.Errorf("unknown row %s", e.Row)
		}
		sources[e.Source] = true
		perIdP[e.IdP]++
		if e.Wrapped {
			wrapped++
		}
	}
	n := len(all) + len(loadCorpus(t))
	t.Logf("%d messages, %d sources, %d wrapped, per IdP %v", n, len(sources), wrapped, perIdP)
	if n < 400 || len(sources) < 80 {
		t.Errorf("%d messages from %d sources; want at least 400 from 80", n, len(sources))
	}
	if wrapped*4 < len(all) {
		t.Errorf("%d of %d wrapped; want a quarter", wrapped, len(all))
	}
	for _, idp := range []string{"entra", "okta", "google", "pingfederate", "pingone", "cognito", "auth0", "keycloak", "adfs"} {
		if perIdP[idp] < 10 {
			t.Errorf("only %d messages for %s", perIdP[idp], idp)
		}
	}
}

var foldRE = regexp.MustCompile(`[^\p{L}\p{N}]+`)

func fold(s string) string {
	return strings.Trim(foldRE.ReplaceAllString(strings.ToLower(s), " "), " ")
}

// TestHeldOutIsNotKnowledge: no held-out text is an example the knowledge
// was written from (a sign's, a rule's or a clue's), nor a code catalog's
// description, nor holds one of forty characters or more.
func TestHeldOutIsNotKnowledge(t *testing.T) {
	examples, folded := knowledgeExamples(t)
	for _, e := range loadCollected(t) {
		if e.Split != "heldout" {
			continue
		}
		text := fold(e.Text)
		for i, x := range folded {
			if holds(text, x) {
				// The held-out text itself is not printed: whoever reads this
				// is writing knowledge, and must not see it.
				t.Errorf("a held-out text is (or holds, or is held by) the knowledge example %.80q: remove that example", examples[i])
			}
		}
	}
}

// knowledgeExamples returns every example the knowledge was written from
// (signs', rules', clues', the first corpus, the nearest-neighbour
// examples), and each folded.
func knowledgeExamples(t testing.TB) (examples, folded []string) {
	for _, s := range triage.Signs() {
		examples = append(examples, s.Example)
	}
	for _, r := range triage.Rules() {
		examples = append(examples, r.Example)
	}
	for _, c := range triage.Clues() {
		examples = append(examples, c.Example)
	}
	for _, e := range loadCorpus(t) {
		examples = append(examples, e.Text)
	}
	for _, e := range triage.Examples() {
		examples = append(examples, e.Text)
	}
	for _, x := range examples {
		folded = append(folded, fold(x))
	}
	return examples, folded
}

// holds reports whether folded texts a and b are one, or one holds the
// other and is forty characters or more.
func holds(a, b string) bool {
	return a == b || len(b) >= 40 && strings.Contains(a, b) || len(a) >= 40 && strings.Contains(b, a)
}

// TestExamplesAreTheKnowledgePart: the nearest-neighbour fallback's
// examples (data/examples.json) are exactly the corpus the knowledge may be
// written from: testdata/triage_corpus.json and the knowledge part of the
// collected corpus, never a held-out text. QUICKDIAG_UPDATE_EXAMPLES=1
// rewrites the file from them.
func TestExamplesAreTheKnowledgePart(t *testing.T) {
	var want []triage.Example
	for _, e := range loadCorpus(t) {
		want = append(want, triage.Example{Row: e.Row, Text: e.Text})
	}
	for _, e := range loadCollected(t) {
		if e.Split == "knowledge" {
			want = append(want, triage.Example{Row: e.Row, Text: e.Text})
		}
	}
	if os.Getenv("QUICKDIAG_UPDATE_EXAMPLES") != "" {
		b, _ := json.MarshalIndent(want, "", "")
		if err := os.WriteFile("data/examples.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got := triage.Examples()
	if !slices.Equal(got, want) {
		t.Errorf("data/examples.json holds %d examples, the knowledge part %d: rerun with QUICKDIAG_UPDATE_EXAMPLES=1", len(got), len(want))
	}
}
