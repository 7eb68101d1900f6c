package triage

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
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
		return []string{longestSafe(re.Rune)}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// A run of subexpressions that match few strings is one literal set
		// (the parser factors "12175|12169" into "1(?:2(?:175|169))"); any
		// other subexpression brings its own.
		var best []string
		consider := func(l []string) {
			if l != nil && !slices.Contains(l, "") && (best == nil || shortest(l) > shortest(best)) {
				best = l
			}
		}
		var run []string
		for _, sub := range re.Sub {
			if e := exact(sub); e != nil {
				if run == nil {
					run = e
				} else if run = product(run, e); run == nil { // too many: start again
					run = e
				}
				consider(run)
				continue
			}
			run = nil
			consider(required(sub))
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

// foldSafe reports whether a text that holds the letter r in any case
// holds one lower-case form of it once lowered (strings.ToLower). Not so
// for sigma alone among the letters people type: ς lowers to itself, Σ to
// σ. (The compatibility forms in the other letters' case orbits — ϐ, ϖ, ſ,
// the Kelvin sign — are not typed.)
func foldSafe(r rune) bool {
	for f := unicode.SimpleFold(r); ; f = unicode.SimpleFold(f) {
		if f == 'ς' {
			return false
		}
		if f == r {
			return true
		}
	}
}

// canonical is the lower-case form of r that lowered text holds. The
// parser keeps a case-folded literal's smallest form: the upper case (Π)
// or a compatibility form (U+0345 for iota, the micro sign for mu), whose
// usual lower case is the upper case's, in the same case orbit. (Turkish ı
// is an orbit of its own: it stays.)
func canonical(r rune) rune {
	c := unicode.ToLower(unicode.ToUpper(r))
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == c {
			return c
		}
	}
	return unicode.ToLower(r)
}

// longestSafe returns, lower-cased, the longest run of the literal's
// runes that are all foldSafe ("" when none is).
func longestSafe(rs []rune) string {
	best, start := "", 0
	for i := 0; i <= len(rs); i++ {
		if i == len(rs) || !foldSafe(rs[i]) {
			run := make([]rune, 0, i-start)
			for _, r := range rs[start:i] {
				run = append(run, canonical(r))
			}
			if s := string(run); len(s) > len(best) {
				best = s
			}
			start = i + 1
		}
	}
	return best
}

// maxExact bounds the strings exact and product enumerate.
const maxExact = 16

// exact returns, lower-cased, every string re matches when they are at
// most maxExact (literals, small alternations and classes, optional
// parts); nil otherwise.
func exact(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if l := longestSafe(re.Rune); len([]rune(l)) == len(re.Rune) {
			return []string{l}
		}
		return nil
	case syntax.OpEmptyMatch:
		return []string{""}
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		if e := exact(re.Sub[0]); e != nil && len(e) < maxExact {
			return append(e, "")
		}
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if l := strings.ToLower(string(r)); !slices.Contains(out, l) {
					if out = append(out, l); len(out) > 4 {
						return nil
					}
				}
			}
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			e := exact(sub)
			if e == nil || len(out)+len(e) > maxExact {
				return nil
			}
			out = append(out, e...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			e := exact(sub)
			if e == nil {
				return nil
			}
			if out = product(out, e); out == nil {
				return nil
			}
		}
		return out
	}
	return nil
}

// product returns every a+b, or nil when they are more than maxExact.
func product(as, bs []string) []string {
	if len(as)*len(bs) > maxExact {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, a+b)
		}
	}
	return out
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

// literalIndex finds, in one pass over a text, which of many literals
// (of three bytes or more, lower case) it holds: every literal is filed
// under its first four bytes (three-byte literals under their three), and
// each position of the text looks its bytes up.
type literalIndex struct {
	// by4 files the literals of four bytes or more, by3 the others.
	by4, by3 map[uint32][]literalRef
	// seen4 and seen3 have the bit of each filed prefix's hash set: most
	// positions of a text are ruled out by them, before a map is looked up.
	seen4, seen3 [1 << seenBits / 64]uint64
	n            int
}

// seenBits is the size of each seen bitmap (2^16 bits, 8 KiB, in cache):
// the knowledge's 3,000 four-byte prefixes set about one bit in twenty.
const seenBits = 16

// hashPrefix folds a packed prefix to seenBits bits.
func hashPrefix(k uint32) uint32 { return (k * 0x9E3779B1) >> (32 - seenBits) }

type literalRef struct {
	literal string
	id      int
}

// newLiteralIndex files the literals, each by its index in lits.
func newLiteralIndex(lits []string) *literalIndex {
	ix := &literalIndex{by4: map[uint32][]literalRef{}, by3: map[uint32][]literalRef{}, n: len(lits)}
	for i, l := range lits {
		if len(l) < 3 {
			panic(fmt.Sprintf("triage: the literal %q is shorter than three bytes", l)) // the knowledge's own: TestPrefilterLiterals
		}
		by, seen, k := ix.by4, &ix.seen4, uint32(0)
		if len(l) >= 4 {
			k = key4(l)
		} else {
			by, seen, k = ix.by3, &ix.seen3, key3(l)
		}
		by[k] = append(by[k], literalRef{l, i})
		h := hashPrefix(k)
		seen[h/64] |= 1 << (h % 64)
	}
	return ix
}

// present returns which literals lower-cased text holds, as a set and
// as a list.
func (ix *literalIndex) present(lower string) (bitset, []int) {
	out := newBitset(ix.n)
	var list []int
	look := func(refs []literalRef, at string) {
		for _, r := range refs {
			if !out.has(r.id) && strings.HasPrefix(at, r.literal) {
				out.set(r.id)
				list = append(list, r.id)
			}
		}
	}
	three := len(ix.by3) > 0
	for i := 0; i+3 <= len(lower); i++ {
		if three {
			if k := key3(lower[i:]); ix.seen3[hashPrefix(k)/64]&(1<<(hashPrefix(k)%64)) != 0 {
				look(ix.by3[k], lower[i:])
			}
		}
		if i+4 <= len(lower) {
			if k := key4(lower[i:]); ix.seen4[hashPrefix(k)/64]&(1<<(hashPrefix(k)%64)) != 0 {
				look(ix.by4[k], lower[i:])
			}
		}
	}
	return out, list
}

// bitset is a set of small integers (a few hundred bytes for the
// knowledge's literals, where a []bool would take a few kilobytes to
// allocate and clear for every text).
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

// literals numbers distinct literals, so that several indexes share one
// literalIndex and one pass over a text serves them all.
type literals struct {
	id   map[string]int
	list []string
}

// add returns the number of l, numbering it if it is new.
func (ls *literals) add(l string) int {
	if ls.id == nil {
		ls.id = map[string]int{}
	}
	i, ok := ls.id[l]
	if !ok {
		i = len(ls.list)
		ls.id[l] = i
		ls.list = append(ls.list, l)
	}
	return i
}

// key3 packs the first three bytes of s.
func key3(s string) uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }

// key4 packs the first four bytes of s.
func key4(s string) uint32 {
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}
