package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
)

// stepCommands says, for each wizard step a guided answer may end at, what
// does the same from the command line.
var stepCommands = map[string]string{
	"/triage":    `quickdiag triage "<the message, as the user sees it>"`,
	"/preflight": "quickdiag check --config values.json",
	"/signin":    "quickdiag check --config values.json --live --email <the user's email>",
}

// guidedStep is one question answered, for the JSON output.
type guidedStep struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// guidedNext is where a guided triage ends when no row settles it.
type guidedNext struct {
	Why     string `json:"why"`
	Command string `json:"command"`
	Wizard  string `json:"wizard_step"`
}

// runGuided asks the guided triage's questions on out, reads the numbered
// answers from in, and ends at a catalog row or at the check that will tell.
func runGuided(s stdio, format string) int {
	in := bufio.NewScanner(s.in)
	in.Buffer(make([]byte, 0, 4096), 64<<10)
	// Questions go to standard output in text mode, to standard error with
	// --format json, so the JSON stays alone on standard output.
	ask := s.out
	if format == "json" {
		ask = s.err
	}
	var path []guidedStep
	q, _ := checks.GuideQuestion(checks.GuideStart)
	for {
		a, ok := askQuestion(ask, in, q)
		if !ok {
			fmt.Fprintln(s.err, "quickdiag triage --guided: standard input ended before an answer (answer with the number of a choice)")
			return exitUsage
		}
		path = append(path, guidedStep{Question: q.Text, Answer: a.Text})
		switch {
		case a.Next != "":
			q, _ = checks.GuideQuestion(a.Next)
			continue
		case a.Row != "":
			row, _ := checks.LookupRow(a.Row)
			m := checks.TriageMatch{Row: row.ID, Score: 1, Title: row.Title, Cause: row.Cause, Fix: row.Fix, Matched: a.Text}
			if format == "json" {
				writeJSON(s.out, map[string]any{"answers": path, "matches": []checks.TriageMatch{m}})
				return exitOK
			}
			fmt.Fprintf(s.out, "\nThe cause: %s — %s\n   cause: %s\n   fix:   %s\n", m.Row, m.Title, m.Cause, m.Fix)
			return exitOK
		default:
			next := guidedNext{Why: a.StepWhy, Command: stepCommands[a.Step], Wizard: a.Step}
			if format == "json" {
				writeJSON(s.out, map[string]any{"answers": path, "matches": []checks.TriageMatch{}, "next": next})
				return exitOK
			}
			fmt.Fprintf(s.out, "\nNo single cause yet. %s\n", next.Why)
			if next.Command != "" {
				fmt.Fprintf(s.out, "Run:  %s\n", next.Command)
			}
			fmt.Fprintf(s.out, "Or in the wizard (quickdiag serve): the %s page.\n", strings.TrimPrefix(next.Wizard, "/"))
			return exitOK
		}
	}
}

// askQuestion prints q and its numbered answers, and reads a choice until
// one is valid. It reports false when the input ends first.
func askQuestion(w io.Writer, in *bufio.Scanner, q checks.Question) (checks.Answer, bool) {
	fmt.Fprintf(w, "\n%s\n", q.Text)
	for i, a := range q.Answers {
		fmt.Fprintf(w, "  %d. %s\n", i+1, a.Text)
	}
	for {
		fmt.Fprintf(w, "Answer [1-%d]: ", len(q.Answers))
		if !in.Scan() {
			fmt.Fprintln(w)
			return checks.Answer{}, false
		}
		n, err := strconv.Atoi(strings.TrimSpace(in.Text()))
		if err == nil && n >= 1 && n <= len(q.Answers) {
			return q.Answers[n-1], true
		}
		fmt.Fprintf(w, "Answer with a number from 1 to %d.\n", len(q.Answers))
	}
}

// writeJSON writes v as indented JSON, as every --format json does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
