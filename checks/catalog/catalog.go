// Package catalog is the troubleshooting catalog: every failure quickdiag
// reports is one of its rows, named by a typed, stable id (catalog.RedirectMismatch),
// so that a misspelt row is a compile error.
//
// A row holds what the person sees, the cause and the generic fix. An IdP's
// console wording of a fix lives with that IdP (package idp), not here.
package catalog

// ID names a row. The ids are part of the public contract (JSON, triage,
// reports): never rename one.
type ID string

// Group is a section of the catalog.
type Group string

// The catalog's sections, in order.
const (
	GroupSignIn  Group = "Sign-in with the IdP"
	GroupToken   Group = "Token validation and the user mapping"
	GroupReach   Group = "Reaching the IdP"
	GroupAccount Group = "The vendor's console and account"
	GroupSAML    Group = "SAML for the Q Business web app"
)

// FoundBy says how a row is reached.
type FoundBy string

// The ways a row is reached.
const (
	// Check: the engine detects it from the values, the IdP's answers or a sign-in.
	Check FoundBy = "check"
	// Triage: only a person's report (an error text, pasted output) shows it.
	Triage FoundBy = "triage"
)

// Row is one failure users meet, its cause and its fix.
type Row struct {
	ID      ID
	Group   Group
	FoundBy FoundBy
	Title   string
	// Seen is what the person sees, in the vendors' own words where known.
	Seen  string
	Cause string
	// Fix is the generic fix; an IdP's own wording may replace it.
	Fix string
}

var index = func() map[ID]int {
	m := make(map[ID]int, len(rows))
	for i, r := range rows {
		m[r.ID] = i
	}
	return m
}()

// Rows returns the rows in catalog order.
func Rows() []Row { return append([]Row(nil), rows...) }

// Lookup returns the row with the given id.
func Lookup(id ID) (Row, bool) {
	i, ok := index[id]
	if !ok {
		return Row{}, false
	}
	return rows[i], true
}

// Order returns the row's position in the catalog, for stable sorting; an
// unknown id sorts last.
func Order(id ID) int {
	if i, ok := index[id]; ok {
		return i
	}
	return len(rows)
}
