// Package web holds quickdiag's templ components: the wizard's pages and
// the self-contained report. Components take view models and do no I/O;
// NewReport and NewFinding turn the engine's results into view models.
package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/demo"
	"github.com/quickdiag/quickdiag/checks/har"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// FindingView is one finding, ready to show.
type FindingView struct {
	Check    string
	Status   string // pass, warn, fail, skip
	Label    string // the status as a word with an icon, so that colour is not the only signal
	Row      string
	RowTitle string
	Title    string
	Detail   string
	Fix      string
	Expected string
	Got      string
	Evidence bool
}

// NewFinding makes a finding's view.
func NewFinding(f checks.Finding) FindingView {
	v := FindingView{Check: f.Check, Status: string(f.Status), Row: string(f.Row), Title: f.Title, Detail: f.Detail, Fix: f.Fix}
	switch f.Status {
	case checks.Pass:
		v.Label = "✓ Pass"
	case checks.Warn:
		v.Label = "! Warning"
	case checks.Skip:
		v.Label = "– Skipped"
	default:
		v.Status, v.Label = "fail", "✗ Fail"
	}
	if r, ok := catalog.Lookup(f.Row); ok {
		v.RowTitle = r.Title
	}
	if f.Evidence != nil {
		v.Evidence, v.Expected, v.Got = true, f.Evidence.Expected, f.Evidence.Got
	}
	return v
}

// PhaseView is the findings of one phase.
type PhaseView struct {
	Name     string
	Findings []FindingView
}

// Problems returns the findings that are not passes, in order.
func (p PhaseView) Problems() []FindingView {
	var out []FindingView
	for _, f := range p.Findings {
		if f.Status != string(checks.Pass) {
			out = append(out, f)
		}
	}
	return out
}

// Passes returns the passing findings, in order.
func (p PhaseView) Passes() []FindingView {
	var out []FindingView
	for _, f := range p.Findings {
		if f.Status == string(checks.Pass) {
			out = append(out, f)
		}
	}
	return out
}

func passCount(n int) string {
	if n == 1 {
		return "1 check passed"
	}
	return fmt.Sprintf("%d checks passed", n)
}

// FieldView is one console value.
type FieldView struct {
	Key, Label, Value string
}

// ClaimView is one claim or header parameter.
type ClaimView struct {
	Name, Value string
	// Email marks the claim the account maps users by.
	Email bool
}

// TokenView is a decoded JWT.
type TokenView struct {
	Header, Claims []ClaimView
}

// ReportView is a whole result.
type ReportView struct {
	Tool      string
	Generated string
	IdP       string
	Values    []FieldView
	Phases    []PhaseView
	Summary   checks.Summary
	// Verdict is one sentence; VerdictStatus is pass, warn or fail.
	Verdict       string
	VerdictStatus string
	IDToken       *TokenView
	Refreshed     *TokenView
	Userinfo      []ClaimView
	Email         string
	// Paste is the one set of values to paste, leading the report.
	Paste []PasteView
	// Analyses are the analyzers run in the same session, one section
	// each (this machine, SAML, the account side), the cause first.
	Analyses []PhaseView

	summary ReportSummary
}

// analysisTitles name the analyzers' sections of a report.
var analysisTitles = map[string]string{
	"doctor":       "This machine",
	"saml":         "SAML sign-in to the web app",
	"kms-policy":   "AWS account: KMS key policies",
	"subscription": "AWS account: subscription and identity region",
	"users":        "AWS account: provisioned users",
}

// analysisSection is an analysis as a report section: failures, then
// warnings, skips and passes.
func analysisSection(a *checks.Analysis) PhaseView {
	name := analysisTitles[a.Analyzer]
	if name == "" {
		name = a.Analyzer
	}
	fs := append([]checks.Finding(nil), a.Findings...)
	rank := map[checks.Status]int{checks.Fail: 0, checks.Warn: 1, checks.Skip: 2, checks.Pass: 3}
	slices.SortStableFunc(fs, func(x, y checks.Finding) int { return rank[x.Status] - rank[y.Status] })
	pv := PhaseView{Name: name + " — " + analysisCounts(a.Summary)}
	for _, f := range fs {
		pv.Findings = append(pv.Findings, NewFinding(f))
	}
	return pv
}

