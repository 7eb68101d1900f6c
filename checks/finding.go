package checks

import (
	"fmt"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Status is the outcome of one finding.
type Status string

// The four statuses a finding can have.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Evidence is what a check expected and what it got, both as text.
type Evidence struct {
	Expected string `json:"expected"`
	Got      string `json:"got"`
}

// Finding is one observation of one check.
//
// Row names the catalog row and is set on every warn and fail. Fix says what
// to change; when empty, the row's fix applies.
type Finding struct {
	Check    string     `json:"check"`
	Status   Status     `json:"status"`
	Row      catalog.ID `json:"row,omitempty"`
	Title    string     `json:"title"`
	Detail   string     `json:"detail,omitempty"`
	Fix      string     `json:"fix,omitempty"`
	Evidence *Evidence  `json:"evidence,omitempty"`
	// Phase is the phase of the check that reported it, for display.
	Phase Phase `json:"-"`
	// Incomplete marks a skip of a check that could not finish (a stop,
	// the time limit), as opposed to one with nothing to check.
	Incomplete bool `json:"-"`
}

// Passf returns a pass finding with a formatted title.
func Passf(format string, args ...any) Finding {
	return Finding{Status: Pass, Title: fmt.Sprintf(format, args...)}
}

// Skipf returns a skip finding saying why the check could not run. The
// engine titles it with the check's title and makes the reason its detail.
func Skipf(format string, args ...any) Finding {
	return Finding{Status: Skip, Title: fmt.Sprintf(format, args...)}
}

// Problem returns a warn or fail finding for a catalog row. Without a
// title or fix, the row's apply (see Complete).
func Problem(status Status, row catalog.ID, title string) Finding {
	return Finding{Status: status, Row: row, Title: title}
}

// WithDetail returns f with its detail set.
func (f Finding) WithDetail(detail string) Finding { f.Detail = detail; return f }

// WithFix returns f with its fix set.
func (f Finding) WithFix(fix string) Finding { f.Fix = fix; return f }

// WithEvidence returns f with its evidence set.
func (f Finding) WithEvidence(expected, got string) Finding {
	f.Evidence = &Evidence{Expected: expected, Got: got}
	return f
}

// Complete fills what a finding left empty: an unknown status becomes
// fail, and a warn or fail gets its row's title and fix for the IdP.
func (f *Finding) Complete(idp *IdP) {
	switch f.Status {
	case Pass, Warn, Fail, Skip:
	default:
		f.Status = Fail
	}
	if row, ok := catalog.Lookup(f.Row); ok && (f.Status == Warn || f.Status == Fail) {
		if f.Title == "" {
			f.Title = row.Title
		}
		if f.Fix == "" {
			f.Fix = idp.FixFor(f.Row)
		}
	}
	if f.Title == "" {
		f.Title = string(f.Status)
	}
}

// Summary counts findings by status.
type Summary struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

// Add counts one status.
func (s *Summary) Add(st Status) {
	switch st {
	case Pass:
		s.Pass++
	case Warn:
		s.Warn++
	case Skip:
		s.Skip++
	default:
		s.Fail++ // an unknown status is never counted as good
	}
}

// Unfinished returns a skip finding for a check that could not finish: the
// run was stopped or reached its time limit. It makes the report incomplete.
func Unfinished(format string, args ...any) Finding {
	f := Skipf(format, args...)
	f.Incomplete = true
	return f
}
