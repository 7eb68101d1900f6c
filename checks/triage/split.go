package triage

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// pattern is a wording's regular expression split at its top-level
// alternatives, each with its own anchors (see anchors): a text runs only
// the alternatives it may match, so an alternation of twenty phrases costs
// the search of the one or two whose words the text holds. find returns
// what the whole expression's FindStringIndex returns.
type pattern struct {
	parts []part
}

// part is one alternative of a pattern.
type part struct {
	re *regexp.Regexp
	// anchors are literals one of which every match holds (see anchors);
	// needs are more such sets, every one of which a match holds one of:
	// the literals of each piece of a phrase ("access", "application",
	// "denied"), so that a common word alone does not run the expression.
	anchors []string
	needs   [][]string
	// lit is the lower-case ASCII literal the alternative is, when it is
	// one (case-folded, between optional word boundaries, which bStart and
	// bEnd say): in ASCII text it is found by a substring search.
	lit          string
	bStart, bEnd bool
}

// newPart compiles one alternative.
func newPart(re *regexp.Regexp, expr string) part {
	p := part{re: re, anchors: anchors(expr), needs: needs(expr)}
	p.lit, p.bStart, p.bEnd = literalOf(expr)
	return p
}

// literalOf returns the lower-case literal expr is when it is a
// case-folded ASCII literal with at most a word boundary on either side
// (\binvalid_scope\b), and whether the boundaries are there; "" otherwise.
func literalOf(expr string) (lit string, bStart, bEnd bool) {
	re := parseTop(expr)
	if re == nil {
		return "", false, false
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	if len(subs) > 0 && subs[0].Op == syntax.OpWordBoundary {
		bStart, subs = true, subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpWordBoundary {
		bEnd, subs = true, subs[:len(subs)-1]
	}
	if len(subs) != 1 || subs[0].Op != syntax.OpLiteral || subs[0].Flags&syntax.FoldCase == 0 {
		return "", false, false
	}
	b := make([]byte, 0, len(subs[0].Rune))
	for _, r := range subs[0].Rune {
		if r >= utf8.RuneSelf {
			return "", false, false
		}
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b = append(b, byte(r))
	}
	return string(b), bStart, bEnd
}

// findIn returns the alternative's leftmost match in text; lower, when
// not "", is ASCII text lower-cased, where a literal alternative is found
// without its regular expression.
func (pt part) findIn(text, lower string) []int {
	if pt.lit == "" || lower == "" {
		return pt.re.FindStringIndex(text)
	}
	for from := 0; ; {
		i := strings.Index(lower[from:], pt.lit)
		if i < 0 {
			return nil
		}
		i += from
		j := i + len(pt.lit)
		if (!pt.bStart || boundaryAt(lower, i)) && (!pt.bEnd || boundaryAt(lower, j)) {
			return []int{i, j}
		}
		from = i + 1
	}
}

// boundaryAt reports whether ASCII s has a word boundary (\b) at i.
func boundaryAt(s string, i int) bool {
	before := i > 0 && isWordByte(s[i-1])
	after := i < len(s) && isWordByte(s[i])
	return before != after
}

// needs returns the literal sets of each piece of expr's top-level
// concatenation that has one (literals of three bytes or more).
func needs(expr string) [][]string {
	re := parseTop(expr)
	if re == nil || re.Op != syntax.OpConcat {
		return nil
	}
	var out [][]string
	for _, sub := range re.Sub {
		l := required(sub)
		if l == nil || slices.ContainsFunc(l, func(s string) bool { return len(s) < 3 }) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// parseTop parses and simplifies expr and returns what its outer groups
// hold; nil when it does not parse.
func parseTop(expr string) *syntax.Regexp {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	return re
}

// maxParts bounds the alternatives a pattern is split into; past it the
// pattern is one part.
const maxParts = 64

// compilePattern compiles expr (with its flags, such as (?is)) and splits
// it. It panics on a bad expression, as regexp.MustCompile does: the
// wordings are the program's own.
func compilePattern(expr string) pattern {
	whole := regexp.MustCompile(expr)
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(err)
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpAlternate || len(re.Sub) > maxParts {
		return pattern{parts: []part{newPart(whole, expr)}}
	}
	var p pattern
	for _, sub := range re.Sub {
		// String writes the flags each piece carries ((?i:…), (?s:.)), so
		// a piece compiles to what it meant inside the whole.
		s := sub.String()
		p.parts = append(p.parts, newPart(regexp.MustCompile(s), s))
	}
	return p
}

// find returns the leftmost match of the pattern in text, as
// FindStringIndex of the whole would: the earliest start, and at one start
// the first alternative (leftmost-first). may reports whether part i may
// match (its anchors are in the text); nil runs every part. lower is
// findIn's.
func (p pattern) find(text, lower string, may func(i int) bool) []int {
	var best []int
	for i, pt := range p.parts {
		if may != nil && !may(i) {
			continue
		}
		if best != nil && best[0] == 0 {
			break // nothing starts earlier
		}
		loc := pt.findIn(text, lower)
		if loc != nil && (best == nil || loc[0] < best[0]) {
			best = loc
		}
	}
	return best
}

// partIndex is the prefilter of many patterns: which literals of their
// parts' anchors and needs a text holds, found in one pass (literalIndex).
type partIndex struct {
	// ix finds the literals, numbered as when the index was built: those
	// of other indexes built with the same literals too.
	ix       *literalIndex
	patterns []pattern
	// first is the index of each pattern's first part; owner, each part's
	// pattern.
	first, owner []int
	// conds are each part's literal sets, as literal numbers.
	conds [][][]int
	// byFirst lists, for each literal number, the parts whose first set
	// holds it; always, the parts without a set.
	byFirst [][]int
	always  []int
}

// filePatterns numbers the patterns' literals in lits; the caller sets ix
// once every index sharing lits is filed.
func filePatterns(lits *literals, ps []pattern) *partIndex {
	x := &partIndex{patterns: ps}
	set := func(ls []string) []int {
		var out []int
		for _, l := range ls {
			if i := lits.add(l); !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
		return out
	}
	for n, p := range ps {
		x.first = append(x.first, len(x.conds))
		for _, pt := range p.parts {
			k := len(x.conds)
			x.owner = append(x.owner, n)
			var c [][]int
			if pt.anchors != nil {
				c = append(c, set(pt.anchors))
			}
			for _, need := range pt.needs {
				c = append(c, set(need))
			}
			x.conds = append(x.conds, c)
			if len(c) == 0 {
				x.always = append(x.always, k)
				continue
			}
			for _, l := range c[0] {
				if l >= len(x.byFirst) {
					x.byFirst = append(x.byFirst, make([][]int, l+1-len(x.byFirst))...)
				}
				x.byFirst[l] = append(x.byFirst[l], k)
			}
		}
	}
	return x
}

// possible returns the parts lower-cased text may match: those whose
// every literal set has a literal the text holds.
func (x *partIndex) possible(lower string) candidates {
	return x.from(x.ix.present(lower))
}

// from is possible given the literals a text holds (literalIndex.present).
func (x *partIndex) from(has bitset, found []int) candidates {
	c := candidates{x: x, part: newBitset(len(x.conds)), pattern: newBitset(len(x.patterns))}
	ok := func(k int) {
		if c.part.has(k) {
			return
		}
		for _, set := range x.conds[k] {
			if !slices.ContainsFunc(set, has.has) {
				return
			}
		}
		c.part.set(k)
		if o := x.owner[k]; !c.pattern.has(o) {
			c.pattern.set(o)
			c.list = append(c.list, o)
		}
	}
	for _, k := range x.always {
		ok(k)
	}
	for _, l := range found {
		if l < len(x.byFirst) {
			for _, k := range x.byFirst[l] {
				ok(k)
			}
		}
	}
	slices.Sort(c.list)
	return c
}

// candidates are the parts and patterns one text may match.
type candidates struct {
	x             *partIndex
	part, pattern bitset
	// lower is the text lower-cased when the text is ASCII (see
	// readsASCII), for the literal parts; "" otherwise.
	lower string
	// list is the patterns the text may match, in order.
	list []int
}

// find returns pattern i's leftmost match in text, running only the parts
// the text may match; nil when none matches.
func (c candidates) find(i int, text string) []int {
	if !c.pattern.has(i) {
		return nil
	}
	first := c.x.first[i]
	return c.x.patterns[i].find(text, c.lower, func(j int) bool { return c.part.has(first + j) })
}

// readsASCII makes find read the literal parts from lower, text's lower
// case, when text is ASCII (the same offsets, the same case folding): only
// for candidates of that text, whole.
func (c *candidates) readsASCII(text, lower string) {
	if isASCII(text) {
		c.lower = lower
	}
}
