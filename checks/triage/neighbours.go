package triage

import (
	_ "embed"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// The nearest labelled messages: when no code, wording or concept names
// the cause, a message that shares its distinctive words with real
// messages of known cause (the corpus part the knowledge may be written
// from, testdata/*.json) points at their row, with little weight. Words
// are weighted by how rare they are among the examples (TF-IDF), so that
// "error" or "request" count for little and "offline", "tenant" or
// "refused" for much.
//
//go:embed data/examples.json
var examplesJSON []byte

// Example is one labelled message the nearest-neighbour fallback compares with.
type Example struct {
	Row  catalog.ID `json:"row"`
	Text string     `json:"text"`
}

type neighbourIndex struct {
	examples []Example
	idf      map[string]float64
	// postings: word → (example, weight in that example's unit vector).
	postings map[string][]posting
}

type posting struct {
	example int
	weight  float64
}

// Examples returns the fallback's labelled messages, for tests.
func Examples() []Example { return append([]Example(nil), neighbours().examples...) }

var neighbours = sync.OnceValue(func() *neighbourIndex {
	ix := &neighbourIndex{idf: map[string]float64{}, postings: map[string][]posting{}}
	if err := json.Unmarshal(examplesJSON, &ix.examples); err != nil {
		panic("triage: data/examples.json: " + err.Error()) // checked by TestExamplesAreTheKnowledgePart
	}
	df := map[string]int{}
	bags := make([]map[string]float64, len(ix.examples))
	for i, e := range ix.examples {
		bags[i] = bag(e.Text)
		for w := range bags[i] {
			df[w]++
		}
	}
	n := float64(len(ix.examples))
	for w, d := range df {
		ix.idf[w] = math.Log((n + 1) / (float64(d) + 0.5))
	}
	for i, b := range bags {
		vec, norm := map[string]float64{}, 0.0
		for w, tf := range b {
			v := (1 + math.Log(tf)) * ix.idf[w]
			vec[w] = v
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for w, v := range vec {
			if norm > 0 {
				ix.postings[w] = append(ix.postings[w], posting{i, v / norm})
			}
		}
	}
	return ix
})

// stopWords carry no cause.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "to": true, "of": true, "in": true, "for": true, "is": true, "and": true, "or": true,
	"on": true, "at": true, "be": true, "this": true, "that": true, "it": true, "with": true, "as": true, "by": true, "from": true,
	"was": true, "are": true, "i": true, "you": true, "we": true, "my": true, "our": true, "your": true, "me": true, "have": true,
	"has": true, "http": true, "https": true, "com": true, "www": true, "hi": true, "get": true, "when": true, "after": true,
}

// bag returns a text's distinctive words and their counts: folded, no
// stop words, no ids (words of many digits or long random runs).
func bag(text string) map[string]float64 {
	b := map[string]float64{}
	for _, w := range foldWords(text, 400) {
		if len(w.w) < 2 || stopWords[w.w] || idLike(w.w) {
			continue
		}
		b[w.w]++
	}
	return b
}

// idLike reports whether a word is an id, a number or a random run.
func idLike(w string) bool {
	digits := 0
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			digits++
		}
	}
	return digits > 0 && (digits*2 >= len(w) || len(w) > 12) || len(w) > 24
}

// nearest returns the row of the labelled messages nearest to text and
// their similarity (cosine, 0 to 1): the rows of the voters nearest vote,
// weighted by similarity.
func nearest(text string) (catalog.ID, float64) {
	ix := neighbours()
	q := bag(text)
	vec, norm := map[string]float64{}, 0.0
	for w, tf := range q {
		idf, ok := ix.idf[w]
		if !ok {
			continue // a word no example has cannot bring one nearer
		}
		v := (1 + math.Log(tf)) * idf
		vec[w] = v
		norm += v * v
	}
	if norm == 0 {
		return "", 0
	}
	norm = math.Sqrt(norm)
	scores := map[int]float64{}
	for w, v := range vec {
		for _, p := range ix.postings[w] {
			scores[p.example] += v / norm * p.weight
		}
	}
	type cand struct {
		i int
		s float64
	}
	var cs []cand
	for i, s := range scores {
		cs = append(cs, cand{i, s})
	}
	sort.Slice(cs, func(a, b int) bool {
		if cs[a].s != cs[b].s {
			return cs[a].s > cs[b].s
		}
		return cs[a].i < cs[b].i
	})
	if len(cs) == 0 {
		return "", 0
	}
	votes := map[catalog.ID]float64{}
	for _, c := range cs[:min(voters, len(cs))] {
		votes[ix.examples[c.i].Row] += c.s
	}
	best := ix.examples[cs[0].i].Row
	for row, v := range votes {
		if v > votes[best] || v == votes[best] && catalog.Order(row) < catalog.Order(best) {
			best = row
		}
	}
	return best, cs[0].s
}

// voters is how many of the nearest messages vote: left one out, the
// knowledge part's examples are named right 76% of the time by seven
// (73.5% by three, 75% by five, 76% by nine; similarity 0.3 or more).
const voters = 7

// minSimilarity is the least similarity at which the nearest messages
// count as evidence.
const minSimilarity = 0.3

// nearestHit is the fallback's evidence for text, if any: weak (0.45 to
// 0.62), so that any code, wording or concept outranks it.
func nearestHit(text string) (hit, bool) {
	row, sim := nearest(text)
	if row == "" || sim < minSimilarity {
		return hit{}, false
	}
	end := min(len(text), 200)
	if i := strings.LastIndexByte(text[:end], ' '); i > 0 && end < len(text) {
		end = i
	}
	return hit{row: row, score: 0.45 + 0.25*min(sim, 0.7), start: 0, end: end, nearest: true}, true
}
