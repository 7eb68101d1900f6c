// Package triage finds the catalog rows that a reported error points at:
// a pasted message, an error page, a log. Its knowledge is a table of
// wordings: each provider's own (package idp) and the generic ones here.
// It also holds the guided path for when there is nothing to paste.
package triage

import (
	"net/url"
	"slices"
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
	// Meaning is the vendor's own description of the code matched.
	Meaning string `json:"meaning,omitempty"`
	// Guess is true when nothing in the text is a code, wording or
	// concept quickdiag knows, and the row is the one of the most similar
	// known messages: a lead to confirm with the checks, not a diagnosis.
	Guess bool `json:"guess,omitempty"`
}

// GuessNote says what a guessed match is, for the front ends.
const GuessNote = "a guess: nothing in the text is a wording quickdiag knows; this is the row of the most similar known messages. Confirm it with the checks (quickdiag check --live, or the wizard)."

// Result is what triage makes of a reported text.
type Result struct {
	// Matches are the rows the text points at, best first.
	Matches []Match `json:"matches"`
	// Facts are the structured fields read out of the text.
	Facts *Facts `json:"facts,omitempty"`
	// Next says where the administrator finds this event in the IdP's
	// logs, with its id filled in.
	Next []string `json:"where_to_look,omitempty"`
}

// Rank ranks the catalog rows that a pasted error message points at, best
// first (see Analyze).
func Rank(text string) []Match { return Analyze(text).Matches }

// hit is one piece of evidence for a row: a code, a wording, a concept
// rule or a clue, and where it is in the text.
type hit struct {
	row        catalog.ID
	score      float64
	start, end int
	question   string
	meaning    string
	// oauth marks a generic RFC 6749 error name, which decides only when
	// nothing more specific is in the text.
	oauth bool
	clue  bool
	// nearest marks the nearest labelled messages' vote (neighbours.go).
	nearest bool
	// rule marks a concept rule's match (concepts.go): its span is a
	// clause's concepts in any order, not a phrase.
	rule bool
	// host marks a connection failure decided by the host nearest its
	// words (network.go): a loopback wording around the same words, which
	// found "localhost" farther away, does not outrank it.
	host bool
}

// Analyze reads a pasted error message, page, JSON body or log: its
// structured fields first (error, error_description, vendor codes, ids),
// then the vendor codes' catalogs, the wordings of every IdP, library and
// browser, and the concepts the text names. Vendor codes and the desktop
// app's own messages weigh most, generic OAuth error codes least; when one
// match lies inside a longer one for another row, the longer (the more
// specific) wins. A wording that fits several rows returns all of them with
// the question that tells them apart. No match, no rows.
func Analyze(text string) Result {
	text = normaliseReport(text)
	if strings.TrimSpace(text) == "" {
		return Result{}
	}
	// lower finds the signs a text may match (its letters as regexp's case
	// folding has them); aligned is lower case offset for offset with text,
	// for the readers that find a word in one and read around it in the other.
	lower, aligned := strings.ToLower(text), ""
	if aligned = lower; !isASCII(text) {
		aligned = alignedLower(text)
	}
	pf := prefilter()
	has, found := pf.ix.present(lower)
	facts := readFacts(text, aligned, pf.holdsName(has))
	provider := pf.idpIn(has)
	var hits []hit
	maySign := pf.signs.from(has, found)
	maySign.readsASCII(text, lower)
	all := signs()
	for _, i := range maySign.list {
		s := &all[i]
		loc := maySign.find(i, text)
		if loc == nil {
			continue
		}
		w := s.Weight
		switch {
		case s.IdP != nil && s.IdP == provider:
			w += 0.04 // the wording of the IdP the text is about
		case s.IdP != nil && provider != nil && s.IdP != provider:
			w -= 0.1 // another IdP's wording
		}
		hits = append(hits, hit{row: s.Row, score: w, start: loc[0], end: loc[1], oauth: s.oauth})
	}
	mayFail := pf.failures.from(has, found)
	hits = append(hits, connectFailureHits(text, aligned, func(i int) bool { return has.has(pf.connect[i]) },
		func(window string) []int { return mayFail.find(0, window) })...)
	table := codes()
	seen := map[string]bool{}
	codeWords(text, func(w string, start, end int) bool {
		c := table.lookupWord(w)
		if c == nil || seen[c.Code] {
			return len(seen) < 64
		}
		seen[c.Code] = true
		score := codeWeight(c)
		hits = append(hits, hit{row: c.Row, score: score, start: start, end: end, meaning: c.Meaning})
		return len(seen) < 64
	})
	for _, code := range facts.Codes {
		if c := table.lookup(code); c != nil && !seen[c.Code] {
			// A numeric error_codes entry: no span of its own in the text.
			seen[c.Code] = true
			score := codeWeight(c) - 0.02
			i := strings.Index(text, strings.TrimPrefix(code, "AADSTS"))
			hits = append(hits, hit{row: c.Row, score: score, start: max(i, 0), end: max(i, 0) + len(code) - len("AADSTS"), meaning: c.Meaning})
		}
	}
	for _, rh := range matchRules(foldWords(text, maxRuleWords)) {
		r := rules[rh.rule]
		hits = append(hits, hit{row: r.Row, score: ruleWeight(r), start: rh.start, end: rh.end, rule: true})
	}
	mayClue := pf.clues.from(has, found)
	mayClue.readsASCII(text, lower)
	allClues := clues()
	for _, i := range mayClue.list {
		c := &allClues[i]
		loc := mayClue.find(i, text)
		if loc == nil {
			continue
		}
		for i, row := range c.Rows {
			score := 0.5
			if i == 0 {
				score = 0.52 // the first row listed is the commonest cause
			}
			hits = append(hits, hit{row: row, score: score, start: loc[0], end: loc[1], question: c.Question, clue: true})
		}
	}
	if len(hits) == 0 {
		// Nothing named the cause, not even a generic OAuth error name.
		if h, ok := nearestHit(text); ok {
			hits = append(hits, h)
		}
	}
	// Context moves a hit to the row of what the text is about, then the
	// more specific of nested matches and a reason outrank what they explain.
	hits = proxyOnTheWay(text, hits)
	hits = viaProxy(text, lower, hits)
	hits = httpsToTheIdP(text, aligned, hits)
	hits = bySide(text, aligned, hits)
	hits = expiredOnRefresh(aligned, hits)
	hits = reasonFirst(preferSpecific(hits))
	return Result{Matches: rankHits(text, hits, provider), Facts: factsOrNil(facts), Next: nextSteps(facts, provider)}
}

// codeWeight is how surely a vendor code means its row. A numbered code
// (AADSTS50076, IDX10214, E0000011) names the failure exactly, even when it
// is none of the rows (idp_error), so only a vendor's specific wording
// outranks it; an exception or error name (NOT_FOUND, ValidationException)
// is less sure. A browser's network error (ERR_CONNECTION_REFUSED) means the
// loopback only when the text says so: a wording naming localhost decides.
func codeWeight(c *Code) float64 {
	precise := strings.ContainsAny(c.Code, "0123456789")
	switch {
	case loopbackRows[c.Row]:
		return 0.7
	case c.Row != catalog.IdPError && precise:
		return 0.97
	case c.Row != catalog.IdPError:
		return 0.8 // a name (NOT_FOUND, InvalidScopeException): a wording may say more
	case precise:
		return 0.8
	}
	return 0.6
}

// loopbackRows are the rows of the redirect to localhost:18080.
var loopbackRows = map[catalog.ID]bool{
	catalog.LoopbackUnavailable: true, catalog.LoopbackHTTPSUpgrade: true, catalog.BrowserBlocksLoopback: true,
	catalog.ProxyInterceptsLoopback: true, catalog.LocalhostResolution: true,
}