// analysisCounts says an analysis's outcome in its heading, since the
// report's verdict above does not count it: what failed and warned, or
// that nothing did, or that nothing could be verified.
func analysisCounts(s checks.Summary) string {
	var parts []string
	if s.Fail > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.Fail))
	}
	if s.Warn > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", s.Warn, plural(s.Warn, "warning", "warnings")))
	}
	switch {
	case len(parts) == 0 && s.Pass == 0:
		return "nothing verified"
	case len(parts) == 0:
		parts = append(parts, "no problem found")
	}
	if s.Skip > 0 && s.Pass+s.Fail+s.Warn > 0 {
		parts = append(parts, fmt.Sprintf("%d not run", s.Skip))
	}
	return strings.Join(parts, ", ")
}

// NewReport makes a report's view.
func NewReport(r *checks.Report) ReportView {
	v := ReportView{
		Tool:      "quickdiag " + r.ToolVersion,
		Generated: r.StartedAt.UTC().Format(time.RFC1123),
		IdP:       r.IdPName,
		Summary:   r.Summary,
	}
	for _, f := range r.Config.Fields() {
		v.Values = append(v.Values, FieldView{Key: string(f.Key), Label: f.Label, Value: f.Value})
	}
	for _, g := range r.ByPhase() {
		pv := PhaseView{Name: string(g.Phase)}
		for _, f := range g.Findings {
			pv.Findings = append(pv.Findings, NewFinding(f))
		}
		v.Phases = append(v.Phases, pv)
	}
	for _, a := range r.Analyses {
		v.Analyses = append(v.Analyses, analysisSection(a))
	}
	v.Verdict, v.VerdictStatus = Verdict(r.Summary)
	v.Paste = NewPaste(r, nil)
	v.summary = NewReportSummary(r)
	if r.Token != nil {
		if r.Token.IDToken != nil {
			v.IDToken = tokenView(r.Token.IDToken)
			v.Email, _ = r.Token.IDToken.Claims["email"].(string)
		}
		if r.Token.Refresh != nil && r.Token.Refresh.IDToken != nil {
			v.Refreshed = tokenView(r.Token.Refresh.IDToken)
		}
		v.Userinfo = claimList(r.Token.Userinfo)
	}
	return v
}

// Verdict says in one sentence what a summary means, and its status.
func Verdict(s checks.Summary) (string, string) {
	switch {
	case s.Fail > 0:
		return fmt.Sprintf("%d %s failed: fix them before creating the extension access — it cannot be edited later.", s.Fail, plural(s.Fail, "check", "checks")), "fail"
	case s.Warn > 0:
		return fmt.Sprintf("No check failed; read the %d %s.", s.Warn, plural(s.Warn, "warning", "warnings")), "warn"
	}
	return "No problem found.", "pass"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func tokenView(d *checks.DecodedJWT) *TokenView {
	return &TokenView{Header: claimList(d.Header), Claims: claimList(d.Claims)}
}

// claimList lists claims by name, times shown as dates too.
func claimList(m map[string]any) []ClaimView {
	var out []ClaimView
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, ClaimView{Name: k, Value: claimValue(k, m[k]), Email: k == "email"})
	}
	return out
}

