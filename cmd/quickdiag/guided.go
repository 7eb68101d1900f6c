package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// stepCommands says, for each step a guided answer may end at, the command
// that takes it.
var stepCommands = map[triage.Step]string{
	triage.StepTriage:    `quickdiag triage "<the message, as the user sees it>"`,
	triage.StepPreflight: "quickdiag check --config values.json",
	triage.StepSignIn:    "quickdiag check --config values.json --live --email <the user's email>",
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
	q, _ := triage.GuideQuestion(triage.GuideStart)
	for {
		a, ok := askQuestion(ask, in, q)
		if !ok {
			fmt.Fprintln(s.err, "quickdiag triage --guided: standard input ended before an answer (answer with the number of a choice)")
			return exitUsage
		}
		path = append(path, guidedStep{Question: q.Text, Answer: a.Text})
		switch {
		case a.Next != "":
			q, _ = triage.GuideQuestion(a.Next)
			continue
		case a.Row != "":
			row, _ := catalog.Lookup(a.Row)
			m := triage.Match{Row: row.ID, Score: 1, Title: row.Title, Cause: row.Cause, Fix: row.Fix, Matched: a.Text}
			if format == "json" {
				writeJSON(s.out, map[string]any{"answers": path, "matches": []triage.Match{m}})
				return exitOK
			}
			fmt.Fprintf(s.out, "\nThe cause: %s — %s\n   cause: %s\n   fix:   %s\n", m.Row, m.Title, m.Cause, m.Fix)
			return exitOK
		default:
			next := guidedNext{Why: a.StepWhy, Command: stepCommands[a.Step], Wizard: "/" + string(a.Step)}
			if format == "json" {
				writeJSON(s.out, map[string]any{"answers": path, "matches": []triage.Match{}, "next": next})
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
func askQuestion(w io.Writer, in *bufio.Scanner, q triage.Question) (triage.Answer, bool) {
	fmt.Fprintf(w, "\n%s\n", q.Text)
	for i, a := range q.Answers {
		fmt.Fprintf(w, "  %d. %s\n", i+1, a.Text)
	}
	for {
		fmt.Fprintf(w, "Answer [1-%d]: ", len(q.Answers))
		if !in.Scan() {
			fmt.Fprintln(w)
			return triage.Answer{}, false
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
