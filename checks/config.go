package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// RedirectURI is the desktop app's loopback redirect URI.
const RedirectURI = "http://localhost:18080"

// MaxClockSkew is how far the IdP's clock and this machine's may differ
// before an ID token's time claims (iat, nbf) fail: the leeway the token
// checks allow, and the tolerance the clock checks compare with.
const MaxClockSkew = 5 * time.Minute

// MaxClockSkewWords is MaxClockSkew in words, for messages.
var MaxClockSkewWords = fmt.Sprintf("%d minutes", int(MaxClockSkew/time.Minute))

// LoopbackPort is the port of RedirectURI.
const LoopbackPort = 18080

// Scopes are the scopes the desktop app requests, in order.
var Scopes = []string{"openid", "email", "profile", "offline_access"}

// Config is what the administrator pastes into the console, plus what the
// tool needs to check it. Values are kept exactly as typed: a stray space or
// quote is itself a finding.
type Config struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	ClientID              string `json:"client_id"`
	// ClientSecret is only for Google, whose token endpoint URL carries it.
	ClientSecret string `json:"client_secret,omitempty"`
	// IdP is the provider family; empty or "auto" means recognised from the values.
	IdP string `json:"idp,omitempty"`
	// Email is the user's email as provisioned in the account.
	Email string `json:"email,omitempty"`
}

// FieldKey names one of the five console values. It is the value's JSON
// key, and with underscores as dashes its flag (--jwks-uri).
type FieldKey string

// The five console values.
const (
	Issuer                FieldKey = "issuer"
	AuthorizationEndpoint FieldKey = "authorization_endpoint"
	TokenEndpoint         FieldKey = "token_endpoint"
	JWKSURI               FieldKey = "jwks_uri"
	ClientID              FieldKey = "client_id"
)

// FieldSpec describes one console value.
type FieldSpec struct {
	Key FieldKey
	// Label is the console's label for the value.
	Label string
	// Usage is the flag's help text.
	Usage string
	// Row is the catalog row of a value that is wrong as typed.
	Row catalog.ID
	// URL reports whether the value is a URL (every one but the Client ID).
	URL bool
}

// Flag returns the command-line flag that sets the value (jwks-uri).
func (f FieldSpec) Flag() string { return strings.ReplaceAll(string(f.Key), "_", "-") }

// Fields lists the five console values in the console's order. It is the
// one list that the command line's flags, the wizard's form, the JSON and
// the report range over.
var Fields = []FieldSpec{
	{Issuer, "Issuer URL", "the Issuer URL, as entered in the console", catalog.TokenValidationFailure, true},
	{AuthorizationEndpoint, "Authorization endpoint", "the authorization endpoint, as entered", catalog.EndpointMismatch, true},
	{TokenEndpoint, "Token endpoint", "the token endpoint, as entered", catalog.EndpointMismatch, true},
	{JWKSURI, "JWKS URI", "the JWKS URI, as entered", catalog.JWKSMismatch, true},
	{ClientID, "Client ID", "the client ID, as entered", catalog.InvalidClient, false},
}

// Field is one console value of a configuration.
type Field struct {
	FieldSpec
	Value string
}

// Get returns the value of one console field.
func (c Config) Get(k FieldKey) string {
	switch k {
	case Issuer:
		return c.Issuer
	case AuthorizationEndpoint:
		return c.AuthorizationEndpoint
	case TokenEndpoint:
		return c.TokenEndpoint
	case JWKSURI:
		return c.JWKSURI
	case ClientID:
		return c.ClientID
	}
	return ""
}

// Set sets one console field.
func (c *Config) Set(k FieldKey, v string) {
	switch k {
	case Issuer:
		c.Issuer = v
	case AuthorizationEndpoint:
		c.AuthorizationEndpoint = v
	case TokenEndpoint:
		c.TokenEndpoint = v
	case JWKSURI:
		c.JWKSURI = v
	case ClientID:
		c.ClientID = v
	}
}

// Fields returns the five console values in the console's order.
func (c Config) Fields() []Field {
	out := make([]Field, len(Fields))
	for i, f := range Fields {
		out[i] = Field{f, c.Get(f.Key)}
	}
	return out
}

// Field returns one console value with its description.
func (c Config) Field(k FieldKey) Field {
	for _, f := range Fields {
		if f.Key == k {
			return Field{f, c.Get(k)}
		}
	}
	return Field{FieldSpec{Key: k}, ""}
}

// Empty reports whether none of the five console values is set.
func (c Config) Empty() bool {
	for _, f := range c.Fields() {
		if f.Value != "" {
			return false
		}
	}
	return true
}

// ReadConfig decodes a configuration JSON object. Unknown keys are an error,
// so that a misspelt key is not silently ignored.
func ReadConfig(r io.Reader) (Config, error) {
	const limit = 1 << 20
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return Config{}, err
	}
	if len(data) > limit {
		return Config{}, errors.New("larger than 1 MiB: a values file is a JSON object of a few hundred bytes")
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := LineCol(data, se.Offset)
			return Config{}, fmt.Errorf("line %d, column %d: %v", line, col, err)
		case errors.As(err, &te):
			return Config{}, fmt.Errorf("field %q must be a string", te.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return Config{}, fmt.Errorf("unknown key %s: the keys are issuer, authorization_endpoint, token_endpoint, jwks_uri, client_id, client_secret, idp, email",
				strings.TrimPrefix(err.Error(), "json: unknown field "))
		case errors.Is(err, io.EOF):
			return Config{}, errors.New("empty file: expected a JSON object")
		}
		return Config{}, err
	}
	if dec.More() {
		return Config{}, errors.New("more than one JSON value: expected a single object")
	}
	return c, nil
}

// LoadConfig reads a configuration JSON file.
func LoadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	c, err := ReadConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// LineCol converts a byte offset into a 1-based line and column.
func LineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// DescribeJSONError describes a JSON error with its line and column, or the
// field of a type error, for messages that say where input is wrong.
func DescribeJSONError(body []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := LineCol(body, se.Offset)
		return fmt.Sprintf("line %d, column %d: %v", line, col, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q holds a JSON %s where a %s belongs", te.Field, te.Value, te.Type)
	}
	return err.Error()
}
