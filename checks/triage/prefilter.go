package triage

import (
	"regexp/syntax"
	"strings"
)

// anchors returns lower-case literals of which every match of the pattern
// contains at least one, or nil when the pattern has no such literals. Text
// that contains none of them cannot match, so the regular expression need
// not run: most signs are ruled out by a fast substring search.
func anchors(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := required(re.Simplify())
	for _, l := range lits {
		if len(l) < 3 {
			return nil // too short to rule much out
		}
	}
	return lits
}

// required returns literals one of which every match of re contains.
func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		for _, sub := range re.Sub {
			l := required(sub)
			if l != nil && (best == nil || shortest(l) > shortest(best)) {
				best = l
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			l := required(sub)
			if l == nil {
				return nil
			}
			all = append(all, l...)
		}
		return all
	}
	return nil
}

func shortest(ls []string) int {
	n := -1
	for _, l := range ls {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// mayMatch reports whether lower-cased text contains one of the anchors.
func mayMatch(lower string, anchors []string) bool {
	if anchors == nil {
		return true
	}
	for _, a := range anchors {
		if strings.Contains(lower, a) {
			return true
		}
	}
	return false
}

// anchorIndex finds, in one pass over a text, which of many patterns may
// match: every anchor is filed under its first three bytes, and each
// position of the text looks its three bytes up. A pattern without
// anchors may always match.
type anchorIndex struct {
	byPrefix map[uint32][]anchorRef
	always   []int
	n        int
}

type anchorRef struct {
	anchor  string
	pattern int
}

func newAnchorIndex(sets [][]string) *anchorIndex {
	ix := &anchorIndex{byPrefix: map[uint32][]anchorRef{}, n: len(sets)}
	for i, anchors := range sets {
		if anchors == nil {
			ix.always = append(ix.always, i)
			continue
		}
		for _, a := range anchors {
			k := key3(a)
			ix.byPrefix[k] = append(ix.byPrefix[k], anchorRef{a, i})
		}
	}
	return ix
}

// possible returns, for each pattern, whether lower-cased text holds one
// of its anchors.
func (ix *anchorIndex) possible(lower string) []bool {
	out := make([]bool, ix.n)
	for _, i := range ix.always {
		out[i] = true
	}
	for i := 0; i+3 <= len(lower); i++ {
		refs, ok := ix.byPrefix[key3(lower[i:])]
		if !ok {
			continue
		}
		for _, r := range refs {
			if !out[r.pattern] && strings.HasPrefix(lower[i:], r.anchor) {
				out[r.pattern] = true
			}
		}
	}
	return out
}

// key3 packs the first three bytes of s.
func key3(s string) uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }
