// Package account analyzes what the AWS CLI prints about the account, the
// side of sign-in no OIDC check can see: the KMS key policies of a
// customer-managed key (primary and replica), the account subscription
// (edition, identity region), and the user list against the IdP's. Each
// analyzer returns findings in the check engine's shape, with catalog rows.
// One file per analyzer: kms.go, subscription.go, users.go; this one holds
// what they share.
package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quickdiag/quickdiag/checks"
)

// MaxInput is the largest input an analyzer reads.
const MaxInput = 16 << 20

// Input is one file given to an analyzer.
type Input struct {
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

func inputErr(in Input, format string, args ...any) *InputError {
	return &InputError{Name: in.Name, Msg: fmt.Sprintf(format, args...)}
}

// Analysis is the result of an account-side analyzer, in the shape of
// check's JSON result.
type Analysis struct {
	Schema      int              `json:"schema"`
	ToolVersion string           `json:"tool_version"`
	StartedAt   time.Time        `json:"started_at"`
	Analyzer    string           `json:"analyzer"`
	Inputs      []string         `json:"inputs"`
	Findings    []checks.Finding `json:"findings"`
	Summary     checks.Summary   `json:"summary"`
}

// Failed reports whether any finding failed.
func (a *Analysis) Failed() bool { return a.Summary.Fail > 0 }

func newAnalysis(name string, ins ...Input) *Analysis {
	a := &Analysis{Schema: 1, Analyzer: name, StartedAt: time.Now().UTC().Truncate(time.Millisecond)}
	for _, in := range ins {
		a.Inputs = append(a.Inputs, in.Name)
	}
	return a
}

func (a *Analysis) add(check string, fs ...checks.Finding) {
	for _, f := range fs {
		f.Check = check
		f.Complete(nil)
		a.Findings = append(a.Findings, f)
		a.Summary.Add(f.Status)
	}
}

// decodeJSON decodes data into v, naming the line and column of a syntax
// error and the field of a type error.
func decodeJSON(in Input, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return inputErr(in, "empty input")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return inputErr(in, "%s", checks.DescribeJSONError(data, err))
	}
	return nil
}

// stringList is a JSON string or list of strings.
type stringList []string

// UnmarshalJSON decodes the JSON forms the AWS CLI prints.
func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("expected a string or a list of strings")
	}
	*s = many
	return nil
}

// KMS key policies.
