package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/quickdiag/quickdiag/checks/triage"
)

// readInput reads a command's text: the arguments, or standard input for
// "-" (and when no argument is given and standard input is not a terminal).
func readInput(args []string, in io.Reader, errW io.Writer) (string, error) {
	if len(args) == 1 && args[0] == "-" || len(args) == 0 && in != nil && !isTerminal(in) {
		b, err := io.ReadAll(io.LimitReader(in, triage.MaxTriageInput+1))
		if err != nil {
			return "", fmt.Errorf("read standard input: %v", err)
		}
		if len(b) > triage.MaxTriageInput {
			fmt.Fprintf(errW, "quickdiag triage: the text is longer than %d MiB; only its first %d MiB are read\n", triage.MaxTriageInput>>20, triage.MaxTriageInput>>20)
			b = b[:triage.MaxTriageInput]
		}
		if strings.TrimSpace(string(b)) == "" {
			return "", usagef("standard input is empty: give the error text as an argument, or pipe it in")
		}
		return string(b), nil
	}
	if len(args) == 0 {
		return "", usagef("give the error text as an argument, or - to read it from standard input")
	}
	return strings.Join(args, " "), nil
}

func runTriage(args []string, s stdio) int {
	fs := flag.NewFlagSet("quickdiag triage", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text or json")
	guided := fs.Bool("guided", false, "ask a few questions about what the user sees, instead of reading an error text")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(s.err, "Usage: quickdiag triage [--format text|json] [TEXT | -]\n       quickdiag triage --guided [--format text|json]\n\nFinds the cause and the fix of a reported error message, or, with --guided,\nof \"a user cannot sign in\" through a few questions.\n\nExamples:\n  quickdiag triage \"AADSTS50011: The redirect URI …\"\n  pbpaste | quickdiag triage - --format json\n  quickdiag triage --guided\n\nFlags:\n")
			printFlags(s.err, fs)
			return exitOK
		}
		fmt.Fprintf(s.err, "quickdiag triage: %v\n", err)
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(s.err, "quickdiag triage: --format %q: use text or json\n", *format)
		return exitUsage
	}
	if *guided {
		if fs.NArg() > 0 {
			fmt.Fprintln(s.err, "quickdiag triage: --guided asks its questions and takes no error text; drop the text, or drop --guided")
			return exitUsage
		}
		if s.in == nil {
			fmt.Fprintln(s.err, "quickdiag triage: --guided needs standard input for the answers")
			return exitUsage
		}
		return runGuided(s, *format)
	}
	text, err := readInput(fs.Args(), s.in, s.err)
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag triage: %v\n", err)
		return exitUsage
	}
	matches := triage.Rank(text)
	if matches == nil {
		matches = []triage.Match{}
	}
	if *format == "json" {
		writeJSON(s.out, map[string]any{"matches": matches})
		return exitOK
	}
	writeTriage(s.out, matches)
	return exitOK
}

func writeTriage(w io.Writer, ms []triage.Match) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	if len(ms) == 0 {
		fmt.Fprintln(bw, "No known cause matches this text.")
		fmt.Fprintln(bw, "Check the values themselves: quickdiag check --config values.json (or the wizard: quickdiag serve).")
		return
	}
	const indent = "   "
	for i, m := range ms {
		fmt.Fprintf(bw, "%d. %s — %s (score %.2f)\n", i+1, m.Row, termSafe(m.Title), m.Score)
		fmt.Fprintf(bw, "%smatched: %q\n", indent, m.Matched)
		if m.Context != "" {
			fmt.Fprintf(bw, "%sin:      %q\n", indent, m.Context)
		}
		fmt.Fprintf(bw, "%scause:   %s\n", indent, m.Cause)
		fmt.Fprintf(bw, "%sfix:     %s\n", indent, m.Fix)
	}
	if q := ms[0].Question; q != "" {
		fmt.Fprintf(bw, "\nThe text fits %d causes. To tell them apart: %s\n", len(ms), q)
	}
}
