package triage_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// incoming is a newly collected message, as a collector writes it.
type incoming struct {
	Row        catalog.ID `json:"row"`
	IdP        string     `json:"idp"`
	Source     string     `json:"source"`
	Text       string     `json:"text"`
	Wrapped    bool       `json:"wrapped"`
	Vendor     string     `json:"vendor"`
	Confidence string     `json:"confidence,omitempty"`
	// Split is set on import (the corpus entry is this, without Confidence).
	Split string `json:"split,omitempty"`
}

// TestImportCorpus adds newly collected real messages to the collected
// corpus, by the split rule, when QUICKDIAG_IMPORT names their JSON files
// (comma-separated); otherwise it is skipped. It drops entries without a
// source or a known row, those whose label the collector marked "low"
// confidence, and texts already in the corpus or near copies of one (3-word
// shingles, Jaccard above 0.8). A text goes to the held-out part when the
// last byte of its SHA-256 is even — unless it comes from a source already
// in the corpus, is a near-duplicate of a corpus text (Jaccard above 0.5),
// or is, holds or is held by a knowledge text or an example: those go to
// the knowledge part; a knowledge text that is, holds or is held by a
// held-out text is dropped. It prints counts only, never a held-out text.
func TestImportCorpus(t *testing.T) {
	files := os.Getenv("QUICKDIAG_IMPORT")
	if files == "" {
		t.Skip("QUICKDIAG_IMPORT names no files")
	}
	const path = "testdata/collected_corpus.json"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatal(err)
	}
	corpus := loadCollected(t)
	_, examples := knowledgeExamples(t)
	var shingles []map[string]bool
	sources, seen := map[string]bool{}, map[string]bool{}
	var known, heldOut []string // folded knowledge texts and examples; held-out texts
	add := func(text, source string, knowledge bool) {
		shingles = append(shingles, shingle(text))
		sources[source], seen[fold(text)] = true, true
		if knowledge {
			known = append(known, fold(text))
		} else {
			heldOut = append(heldOut, fold(text))
		}
	}
	for _, e := range corpus {
		add(e.Text, e.Source, e.Split == "knowledge")
	}
	for _, e := range loadCorpus(t) {
		add(e.Text, e.Source, true)
	}
	known = append(known, examples...)
	counts := map[string]int{}
	for _, name := range strings.Split(files, ",") {
		data, err := os.ReadFile(strings.TrimSpace(name))
		if err != nil {
			t.Fatal(err)
		}
		var in []incoming
		if err := json.Unmarshal(data, &in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range in {
			e.Text = strings.TrimSpace(e.Text)
			_, rowOK := catalog.Lookup(e.Row)
			switch {
			case e.Text == "" || e.Source == "" || !rowOK || e.Vendor == "":
				counts["dropped: a field missing or an unknown row"]++
				continue
			case e.Confidence != "" && e.Confidence != "high":
				counts["dropped: low confidence"]++
				continue
			case seen[fold(e.Text)]:
				counts["dropped: already in the corpus"]++
				continue
			}
			sh := shingle(e.Text)
			near := 0.0
			for _, o := range shingles {
				near = max(near, jaccard(sh, o))
			}
			if near > 0.8 {
				counts["dropped: a near copy"]++
				continue
			}
			sum := sha256.Sum256([]byte(e.Text))
			split := "knowledge"
			if sum[len(sum)-1]%2 == 0 {
				split = "heldout"
				f := fold(e.Text)
				if sources[e.Source] || near > 0.5 || func() bool {
					for _, k := range known {
						if holds(f, k) {
							return true
						}
					}
					return false
				}() {
					split = "knowledge"
					counts["moved to the knowledge part"]++
				}
			}
			if split == "knowledge" && slices.ContainsFunc(heldOut, func(h string) bool { return holds(fold(e.Text), h) }) {
				// Neither part can have it: knowledge would leak into the
				// held-out text, and held out it would be a duplicate.
				counts["dropped: is, holds or is held by a held-out text"]++
				continue
			}
			if e.IdP == "" {
				e.IdP = "generic"
			}
			e.Confidence, e.Split = "", split
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false) // as the corpus is written: < and & as they are
			if err := enc.Encode(e); err != nil {
				t.Fatal(err)
			}
			entries = append(entries, bytes.TrimSpace(b.Bytes()))
			add(e.Text, e.Source, split == "knowledge")
			counts[split]++
			counts[split+" "+e.Vendor]++
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(entries); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.TrimRight(out.Bytes(), "\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for k, n := range counts {
		t.Logf("%s: %d", k, n)
	}
	t.Logf("the collected corpus holds %d messages: run QUICKDIAG_UPDATE_EXAMPLES=1 go test -run TestExamplesAreTheKnowledgePart", len(entries))
}

// shingle returns the folded text's runs of three words (its words when
// it has fewer).
func shingle(text string) map[string]bool {
	w := strings.Fields(fold(text))
	out := map[string]bool{}
	for i := 0; i+3 <= len(w); i++ {
		out[strings.Join(w[i:i+3], " ")] = true
	}
	if len(out) == 0 {
		for _, x := range w {
			out[x] = true
		}
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	if union := len(a) + len(b) - inter; union > 0 {
		return float64(inter) / float64(union)
	}
	return 0
}

// TestSplitRule: no message is held out that the rule puts in the
// knowledge part (its SHA-256's last byte odd); the other way is allowed
// (near-duplicates move to the knowledge part).
func TestSplitRule(t *testing.T) {
	for _, e := range loadCollected(t) {
		if sum := sha256.Sum256([]byte(e.Text)); e.Split == "heldout" && sum[len(sum)-1]%2 != 0 {
			t.Errorf("held out against the rule: the message from %s", e.Source)
		}
	}
}
