package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/account"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/web"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// statusLabel is a status as a word and an icon, so it reads without colour.
func statusLabel(s checks.Status) (label, colour string) {
	switch s {
	case checks.Pass:
		return "✓ pass", ansiGreen
	case checks.Warn:
		return "! WARN", ansiYellow
	case checks.Skip:
		return "– skip", ansiDim
	}
	return "✗ FAIL", ansiRed
}

// writeText writes the report for a person, grouped by phase, in check order.
func writeText(w io.Writer, r *checks.Report, colour bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !colour || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	how := "recognised from the values"
	if p, _ := idp.Parse(r.Config.IdP); p != nil {
		how = "as given with --idp"
	}
	fmt.Fprintf(bw, "%s %s (%s)\n", paint(ansiBold, "quickdiag check:"), r.IdPName, how)
	for _, g := range r.ByPhase() {
		fmt.Fprintf(bw, "\n%s\n", paint(ansiBold, string(g.Phase)))
		for _, f := range g.Findings {
			writeFinding(bw, f, paint)
		}
	}
	sum := web.NewReportSummary(r) // the same words as the wizard and the report
	_, ansi := statusLabel(checks.Status(sum.Status))
	fmt.Fprintf(bw, "\n%s %s (%s)\n%s\n", paint(ansiBold, "Summary:"), countLine(r.Summary),
		(time.Duration(r.DurationMS) * time.Millisecond).Round(10*time.Millisecond), paint(ansi, sum.Verdict))
	if len(sum.Failed) > 0 {
		fmt.Fprintf(bw, "Failed: %s.\n", termSafe(strings.Join(sum.Failed, "; ")))
	}
	if len(sum.Unfinished) > 0 {
		fmt.Fprintf(bw, "Not verified: %s.\n", termSafe(strings.Join(sum.Unfinished, "; ")))
	}
	writePaste(bw, r.ValuesToPaste, paint)
	return bw.Flush()
}

// writePaste writes the one set of values to paste, each with its status:
// the last thing on the screen is what to paste.
func writePaste(w io.Writer, v checks.PasteValues, paint func(code, s string) string) {
	if v == nil {
		return
	}
	fmt.Fprintf(w, "\n%s\n", paint(ansiBold, "The values to paste into the console (it cannot be edited later):"))
	for _, f := range checks.Fields {
		p := v.Get(f.Key)
		if p == nil {
			continue
		}
		mark, code := "✓ verified  ", ansiGreen
		switch p.Status {
		case checks.Corrected:
			mark, code = "✎ corrected ", ansiYellow
		case checks.Unverified:
			mark, code = "? unverified", ansiRed
		}
		fmt.Fprintf(w, "  %-22s %s  %s\n", f.Label, paint(code, mark), termSafe(p.Value))
		const indent = "                                       "
		if p.Entered != "" {
			fmt.Fprintf(w, "%sentered: %s\n", indent, termSafe(p.Entered))
		}
		if p.Why != "" {
			fmt.Fprintf(w, "%s%s\n", indent, trimLines(termSafe(p.Why), indent))
		}
	}
}

func countLine(s checks.Summary) string {
	parts := []string{fmt.Sprintf("%d passed", s.Pass), plural(s.Warn, "warning"), fmt.Sprintf("%d failed", s.Fail), fmt.Sprintf("%d skipped", s.Skip)}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// writeFinding writes one finding: status, title and row; for a problem,
// the detail, the evidence and the fix.
func writeFinding(w io.Writer, f checks.Finding, paint func(code, s string) string) {
	const indent = "          "
	label, c := statusLabel(f.Status)
	line := fmt.Sprintf("  %s  %s", paint(c, label), termSafe(f.Title))
	if f.Row != "" {
		line += "  " + paint(ansiDim, "["+string(f.Row)+"]")
	}
	fmt.Fprintln(w, line)
	if f.Status == checks.Pass && f.Detail == "" {
		return
	}
	if f.Detail != "" {
		fmt.Fprintf(w, "%s%s\n", indent, trimLines(termSafe(f.Detail), indent))
	}
	if f.Status == checks.Pass {
		return
	}
	if f.Evidence != nil {
		fmt.Fprintf(w, "%sexpected: %s\n", indent, trimLines(termSafe(f.Evidence.Expected), indent+"          "))
		fmt.Fprintf(w, "%sgot:      %s\n", indent, trimLines(termSafe(f.Evidence.Got), indent+"          "))
	}
	if f.Fix != "" {
		fmt.Fprintf(w, "%s%s %s\n", indent, paint(ansiBold, "fix:"), trimLines(termSafe(f.Fix), indent+"     "))
	}
}

// writeAnalysis writes an analyzer's findings for a person.
func writeAnalysis(w io.Writer, a *account.Analysis, colour bool) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	paint := func(code, s string) string {
		if !colour {
			return s
		}
		return code + s + ansiReset
	}
	fmt.Fprintf(bw, "%s %s (%s)\n\n", paint(ansiBold, "quickdiag analyze"), a.Analyzer, strings.Join(a.Inputs, ", "))
	for _, f := range a.Findings {
		writeFinding(bw, f, paint)
	}
	fmt.Fprintf(bw, "\n%s %s\n", paint(ansiBold, "Summary:"), countLine(a.Summary))
}

// termSafe makes text from the network safe to print on a terminal: control
// characters (escape sequences among them) and bidirectional overrides,
// which could rewrite or reorder what the person reads, are shown escaped.
// Line breaks are kept; tabs become spaces.
func termSafe(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, "\\x%02x", r)
			} else {
				fmt.Fprintf(&b, "\\u%04x", r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune reports whether r may not reach a terminal as it is.
func unsafeRune(r rune) bool {
	return r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError)
}