func claimValue(name string, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if name == "exp" || name == "iat" || name == "nbf" || name == "auth_time" {
			return fmt.Sprintf("%.0f (%s)", x, time.Unix(int64(x), 0).UTC().Format(time.RFC3339))
		}
		return strings.TrimSuffix(fmt.Sprintf("%f", x), ".000000")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ReportSummary is a summary ready to show.
type ReportSummary struct {
	Verdict, Status, Counts string
	// Failed names the failed checks' findings, the cause first; Unfinished
	// what could not be verified.
	Failed, Unfinished []string
}

// NewSummary makes a summary's view.
func NewSummary(s checks.Summary) ReportSummary {
	v, st := Verdict(s)
	return ReportSummary{Verdict: v, Status: st, Counts: fmt.Sprintf("%d passed · %d %s · %d failed · %d skipped", s.Pass, s.Warn, plural(s.Warn, "warning", "warnings"), s.Fail, s.Skip)}
}

// NewAnalysisSummary makes an analyzer's summary view (the account side,
// SAML, this machine): its verdict speaks of the findings, not of the
// console entry, and says when something could not be checked.
func NewAnalysisSummary(s checks.Summary) ReportSummary {
	v := NewSummary(s)
	switch {
	case s.Fail > 0:
		v.Verdict = fmt.Sprintf("%d %s failed: each says what to change.", s.Fail, plural(s.Fail, "check", "checks"))
	case s.Warn > 0:
	case s.Skip > 0:
		v.Verdict, v.Status = fmt.Sprintf("Nothing failed, but %d %s could not be checked: each says what it needs.", s.Skip, plural(s.Skip, "thing", "things")), "skip"
	}
	return v
}

// NewReportSummary makes a report's summary view: the counts and verdict,
// the titles of what failed, and, for an incomplete run, what was not
// verified.
func NewReportSummary(r *checks.Report) ReportSummary {
	v := NewSummary(r.Summary)
	v.Failed, v.Unfinished = Causes(r)
	if r.Verdict == checks.VerdictIncomplete {
		v.Verdict, v.Status = "Not everything could be verified: nothing failed, but a check did not finish.", "warn"
	}
	return v
}

// Causes returns the titles of the report's failed findings and of its
// unfinished checks, in report order.
func Causes(r *checks.Report) (failed, unfinished []string) {
	for _, f := range r.Findings {
		switch {
		case f.Status == checks.Fail:
			failed = append(failed, f.Title)
		case f.Status == checks.Skip && f.Incomplete:
			unfinished = append(unfinished, f.Title)
		}
	}
	return failed, unfinished
}

// IdPOption is one choice of step 1.
type IdPOption struct {
	Value, Name string
	Needs       []string
	Checked     bool
}

// ChooseView is step 1.
type ChooseView struct {
	Options  []IdPOption
	Requires []string
	Selected string
}

// InputView is one field of step 2.
type InputView struct {
	Key, Label, Value, Where, Example string
	// Secret fields are never echoed back; Set says one is stored.
	Secret, Set bool
}

// ValuesView is step 2.
type ValuesView struct {
	IdPName string
	Fields  []InputView
	Lint    []FindingView
	Error   string
	Notice  string
}

// CheckSlot is a check that the preflight will run.
type CheckSlot struct {
	ID, Title string
}

// SlotGroup is the checks of one phase.
type SlotGroup struct {
	Name  string
	Slots []CheckSlot
}

// PreflightView is step 3: either slots to fill as checks finish, grouped
// by phase, or the finished report.
type PreflightView struct {
	HasValues bool
	Stream    bool
	Groups    []SlotGroup
	Phases    []PhaseView
	Summary   *ReportSummary
}

// SignInView is step 4.
type SignInView struct {
	HasValues bool
	Running   bool
	Done      bool
	Message   string
	Email     string
	Users     string
	Error     string
	// Blockers are the preflight's failures that will break the sign-in.
	Blockers []FindingView
}

// PasteView is one value to paste into the console, with how far it is
// proven: verified, corrected (Entered and Why say from what) or unverified
// (Why says what is missing).
type PasteView struct {
	Key, Label, Display string
	Status              string
	Entered, Why        string
	NeedsSecret         bool
	// CopyURL fetches the value to copy; empty when the value is not ready
	// to paste (unverified, or a secret still to add).
	CopyURL string
}

// StatusLabel says the status in words, so that colour is not the only signal.
func (p PasteView) StatusLabel() string {
	switch p.Status {
	case string(checks.Verified):
		return "✓ verified"
	case string(checks.Corrected):
		return "✎ corrected"
	}
	return "? not verified"
}

// NewPaste makes the views of a report's values to paste; copyURL, when
// set, gives each ready value's copy address.
func NewPaste(r *checks.Report, copyURL func(checks.FieldKey) string) []PasteView {
	var out []PasteView
	for _, f := range checks.Fields {
		p := r.ValuesToPaste.Get(f.Key)
		if p == nil {
			continue
		}
		v := PasteView{Key: string(f.Key), Label: f.Label, Display: p.Value, Status: string(p.Status), Entered: p.Entered, Why: p.Why, NeedsSecret: p.NeedsSecret}
		if copyURL != nil && p.Status != checks.Unverified && !p.NeedsSecret {
			v.CopyURL = copyURL(f.Key)
		}
		out = append(out, v)
	}
	return out
}

// ResultsView is step 5.
type ResultsView struct {
	Report   *ReportView
	Summary  *ReportSummary
	Paste    []PasteView
	SignedIn bool
}

// NewSummaryOf returns the summary view of a report view.
func NewSummaryOf(v ReportView) ReportSummary { return v.summary }

// MatchView is one triage match. Before and After are the words around
// Matched in the pasted text.
type MatchView struct {
	Row, Title, Cause, Fix, Question, Score string
	Before, Matched, After                  string
	// Meaning is the vendor's own description of the code matched.
	Meaning string
	// Guess is triage.Match.Guess: the row of the most similar messages.
	Guess bool
}

// TriageView is the triage page.
type TriageView struct {
	Text     string
	Searched bool
	Matches  []MatchView
	// Next says where to look next in the IdP's logs.
	Next []string
	// HAR is what an uploaded HAR export says, when one was read.
	HAR *HARView
	// Error says why an upload could not be read.
	Error string
}

// HARView is the authorization request and the answers of a HAR export.
type HARView struct {
	Entries  int
	Requests []har.Request
}

// NewTriage makes the triage page's view of a pasted text.
func NewTriage(text string, res triage.Result) TriageView {
	v := TriageView{Text: text, Searched: true, Matches: matchViews(res.Matches), Next: res.Next}
	return v
}

// NewTriageHAR makes the triage page's view of a HAR export.
func NewTriageHAR(a *har.Analysis) TriageView {
	return TriageView{Searched: true, Matches: matchViews(a.Matches), HAR: &HARView{Entries: a.Entries, Requests: a.Requests}}
}

// guessNote says what a guessed match is (triage.GuessNote).
const guessNote = triage.GuessNote

func matchViews(ms []triage.Match) []MatchView {
	var out []MatchView
	for _, m := range ms {
		mv := MatchView{Row: string(m.Row), Title: m.Title, Cause: m.Cause, Fix: m.Fix, Matched: m.Matched, Question: m.Question,
			Meaning: m.Meaning, Guess: m.Guess, Score: fmt.Sprintf("%.0f%%", 100*m.Score)}
		if before, after, ok := strings.Cut(m.Context, m.Matched); ok && m.Matched != "" {
			mv.Before, mv.After = before, after
		}
		out = append(out, mv)
	}
	return out
}

// GuideAnswer is one answer of the guided triage, as a link.
type GuideAnswer struct {
	Text, Href string
}

// RowView is a catalog row, as the guided triage's conclusion.
type RowView struct {
	ID, Title, Seen, Cause, Fix string
}

// GuideView is one page of the guided triage: a question, or where it ends.
type GuideView struct {
	Question string
	Answers  []GuideAnswer
	Row      *RowView
	Step     string
	StepWhy  string
}

// AnalysisResult is what an analyzer's page shows of a run: its findings
// and their summary, or why the input could not be read.
type AnalysisResult struct {
	Findings []FindingView
	Summary  *ReportSummary
	Error    string
}

// NewAnalysisResult shows an analyzer's run: a (when err is nil), or err,
// naming the input an *checks.InputError names.
func NewAnalysisResult(a *checks.Analysis, err error) AnalysisResult {
	var ie *checks.InputError
	switch {
	case errors.As(err, &ie):
		return AnalysisResult{Error: "Could not read " + ie.Name + ": " + ie.Msg}
	case err != nil:
		return AnalysisResult{Error: err.Error()}
	}
	var v AnalysisResult
	for _, f := range a.Findings {
		v.Findings = append(v.Findings, NewFinding(f))
	}
	sum := NewAnalysisSummary(a.Summary)
	v.Summary = &sum
	return v
}

// AnalyzeView is the account-side analyzers' page.
type AnalyzeView struct {
	// Kind is the analyzer that ran, if any.
	Kind string
	AnalysisResult
	// The inputs, kept to edit and run again.
	KMSPrimary, KMSReplica, Subscription, Region, Quick, IdPUsers string
}

// MachineView is the "This machine" step: the machine checks' last run
// and the browser test.
type MachineView struct {
	// HasValues is true when the IdP's values are there to check against.
	HasValues bool
	AnalysisResult
	// Browser is the browser test's finding, once in; Testing is true while
	// it waits for the browser.
	Browser *FindingView
	Testing bool
}

// SAMLView is the SAML analyzer's page (the Q Business web app).
type SAMLView struct {
	AnalysisResult
	// The inputs, kept to edit and run again (pasted texts only, and only
	// when small).
	MetadataText, ResponseText, AppText              string
	EntityID, ACSURL, EmailAttribute, GroupAttribute string
}

// DemoView is the practice IdP's scenario picker, grouped by IdP or by
// symptom (the catalog row each scenario shows).
type DemoView struct {
	Groups []DemoGroup
	// BySymptom is true when the groups are rows, not IdPs.
	BySymptom bool
	// Chosen is the scenario named in the URL (quickdiag demo --scenario),
	// offered first; nil when none is.
	Chosen *DemoScenario
}

// DemoGroup is one IdP's scenarios, or one symptom's.
type DemoGroup struct {
	IdP, Name string
	Scenarios []DemoScenario
}

// DemoScenario is one scenario to choose.
type DemoScenario struct {
	Name, Title, Row, Symptom string
	// IdPName is the display name of the scenario's IdP.
	IdPName string
	Live    bool
}

// NewDemoView groups the scenarios by IdP (or, bySymptom, by catalog row:
// the good configurations first), in the order given; name gives an IdP's
// display name; chosen names the scenario to offer first ("" for none).
func NewDemoView(all []demo.Scenario, name func(idp string) string, bySymptom bool, chosen string) DemoView {
	v := DemoView{BySymptom: bySymptom}
	index := map[string]int{}
	for _, s := range all {
		key, title := s.IdP, name(s.IdP)
		if bySymptom {
			key, title = string(s.Row), "Nothing wrong: a good configuration"
			if row, ok := catalog.Lookup(s.Row); ok {
				title = row.Title
			}
		}
		i, ok := index[key]
		if !ok {
			i = len(v.Groups)
			index[key] = i
			v.Groups = append(v.Groups, DemoGroup{IdP: key, Name: title})
		}
		ds := DemoScenario{Name: s.Name, Title: s.Title, Row: string(s.Row), Symptom: s.Symptom, IdPName: name(s.IdP), Live: s.Live}
		v.Groups[i].Scenarios = append(v.Groups[i].Scenarios, ds)
		if s.Name == chosen {
			v.Chosen = &ds
		}
	}
	if bySymptom {
		sort.SliceStable(v.Groups, func(i, j int) bool { return v.Groups[i].IdP == "" && v.Groups[j].IdP != "" })
	}
	return v
}

// RowOption is a catalog row a trainee may name.
type RowOption struct{ ID, Title string }

// PracticeView is the training mode's page.
type PracticeView struct {
	// Active is true once a hidden scenario is chosen.
	Active  bool
	Symptom string
	Rows    []RowOption
	// Answered, Right, Answer, Scenario and Row tell the trainee how they did.
	Answered, Right bool
	Answer          string
	Scenario        string
	Row             RowView
}