// maxRuleWords bounds the words the concept rules read (a 1 MiB log has
// about 150,000).
const maxRuleWords = 200_000

func factsOrNil(f Facts) *Facts {
	if f.empty() && f.CorrelationID == "" && f.TraceID == "" && f.ErrorID == "" {
		return nil
	}
	return &f
}

// preferSpecific lowers the evidence that something more specific
// explains: a match inside a longer match for another row ("token has
// expired" inside "refresh token has expired"), unless the longer one is
// weaker and a concept rule's clause or a proximity pattern spanning more
// than three times its length; and a generic OAuth error name when a code
// or wording names the cause.
func preferSpecific(hits []hit) []hit {
	specific := false
	for _, h := range hits {
		if !h.oauth && !h.clue && h.score >= 0.7 && h.row != catalog.IdPError {
			specific = true
		}
	}
	out := hits[:0]
	for i, h := range hits {
		if h.oauth && specific {
			continue
		}
		for j, o := range hits {
			if i != j && o.row != h.row && !o.clue && !h.clue && !o.nearest && o.start <= h.start && o.end >= h.end && o.end-o.start > h.end-h.start && (o.score >= h.score || !o.rule && o.end-o.start <= 3*(h.end-h.start)) && o.score >= h.score-0.2 {
				if h.host && loopbackRows[o.row] {
					continue // the nearest host decided: the loopback wording is the wider, wrong reading
				}
				h.score -= 0.2
				break
			}
			if !h.host && loopbackRows[h.row] && o.host && h.start <= o.start && h.end >= o.end {
				h.score -= 0.2 // a loopback wording around a failure the nearest host put on the IdP
				break
			}
		}
		out = append(out, h)
	}
	return out
}

// reasons are rows that say why another row's failure happened: discovery
// (or any request to the IdP) failed because the certificate was not
// trusted or the name did not resolve; a proxy named beside a certificate
// not trusted is inspecting TLS. A stack trace names both, the outer
// failure first ("IDX20803: Unable to obtain configuration … The remote
// certificate is invalid"); the reason is what to fix.
var reasons = map[catalog.ID]reason{
	catalog.DiscoveryUnreachable: {rows: []catalog.ID{catalog.TLSUntrusted, catalog.DNSUnresolved}, sure: 0.85},
	// A TLS-inspecting proxy (Zscaler's certificate in the chain, a
	// browser's NET::ERR_CERT_AUTHORITY_INVALID) is the certificate this
	// machine does not trust, not a proxy answering for the loopback.
	catalog.ProxyInterceptsLoopback: {rows: []catalog.ID{catalog.TLSUntrusted}, sure: 0.75},
}

// reason is the rows that explain a failure, and the least score at which
// their evidence is sure enough to rank first.
type reason struct {
	rows []catalog.ID
	sure float64
}

// reasonFirst ranks a sure reason (a code or wording, not a clue or a
// guess) above the failure it explains: the failure's hits are lowered by
// more than rankHits' corroboration can add back, however many there are.
func reasonFirst(hits []hit) []hit {
	for outer, r := range reasons {
		best := 0.0
		for _, h := range hits {
			if slices.Contains(r.rows, h.row) && !h.clue && !h.nearest && h.score >= r.sure {
				best = max(best, h.score)
			}
		}
		if best == 0 {
			continue
		}
		for i := range hits {
			if hits[i].row == outer && hits[i].score > best-0.01-maxCorroboration {
				hits[i].score = best - 0.01 - maxCorroboration
			}
		}
	}
	return hits
}

// corroboration is what each more hit for a row adds to its best, for up
// to three more: maxCorroboration in all.
const (
	corroboration    = 0.02
	maxCorroboration = 3 * corroboration
)

