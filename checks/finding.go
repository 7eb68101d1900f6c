package checks

import "fmt"

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
	Check    string    `json:"check"`
	Status   Status    `json:"status"`
	Row      string    `json:"row,omitempty"`
	Title    string    `json:"title"`
	Detail   string    `json:"detail,omitempty"`
	Fix      string    `json:"fix,omitempty"`
	Evidence *Evidence `json:"evidence,omitempty"`
}

// passf returns a pass finding with a formatted title.
func passf(format string, args ...any) Finding {
	return Finding{Status: Pass, Title: fmt.Sprintf(format, args...)}
}

// skipf returns a skip finding saying why the check could not run. The
// engine titles it with the check's title and makes the reason its detail.
func skipf(format string, args ...any) Finding {
	return Finding{Status: Skip, Title: fmt.Sprintf(format, args...)}
}

// problem returns a warn or fail finding for a catalog row.
func problem(status Status, row, title string) Finding {
	return Finding{Status: status, Row: row, Title: title}
}

// with returns f with its detail set.
func (f Finding) with(detail string) Finding { f.Detail = detail; return f }

// fix returns f with its fix set.
func (f Finding) fix(fix string) Finding { f.Fix = fix; return f }

// ev returns f with its evidence set.
func (f Finding) ev(expected, got string) Finding {
	f.Evidence = &Evidence{Expected: expected, Got: got}
	return f
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
