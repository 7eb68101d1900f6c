package checks

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Report is the result of a run, as the contract's JSON describes it.
type Report struct {
	Schema      int       `json:"schema"`
	ToolVersion string    `json:"tool_version"`
	StartedAt   time.Time `json:"started_at"`
	DurationMS  int64     `json:"duration_ms"`
	IdP         IdP       `json:"idp"`
	// Config is the configuration checked, with secrets redacted.
	Config   Config       `json:"config"`
	Findings []Finding    `json:"findings"`
	Summary  Summary      `json:"summary"`
	Token    *TokenReport `json:"token,omitempty"`

	red *Redactor
}

// AddSignIn appends a live sign-in's findings and decoded tokens, and makes
// sure none of its raw values can appear in the report.
func (r *Report) AddSignIn(res *LiveResult) {
	r.redactor()
	for _, s := range res.secrets {
		r.red.Add(s)
	}
	r.Findings = append(r.Findings, res.Findings...)
	r.Token = res.Token
	r.Finish()
}

func (r *Report) redactor() *Redactor {
	if r.red == nil {
		r.red = NewRedactor(r.Config)
	}
	return r.red
}

// TokenReport is what a live sign-in decoded: headers and claims only, never
// a token, code, secret or signature.
type TokenReport struct {
	IDToken  *DecodedJWT     `json:"id_token,omitempty"`
	Refresh  *RefreshReport  `json:"refresh,omitempty"`
	Userinfo map[string]any  `json:"userinfo,omitempty"`
	Issued   map[string]bool `json:"issued,omitempty"`
}

// RefreshReport is what the refresh grant returned.
type RefreshReport struct {
	IDToken *DecodedJWT `json:"id_token,omitempty"`
}

// DecodedJWT is a JWT's decoded header and claims.
type DecodedJWT struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// Failed reports whether any finding failed.
func (r *Report) Failed() bool { return r.Summary.Fail > 0 }

// Finish recounts the summary and redacts every secret the report could
// carry. Call it after changing the findings.
func (r *Report) Finish() {
	red := r.redactor()
	r.Config = RedactConfig(r.Config)
	r.Summary = Summary{}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Title = red.String(f.Title)
		f.Detail = red.String(f.Detail)
		f.Fix = red.String(f.Fix)
		if f.Evidence != nil {
			f.Evidence.Expected = red.String(f.Evidence.Expected)
			f.Evidence.Got = red.String(f.Evidence.Got)
		}
		r.Summary.Add(f.Status)
	}
}

// PhaseFindings are the findings of one phase.
type PhaseFindings struct {
	Phase    Phase
	Findings []Finding
}

// ByPhase groups the report's findings by phase, in display order, each
// phase's in check order; phases without findings are left out.
func (r *Report) ByPhase() []PhaseFindings {
	by := map[Phase][]Finding{}
	for _, f := range r.Findings {
		p := PhaseOf(f.Check)
		by[p] = append(by[p], f)
	}
	var out []PhaseFindings
	for _, p := range Phases {
		if fs := by[p]; len(fs) > 0 {
			out = append(out, PhaseFindings{Phase: p, Findings: fs})
		}
	}
	return out
}

// Redacted is what stands in for a secret in every output.
const Redacted = "(redacted)"

// RedactConfig returns cfg with the client secret, in its own field and in
// the token endpoint's query, replaced by Redacted.
func RedactConfig(cfg Config) Config {
	if cfg.ClientSecret != "" {
		cfg.ClientSecret = Redacted
	}
	cfg.TokenEndpoint = redactQuery(cfg.TokenEndpoint)
	return cfg
}

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
	// Parameters first: a token replaced first would leave its parameter
	// holding a fragment of the replacement.
	s = redactQuery(s)
	return jwtRE.ReplaceAllString(s, "(redacted token)")
}
