// Package triage finds the catalog rows that a reported error points at:
// a pasted message, an error page, a log. Its knowledge is a table of
// wordings: each provider's own (package idp) and the generic ones here.
// It also holds the guided path for when there is nothing to paste.
package triage

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
)

// MaxTriageInput is the most text triage reads; the rest is ignored.
const MaxTriageInput = 1 << 20

// Match is one catalog row that a reported error points at.
type Match struct {
	Row   catalog.ID `json:"row"`
	Score float64    `json:"score"`
	Title string     `json:"title"`
	Cause string     `json:"cause"`
	Fix   string     `json:"fix"`
	// Matched is the part of the text that matched.
	Matched string `json:"matched"`
	// Context is Matched with the words around it, to find it in a long
	// paste. Both are redacted: codes, tokens and secrets never reappear.
	Context string `json:"context,omitempty"`
	// Question tells candidate rows apart when the text fits several.
	Question string `json:"question,omitempty"`
}

// Rank ranks the catalog rows that a pasted error message points at,
// best first: vendor codes and the desktop app's own messages weigh most,
// generic OAuth error codes least. Text may carry any noise (line breaks,
// ids, timestamps, URLs); a wording that fits several rows returns all of
// them with the question that tells them apart. No match, no rows.
func Rank(text string) []Match {
	text = normaliseReport(text)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	idp := idpInText(text)
	lower := strings.ToLower(text)
	type acc struct {
		score    float64
		hits     int
		at       [2]int // the best match's span in text
		question string
	}
	rows := map[catalog.ID]*acc{}
	add := func(row catalog.ID, score float64, at []int, question string) {
		a := rows[row]
		if a == nil {
			a = &acc{}
			rows[row] = a
		}
		a.hits++
		if score > a.score {
			a.score, a.at = score, [2]int{at[0], at[1]}
		}
		if question != "" && a.question == "" {
			a.question = question
		}
	}
	for _, s := range signs() {
		if !mayMatch(lower, s.anchors) {
			continue
		}
		loc := s.Pattern.FindStringIndex(text)
		if loc == nil {
			continue
		}
		w := s.Weight
		switch {
		case s.IdP != nil && s.IdP == idp:
			w += 0.04 // the wording of the IdP the text is about
		case s.IdP != nil && idp != nil && s.IdP != idp:
			w -= 0.1 // another IdP's wording
		}
		add(s.Row, w, loc, "")
	}
	for _, c := range clues() {
		if !mayMatch(lower, c.anchors) {
			continue
		}
		loc := c.Pattern.FindStringIndex(text)
		if loc == nil {
			continue
		}
		for i, row := range c.Rows {
			score := 0.5
			if i == 0 {
				score = 0.52 // the first row listed is the commonest cause
			}
			add(row, score, loc, c.Question)
		}
	}
	// What is echoed back may carry what people paste: codes, tokens, secrets.
	red := &checks.Redactor{}
	out := make([]Match, 0, len(rows))
	for id, a := range rows {
		r, ok := catalog.Lookup(id)
		if !ok {
			continue
		}
		score := a.score + 0.02*float64(min(a.hits-1, 3)) // corroboration
		m := Match{Row: id, Score: round2(min(score, 0.99)), Title: r.Title, Cause: r.Cause, Fix: idp.FixFor(id),
			Matched: red.String(text[a.at[0]:a.at[1]]), Question: a.question}
		if ctx := red.String(excerpt(text, a.at[0], a.at[1])); ctx != m.Matched {
			m.Context = ctx
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return catalog.Order(out[i].Row) < catalog.Order(out[j].Row)
	})
	// When the best is a sure sign, the clue's other candidates only add noise
	// if they scored no better than the clue itself.
	if len(out) > 0 && out[0].Score >= 0.85 {
		kept := out[:1]
		for _, m := range out[1:] {
			if m.Score > 0.55 {
				kept = append(kept, m)
			}
		}
		out = kept
		for i := range out {
			if out[i].Score >= 0.85 {
				out[i].Question = "" // a sure match needs no telling apart
			}
		}
	}
	return out
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

var (
	reportSpaceRE = regexp.MustCompile(`\s+`)
	// The same wording with different quotes and dashes.
	reportQuotes = strings.NewReplacer("‘", "'", "’", "'", "“", `"`, "”", `"`, "–", "-", "—", "-", "\u00a0", " ")
)

// normaliseReport makes pasted text comparable: bounded in size, one kind of
// quote, no invisible characters, white space (line breaks included)
// folded to single spaces.
func normaliseReport(s string) string {
	if len(s) > MaxTriageInput {
		s = s[:MaxTriageInput]
	}
	// A pasted redirect URL or form body carries its words URL-encoded: read
	// the decoded form too, after the text as pasted.
	if strings.ContainsAny(s, "%+") {
		if d, err := url.QueryUnescape(s); err == nil && d != s {
			s += "\n" + d
		}
	}
	s = strings.ToValidUTF8(s, " ")
	s = reportQuotes.Replace(s)
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(checks.Invisible, r) {
			return -1
		}
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	return reportSpaceRE.ReplaceAllString(s, " ")
}

// idpInText guesses which IdP a reported text is about, from its markers
// (hosts, product names, code prefixes); nil when none shows.
func idpInText(s string) *checks.IdP {
	lower := strings.ToLower(s)
	for _, p := range idp.All() {
		for _, w := range p.Markers {
			if strings.Contains(lower, w) {
				return p
			}
		}
	}
	return nil
}

// Signs returns the knowledge table, for listings and tests.
func Signs() []Sign { return append([]Sign(nil), signs()...) }

// Clues returns the ambiguous wordings, for listings and tests.
func Clues() []Clue { return append([]Clue(nil), clues()...) }
