package checks

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted is what stands in for a secret in every output.
const Redacted = "(redacted)"

// RedactConfig returns cfg with the client secret, in its own field and in
// the token endpoint's query, replaced by Redacted.
func RedactConfig(cfg Config) Config {
	if cfg.ClientSecret != "" {
		cfg.ClientSecret = Redacted
	}
	for _, f := range Fields {
		if f.URL {
			cfg.Set(f.Key, redactUserinfo(cfg.Get(f.Key)))
		}
	}
	cfg.TokenEndpoint = redactQuery(cfg.TokenEndpoint)
	return cfg
}

// userinfoRE matches the credentials of a URL (https://user:password@host).
var userinfoRE = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s?#]+@`)

// redactUserinfo replaces the user name and password of URLs in s.
func redactUserinfo(s string) string {
	return userinfoRE.ReplaceAllString(s, "${1}"+url.PathEscape(Redacted)+"@")
}

// credentialRE matches secrets people paste in their own words or in
// JSON: a Google client secret or token, an Authorization header's
// credentials, and a "client_secret" or "password" field's value.
var credentialRE = regexp.MustCompile(`\bGOCSPX-[A-Za-z0-9_-]{8,}|\bya29\.[A-Za-z0-9._-]{10,}|\b1//[A-Za-z0-9_-]{20,}|(?i)\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}|(?i)"(?:client_secret|password|refresh_token|access_token)"\s*:\s*"[^"]*"|(?i)\bpassword\s*[:=]\s*\S+`)

// secretParams are query and form parameters whose values are secrets.
var secretParams = []string{"client_secret", "code", "code_verifier", "refresh_token", "access_token", "id_token", "client_assertion", "password", "assertion"}

// redactQuery replaces secret query parameter values in a URL-ish string,
// keeping everything else byte for byte.
func redactQuery(s string) string {
	return secretParamRE.ReplaceAllString(s, "${1}"+url.QueryEscape(Redacted))
}

var secretParamRE = regexp.MustCompile(`(?i)((?:^|[?&#\s"'])(?:` + strings.Join(secretParams, "|") + `)=)[^&#\s"'<>]+`)

// jwtRE matches a compact JWS or JWE.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?`)

// Redactor removes known secret values and anything shaped like a token
// from text.
type Redactor struct {
	secrets []string
}

// NewRedactor returns a redactor that knows the configuration's secrets.
func NewRedactor(cfg Config) *Redactor {
	r := &Redactor{}
	r.Add(cfg.ClientSecret)
	if u, err := url.Parse(strings.TrimSpace(cfg.TokenEndpoint)); err == nil {
		r.Add(u.Query().Get("client_secret"))
	}
	return r
}

// Add makes the redactor remove s wherever it appears. Values shorter than
// six characters are ignored: they would blank out ordinary words.
func (r *Redactor) Add(s string) {
	s = strings.TrimSpace(s)
	if len(s) < 6 || s == Redacted {
		return
	}
	r.secrets = append(r.secrets, s)
	if esc := url.QueryEscape(s); esc != s {
		r.secrets = append(r.secrets, esc)
	}
}

// String returns s with every secret replaced.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, Redacted)
	}
	// Each pattern runs only on text holding its literal: most text holds
	// none (a 13 KB page is read in microseconds, not milliseconds). A new
	// pattern needs its literal test in Inert too.
	lower := strings.ToLower(s)
	// Parameters first: a token replaced first would leave its parameter
	// holding a fragment of the replacement.
	if mayHoldParam(s, lower) {
		s = redactQuery(s)
	}
	if mayHoldUserinfo(s) {
		s = redactUserinfo(s)
	}
	if containsAny(lower, credentialLiterals) {
		s = credentialRE.ReplaceAllStringFunc(s, redactCredential)
	}
	if !strings.Contains(s, "eyJ") {
		return s
	}
	return jwtRE.ReplaceAllString(s, "(redacted token)")
}

// Inert reports whether String leaves s, and so every part of it, as it
// is: s holds none of the literals without which no secret, pattern or
// parameter is replaced. Echoing many pieces of one text, a caller that
// finds the text inert need not redact each piece.
func (r *Redactor) Inert(s string) bool {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			return false
		}
	}
	lower := strings.ToLower(s)
	return !mayHoldParam(s, lower) && !mayHoldUserinfo(s) && !containsAny(lower, credentialLiterals) && !strings.Contains(s, "eyJ")
}

// mayHoldParam and mayHoldUserinfo are the literal tests before
// redactQuery and redactUserinfo: a text that fails them, and every part
// of it, has nothing for them to replace.
func mayHoldParam(s, lower string) bool {
	return strings.Contains(s, "=") && containsAny(lower, secretParams)
}

func mayHoldUserinfo(s string) bool { return strings.Contains(s, "://") && strings.Contains(s, "@") }

// credentialLiterals are the lower-case literals of credentialRE, one of
// which every match holds.
var credentialLiterals = []string{"gocspx-", "ya29.", "1//", "bearer", "basic", "password", "client_secret", "refresh_token", "access_token"}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// redactCredential replaces one credentialRE match, keeping its label.
func redactCredential(m string) string {
	if i := strings.IndexAny(m, ":="); i >= 0 && (strings.HasPrefix(m, `"`) || strings.HasPrefix(strings.ToLower(m), "password")) {
		return m[:i+1] + " " + strings.TrimSpace(strings.Trim(Redacted, " "))
	}
	if i := strings.IndexByte(m, ' '); i >= 0 {
		return m[:i+1] + Redacted // Bearer (redacted)
	}
	return Redacted
}

// SecretPlaceholder returns a URL with the value of its client_secret query
// replaced by <CLIENT_SECRET>, for a file that leaves the secret out.
func SecretPlaceholder(s string) string {
	return clientSecretRE.ReplaceAllString(s, "${1}<CLIENT_SECRET>")
}

var clientSecretRE = regexp.MustCompile(`(?i)((?:^|[?&])client_secret=)[^&#]*`)