// rankHits sums the evidence per row and orders the rows, best first.
func rankHits(text string, hits []hit, provider *checks.IdP) []Match {
	type acc struct {
		best  hit
		hits  int
		quest string
		mean  string
	}
	rows := map[catalog.ID]*acc{}
	for _, h := range hits {
		a := rows[h.row]
		if a == nil {
			a = &acc{best: h}
			rows[h.row] = a
		}
		a.hits++
		if h.score > a.best.score {
			a.best = h
		}
		if h.question != "" && a.quest == "" {
			a.quest = h.question
		}
		if h.meaning != "" && a.mean == "" {
			a.mean = h.meaning
		}
	}
	type ranked struct {
		m          Match
		start, end int
	}
	out := make([]ranked, 0, len(rows))
	for id, a := range rows {
		r, ok := catalog.Lookup(id)
		if !ok {
			continue
		}
		score := a.best.score + corroboration*float64(min(a.hits-1, 3))
		out = append(out, ranked{Match{Row: id, Score: round2(min(score, 0.99)), Title: r.Title, Cause: r.Cause, Fix: provider.FixFor(id),
			Question: a.quest, Meaning: a.mean, Guess: a.best.nearest}, a.best.start, a.best.end})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].m.Score != out[j].m.Score {
			return out[i].m.Score > out[j].m.Score
		}
		return catalog.Order(out[i].m.Row) < catalog.Order(out[j].m.Row)
	})
	// When the best is a sure sign, the clue's other candidates only add noise
	// if they scored no better than the clue itself.
	if len(out) > 0 && out[0].m.Score >= 0.85 {
		kept := out[:1]
		for _, r := range out[1:] {
			if r.m.Score > 0.55 {
				kept = append(kept, r)
			}
		}
		out = kept
		for i := range out {
			if out[i].m.Score >= 0.85 {
				out[i].m.Question = "" // a sure match needs no telling apart
			}
		}
	}
	// What is echoed back may carry what people paste: codes, tokens,
	// secrets. Only what is kept is redacted.
	red := &checks.Redactor{}
	redact := red.String
	if red.Inert(text) {
		redact = func(s string) string { return s }
	}
	ms := make([]Match, len(out))
	for i, r := range out {
		ms[i] = r.m
		ms[i].Matched = redact(text[r.start:r.end])
		if ctx := redact(excerpt(text, r.start, r.end)); ctx != ms[i].Matched {
			ms[i].Context = ctx
		}
	}
	return ms
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// reportQuotes makes the same wording with different quotes and dashes one.
var reportQuotes = strings.NewReplacer("‘", "'", "’", "'", "“", `"`, "”", `"`, "–", "-", "—", "-", "\u00a0", " ")

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
	// ASCII text (most of it) holds no quote, dash or invisible character
	// to replace and no space but ASCII's: it is left as it is when it has
	// no control character and is spaced singly already.
	if isASCII(s) {
		if !asciiPlain(s) {
			s = strings.Join(strings.Fields(strings.Map(controlToSpace, s)), " ")
		}
		return s
	}
	return normaliseWhole(s)
}

// normaliseWhole is normaliseReport's work on any text: valid UTF-8, one
// kind of quote and dash, no invisible or control character, single
// spaces.
func normaliseWhole(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = reportQuotes.Replace(s)
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(checks.Invisible, r) {
			return -1
		}
		return controlToSpace(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// controlToSpace makes a control character other than a space a space.
func controlToSpace(r rune) rune {
	if unicode.IsControl(r) && !unicode.IsSpace(r) {
		return ' '
	}
	return r
}

// asciiPlain reports whether ASCII s is already as normaliseReport leaves
// it: no control character, no space but single spaces between words.
func asciiPlain(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

// idpInLower guesses which IdP a lower-cased text is about, from its markers
// (hosts, product names, code prefixes); nil when none shows.
func idpInLower(lower string) *checks.IdP {
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
