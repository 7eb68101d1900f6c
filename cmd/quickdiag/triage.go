package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/har"
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
	harFile := fs.String("har", "", "read a browser's HAR export (or SAML-tracer's JSON export) of the failed sign-in")
	sanitized := fs.String("sanitized", "", "with --har: write a copy of the export that is safe to attach to a ticket")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(s.err, "Usage: quickdiag triage [--format text|json] [TEXT | -]\n       quickdiag triage --har FILE [--format text|json] [--sanitized FILE]\n       quickdiag triage --guided [--format text|json]\n\nFinds the cause and the fix of a reported error message, of a browser's\nrecord of the failed sign-in (--har), or, with --guided, of \"a user cannot\nsign in\" through a few questions.\n\nExamples:\n  quickdiag triage \"AADSTS50011: The redirect URI …\"\n  pbpaste | quickdiag triage - --format json\n  quickdiag triage --har signin.har --sanitized signin-safe.har\n  quickdiag triage --guided\n\nFlags:\n")
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
	if *sanitized != "" && *harFile == "" {
		fmt.Fprintln(s.err, "quickdiag triage: --sanitized writes a copy of the --har file; give --har FILE too")
		return exitUsage
	}
	if *harFile != "" {
		if *guided || fs.NArg() > 0 {
			fmt.Fprintln(s.err, "quickdiag triage: --har reads the export and takes no error text or --guided")
			return exitUsage
		}
		return runTriageHAR(s, *harFile, *sanitized, *format)
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
	res := triage.Analyze(text)
	if res.Matches == nil {
		res.Matches = []triage.Match{}
	}
	if *format == "json" {
		writeJSON(s.out, res)
		return exitOK
	}
	writeTriage(s.out, res.Matches)
	writeNext(s.out, res.Next)
	return exitOK
}

// runTriageHAR reads a HAR or SAML-tracer export: the app's request, the
// IdP's answers, the rows they point at; and writes its sanitized copy.
func runTriageHAR(s stdio, path, sanitized, format string) int {
	data, err := readFileBounded(path, har.MaxInput)
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag triage: --har: %v\n", err)
		return exitUsage
	}
	entries, err := har.Decode(data)
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag triage: %s: %v\n", path, err)
		return exitUsage
	}
	a := har.Analyze(entries)
	if sanitized != "" {
		clean, err := har.Sanitize(data)
		if err == nil {
			err = os.WriteFile(sanitized, clean, 0o600)
		}
		if err != nil {
			fmt.Fprintf(s.err, "quickdiag triage: --sanitized: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(s.err, "Wrote %s: cookies, authorization headers, codes, tokens, verifiers, passwords, secrets and SAML signatures removed.\n", sanitized)
	}
	if format == "json" {
		writeJSON(s.out, a)
		return exitOK
	}
	writeHAR(s.out, a)
	writeTriage(s.out, a.Matches)
	return exitOK
}

// readFileBounded reads a file of at most limit bytes, saying so when it is larger.
func readFileBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB; quickdiag reads exports up to that size (export only the sign-in's requests)", path, limit>>20)
	}
	return data, nil
}

// writeHAR prints the export's authorization request, compared, and the
// answers that decided the sign-in.
func writeHAR(w io.Writer, a *har.Analysis) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintf(bw, "Read %d requests.\n", a.Entries)
	found := false
	for _, r := range a.Requests {
		switch r.Kind {
		case "authorize":
			found = true
			fmt.Fprintf(bw, "\nThe authorization request (%s):\n", termSafe(checks.Truncate(r.URL, 200)))
			for _, p := range r.Params {
				mark := "ok  "
				if !p.OK {
					mark = "FAIL"
				}
				fmt.Fprintf(bw, "  %s %-22s %s", mark, p.Name, termSafe(checks.OrNone(p.Value)))
				if !p.OK {
					fmt.Fprintf(bw, "  (the desktop app sends %s)", p.Want)
				}
				fmt.Fprintln(bw)
			}
			fmt.Fprintln(bw, "\nThe answers that decided the sign-in:")
		default:
			line := fmt.Sprintf("  %s %s", r.Kind, termSafe(checks.Truncate(r.URL, 120)))
			if r.Status != 0 {
				line += fmt.Sprintf(" → HTTP %d", r.Status)
			}
			fmt.Fprintln(bw, line)
			if r.Said != "" {
				fmt.Fprintf(bw, "      %s\n", termSafe(r.Said))
			}
		}
	}
	if !found {
		fmt.Fprintln(bw, "\nNo authorization request (client_id and response_type in the URL) in the export: record it from the moment the user starts the sign-in.")
	}
	fmt.Fprintln(bw)
}

// writeNext prints where to look next in the IdP's logs.
func writeNext(w io.Writer, next []string) {
	for i, n := range next {
		if i == 0 {
			fmt.Fprintln(w, "\nWhere to look next:")
		}
		fmt.Fprintf(w, "  %s\n", termSafe(n))
	}
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
		if m.Guess {
			fmt.Fprintf(bw, "%snote:    %s\n", indent, triage.GuessNote)
		}
	}
	if q := ms[0].Question; q != "" {
		fmt.Fprintf(bw, "\nThe text fits %d causes. To tell them apart: %s\n", len(ms), q)
	}
}
