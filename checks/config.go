package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// RedirectURI is the desktop app's loopback redirect URI.
const RedirectURI = "http://localhost:18080"

// LoopbackPort is the port of RedirectURI.
const LoopbackPort = 18080

// Scopes are the scopes the desktop app requests, in order.
var Scopes = []string{"openid", "email", "profile", "offline_access"}

// GoogleScopes are the scopes the desktop app requests from Google, which
// rejects offline_access and takes access_type=offline instead.
var GoogleScopes = []string{"openid", "email", "profile"}

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

// Field is one of the five console values.
type Field struct {
	// Key is the JSON key and the suffix of the flag (--issuer, --jwks-uri…).
	Key string
	// Label is the console's label for the value.
	Label string
	Value string
}

// Fields returns the five console values in the console's order.
func (c Config) Fields() []Field {
	return []Field{
		{"issuer", "Issuer URL", c.Issuer},
		{"authorization_endpoint", "Authorization endpoint", c.AuthorizationEndpoint},
		{"token_endpoint", "Token endpoint", c.TokenEndpoint},
		{"jwks_uri", "JWKS URI", c.JWKSURI},
		{"client_id", "Client ID", c.ClientID},
	}
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

// ResolvedIdP returns the configured IdP, or the recognised one for "auto".
func (c Config) ResolvedIdP() IdP {
	p, err := ParseIdP(c.IdP)
	if err != nil || p == IdPAuto {
		return DetectIdP(c)
	}
	return p
}

// ReadConfig decodes a configuration JSON object. Unknown keys are an error,
// so that a misspelt key is not silently ignored.
func ReadConfig(r io.Reader) (Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return Config{}, err
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset)
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
	if _, err := ParseIdP(c.IdP); err != nil {
		return Config{}, fmt.Errorf("field \"idp\": %v", err)
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

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
