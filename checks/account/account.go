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

	"github.com/quickdiag/quickdiag/checks"
)

// MaxInput is the largest input an analyzer reads.
const MaxInput = checks.MaxInput

// Input is one file given to an analyzer.
type Input = checks.File

// Analysis is the result of an account-side analyzer.
type Analysis = checks.Analysis

func inputErr(in Input, format string, args ...any) *checks.InputError {
	return checks.InputErrorf(in, format, args...)
}

func newAnalysis(name string, ins ...Input) *Analysis {
	var names []string
	for _, in := range ins {
		names = append(names, in.Name)
	}
	return checks.NewAnalysis(name, names...)
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
