package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report is the result of a run, as the contract's JSON describes it. It is
// assembled here for every front end: the command line, the wizard and the
// exported reports.
type Report struct {
	Schema      int       `json:"schema"`
	ToolVersion string    `json:"tool_version"`
	StartedAt   time.Time `json:"started_at"`
	DurationMS  int64     `json:"duration_ms"`
	// IdP is the identity provider's ID; IdPName its display name.
	IdP     string `json:"idp"`
	IdPName string `json:"-"`
	// Config is the configuration checked, with secrets redacted.
	Config   Config    `json:"config"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	Verdict  Verdict   `json:"verdict"`
	// ValuesToPaste is the one consistent set of values to paste, secrets
	// redacted; package suite computes it. RawPaste has the real values.
	ValuesToPaste PasteValues  `json:"values_to_paste,omitempty"`
	Token         *TokenReport `json:"token,omitempty"`
	// Analyses are the analyzers run alongside (this machine, SAML, the
	// account side), redacted as the rest. They do not change the summary
	// or the verdict, which are the values' and the sign-in's.
	Analyses []*Analysis `json:"analyses,omitempty"`

	red    *Redactor
	inputs *Target
	paste  PasteValues
}

// SetPaste sets the values to paste; the report keeps the real values for
// RawPaste and shows them redacted.
func (r *Report) SetPaste(v PasteValues) {
	r.paste = v
	r.ValuesToPaste = v.redacted(r.redactor())
}

// RawPaste returns the value to paste of one field as it must be pasted,
// secrets included, for a copy button; "" when there is none.
func (r *Report) RawPaste(k FieldKey) string {
	if p := r.paste.Get(k); p != nil {
		return p.Value
	}
	return ""
}

// NewReport returns an empty report over cfg for the IdP, started at start.
func NewReport(cfg Config, idp *IdP, start time.Time) *Report {
	r := &Report{Schema: 1, StartedAt: start, IdP: idp.String(), Config: cfg}
	if idp != nil {
		r.IdPName = idp.Name
	}
	r.red = NewRedactor(cfg)
	return r
}

// Inputs returns the run's shared inputs (the discovery document, the key
// sets), for a later step to reuse; nil for a report not made by Run.
func (r *Report) Inputs() *Target { return r.inputs }

// SignInResult is what a live sign-in adds to a report.
type SignInResult struct {
	Findings []Finding
	Token    *TokenReport
	// Ended is when the sign-in returned.
	Ended time.Time
	// Secrets are the raw values of the sign-in (code, tokens, verifier):
	// the report's redactor removes them wherever they appear.
	Secrets []string
}

// WithSignIn returns a copy of the report with a live sign-in's findings
// and decoded tokens added, its duration running to the sign-in's end, and
// none of the sign-in's raw values anywhere in it. A nil res returns a copy.
func (r *Report) WithSignIn(res *SignInResult) *Report {
	out := *r
	out.Findings = append([]Finding(nil), r.Findings...)
	out.red = &Redactor{secrets: append([]string(nil), r.redactor().secrets...)}
	if res != nil {
		for _, s := range res.Secrets {
			out.red.Add(s)
		}
		out.Findings = append(out.Findings, res.Findings...)
		out.Token = res.Token
		if !res.Ended.IsZero() {
			out.DurationMS = res.Ended.Sub(r.StartedAt).Milliseconds()
		}
	}
	out.Finish()
	return &out
}

// WithAnalyses returns a copy of the report with the analyses (nil ones
// skipped) attached, copied and redacted with the report's secrets.
func (r *Report) WithAnalyses(as ...*Analysis) *Report {
	out := *r
	out.Analyses = nil
	for _, a := range as {
		if a == nil {
			continue
		}
		c := *a
		c.Findings = append([]Finding(nil), a.Findings...)
		out.Analyses = append(out.Analyses, &c)
	}
	out.Finish()
	return &out
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

func (t *TokenReport) refreshed() *DecodedJWT {
	if t.Refresh == nil {
		return nil
	}
	return t.Refresh.IDToken
}

// Bounds on what a report keeps of decoded claims: an IdP (or a forged
// token) can nest claims thousands deep or send megabytes.
const (
	maxClaimDepth  = 8
	maxClaimString = 2048
	maxClaimItems  = 200
)

// boundClaims returns claims with token-shaped and secret values redacted,
// strings cut to maxClaimString, and nesting and lists bounded.
func boundClaims(m map[string]any, red *Redactor, depth int) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, min(len(m), maxClaimItems))
	n := 0
	for k, v := range m {
		if n++; n > maxClaimItems {
			out["(more claims)"] = fmt.Sprintf("%d more left out", len(m)-maxClaimItems)
			break
		}
		out[Truncate(red.String(k), 200)] = boundValue(v, red, depth+1)
	}
	return out
}

func boundValue(v any, red *Redactor, depth int) any {
	if depth > maxClaimDepth {
		return "(nested too deep: left out)"
	}
	switch v := v.(type) {
	case string:
		return Truncate(red.String(v), maxClaimString)
	case map[string]any:
		return boundClaims(v, red, depth)
	case []any:
		out := make([]any, 0, min(len(v), maxClaimItems))
		for i, e := range v {
			if i >= maxClaimItems {
				out = append(out, fmt.Sprintf("(%d more left out)", len(v)-maxClaimItems))
				break
			}
			out = append(out, boundValue(e, red, depth+1))
		}
		return out
	}
	return v
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

// Verdict is the report's one-word outcome.
type Verdict string

// The verdicts, as the contract names them.
const (
	// VerdictOK: no check failed and every check finished.
	VerdictOK Verdict = "ok"
	// VerdictProblems: at least one check failed.
	VerdictProblems Verdict = "problems"
	// VerdictIncomplete: nothing failed, but a check could not finish.
	VerdictIncomplete Verdict = "incomplete"
)

// Finish recounts the summary and the verdict, and redacts every secret the
// report could carry. Call it after changing the findings.
func (r *Report) Finish() {
	red := r.redactor()
	r.Config = RedactConfig(r.Config)
	r.Summary = Summary{}
	for i := range r.Findings {
		redactFinding(red, &r.Findings[i])
		r.Summary.Add(r.Findings[i].Status)
	}
	for _, a := range r.Analyses {
		for i := range a.Findings {
			redactFinding(red, &a.Findings[i])
		}
	}
	if t := r.Token; t != nil {
		for _, d := range []*DecodedJWT{t.IDToken, t.refreshed()} {
			if d != nil {
				d.Header, d.Claims = boundClaims(d.Header, red, 0), boundClaims(d.Claims, red, 0)
			}
		}
		t.Userinfo = boundClaims(t.Userinfo, red, 0)
	}
	r.Verdict = VerdictOK
	switch {
	case r.Summary.Fail > 0:
		r.Verdict = VerdictProblems
	case r.Summary.Skip > 0 && r.incomplete():
		r.Verdict = VerdictIncomplete
	}
}

// redactFinding removes the redactor's secrets from a finding's text.
func redactFinding(red *Redactor, f *Finding) {
	f.Title = red.String(f.Title)
	f.Detail = red.String(f.Detail)
	f.Fix = red.String(f.Fix)
	if f.Evidence != nil {
		e := *f.Evidence
		e.Expected, e.Got = red.String(e.Expected), red.String(e.Got)
		f.Evidence = &e
	}
}

// incomplete reports whether a skip means a check could not finish (a stop,
// the time limit) rather than one that does not apply.
func (r *Report) incomplete() bool {
	for _, f := range r.Findings {
		if f.Status == Skip && f.Incomplete {
			return true
		}
	}
	return false
}

// PhaseFindings are the findings of one phase.
type PhaseFindings struct {
	Phase    Phase
	Findings []Finding
}

// ByPhase groups the report's findings by phase, in display order, and
// within a phase the cause first: failures, then warnings, skips and
// passes, each in check order. Phases without findings are left out.
func (r *Report) ByPhase() []PhaseFindings {
	by := map[Phase][]Finding{}
	for _, f := range r.Findings {
		p := f.Phase
		if p == "" {
			p = phaseOfID(f.Check)
		}
		by[p] = append(by[p], f)
	}
	rank := map[Status]int{Fail: 0, Warn: 1, Skip: 2, Pass: 3}
	var out []PhaseFindings
	for _, p := range Phases {
		if fs := by[p]; len(fs) > 0 {
			slices.SortStableFunc(fs, func(a, b Finding) int { return rank[a.Status] - rank[b.Status] })
			out = append(out, PhaseFindings{Phase: p, Findings: fs})
		}
	}
	return out
}

// phaseOfID is the phase of a finding that does not carry one (a report
// read back from JSON), from its check's id: the network checks' prefixes,
// the live sign-in's, and otherwise the values (the IdPs' own lints).
func phaseOfID(check string) Phase {
	prefix, _, _ := strings.Cut(check, ".")
	switch prefix {
	case "discovery":
		return PhaseDiscovery
	case "jwks":
		return PhaseKeys
	case "probe":
		return PhaseProbe
	case "signin":
		return PhaseSignIn
	}
	return PhaseValues
}
