package checks

import (
	"fmt"
	"time"
)

// MaxInput is the largest file an analyzer reads.
const MaxInput = 16 << 20

// File is one file given to an analyzer.
type File struct {
	// Name names the input in messages (the file's path).
	Name string
	Data []byte
}

// InputError is input an analyzer cannot read; it names the input and the
// line or field.
type InputError struct {
	Name string
	Msg  string
}

// Error names the input and what is wrong with it.
func (e *InputError) Error() string { return e.Name + ": " + e.Msg }

// InputErrorf returns an InputError for in with a formatted message.
func InputErrorf(in File, format string, args ...any) *InputError {
	return &InputError{Name: in.Name, Msg: fmt.Sprintf(format, args...)}
}

// Analysis is the result of an analyzer (the account side, SAML, this
// machine), in the shape of check's JSON result: findings with catalog
// rows, a summary, and the same exit codes.
type Analysis struct {
	Schema      int       `json:"schema"`
	ToolVersion string    `json:"tool_version"`
	StartedAt   time.Time `json:"started_at"`
	Analyzer    string    `json:"analyzer"`
	Inputs      []string  `json:"inputs"`
	Findings    []Finding `json:"findings"`
	Summary     Summary   `json:"summary"`
}

// NewAnalysis returns an empty analysis by the analyzer name over the
// inputs named.
func NewAnalysis(name string, inputs ...string) *Analysis {
	return &Analysis{Schema: 1, Analyzer: name, Inputs: inputs, StartedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

// Add records findings of one check, completed from their catalog rows.
func (a *Analysis) Add(check string, fs ...Finding) {
	for _, f := range fs {
		f.Check = check
		f.Complete(nil)
		a.Findings = append(a.Findings, f)
		a.Summary.Add(f.Status)
	}
}

// Failed reports whether any finding failed.
func (a *Analysis) Failed() bool { return a.Summary.Fail > 0 }
