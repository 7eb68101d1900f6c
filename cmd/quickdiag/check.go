package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/account"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/web"
)

// checkOptions are the parsed flags of "quickdiag check".
type checkOptions struct {
	config checks.Config
	// secretOnCommandLine is true when --client-secret gave the secret itself.
	secretOnCommandLine bool
	usersFile           string
	users               []account.User
	live                bool
	noBrowser           bool
	format              string
	output              string
	timeout             time.Duration
	caFile              string
}

// defaultTimeout bounds a whole check run, the wait for a live sign-in included.
const defaultTimeout = 3 * time.Minute

// parseCheckFlags parses the flags of "quickdiag check". Values from
// --config are overridden by the flags given.
func parseCheckFlags(args []string, stderr io.Writer) (*checkOptions, error) {
	fs := flag.NewFlagSet("quickdiag check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &checkOptions{}
	var flagCfg checks.Config
	vf := addValueFlags(fs)
	fs.StringVar(&flagCfg.ClientSecret, "client-secret", "", "Google only: the OAuth client's secret; - reads one line of standard input, and without the flag QUICKDIAG_CLIENT_SECRET is read (a secret on the command line shows in the process list)")
	fs.StringVar(&flagCfg.Email, "email", "", "the user's email as provisioned in the account (exact, case-sensitive)")
	fs.StringVar(&o.usersFile, "users", "", "the JSON `file` that 'aws quicksight list-users' prints")
	fs.BoolVar(&o.live, "live", false, "after the preflight, sign in exactly as the desktop app does")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "with --live: print the sign-in URL instead of opening a browser")
	fs.StringVar(&o.format, "format", "text", "output format: text, json, or html (the self-contained report)")
	fs.StringVar(&o.output, "output", "", "write the result to `file` instead of standard output")
	durationVar(fs, &o.timeout, "timeout", defaultTimeout, "`duration` bounding the whole run, the wait for the sign-in included")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM `file` of CA certificates to trust besides the system's")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, "Usage: quickdiag check [flags]\n\nChecks the five values pasted into the console's extension access.\n\nExamples:\n  quickdiag check --config values.json\n  quickdiag check --config values.json --live --email alice@example.com\n  QUICKDIAG_CLIENT_SECRET=… quickdiag check --idp google --config google.json --format json\n\nFlags:\n")
			printFlags(stderr, fs)
			return nil, err
		}
		return nil, usagef("%v: run \"quickdiag check -h\" for the flags", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q: values are given with flags, e.g. --issuer URL", fs.Arg(0))
	}
	cfg, set, err := vf.read()
	if err != nil {
		return nil, err
	}
	o.config = cfg
	override := func(name string, dst *string, v string) {
		if set[name] {
			*dst = v
		}
	}
	override("client-secret", &o.config.ClientSecret, flagCfg.ClientSecret)
	o.secretOnCommandLine = set["client-secret"] && flagCfg.ClientSecret != "-"
	override("email", &o.config.Email, flagCfg.Email)
	switch o.format {
	case "text", "json", "html":
	default:
		return nil, usagef("--format %q: use text, json or html", o.format)
	}
	if o.timeout <= 0 {
		return nil, usagef("--timeout must be positive, e.g. 30s or 5m")
	}
	if o.config.Empty() {
		return nil, usagef("no values to check: give --config FILE, or --issuer, --authorization-endpoint, --token-endpoint, --jwks-uri and --client-id")
	}
	if o.usersFile != "" {
		users, err := account.LoadUsers(o.usersFile)
		if err != nil {
			return nil, usagef("read --users: %v", err)
		}
		o.users = users
	}
	if (o.noBrowser || o.usersFile != "") && !o.live {
		return nil, usagef("--no-browser and --users go with --live: add --live to sign in")
	}
	return o, nil
}

func runCheck(ctx context.Context, args []string, s stdio) int {
	o, err := parseCheckFlags(args, s.err)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag check: %v\n", err)
		return exitUsage
	}
	if err := o.readSecret(s); err != nil {
		fmt.Fprintf(s.err, "quickdiag check: %v\n", err)
		return exitUsage
	}
	client, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: o.caFile})
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag check: --ca-file: %v\n", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tell := o.format != "json" || isTerminal(s.err)
	waiting, stopWaiting := progress(s.err, tell, suite.Applicable(o.config), time.Second)
	report := suite.Run(ctx, o.config, suite.Options{
		HTTPClient:     client,
		RequestTimeout: min(oidc.DefaultRequestTimeout, o.timeout),
		ToolVersion:    toolVersion(),
		Progress:       waiting,
	})
	stopWaiting()
	if o.live {
		report = suite.Report(o.config, report, signIn(ctx, o, client, report, s), toolVersion())
	}

	out := s.out
	var file *os.File
	if o.output != "" {
		if file, err = os.Create(o.output); err != nil {
			fmt.Fprintf(s.err, "quickdiag check: --output: %v\n", err)
			return exitUsage
		}
		out = file
	}
	switch o.format {
	case "json":
		err = writeJSON(out, report)
	case "html":
		// Written after Ctrl-C too: the report of what was reached.
		err = web.RenderReport(context.WithoutCancel(ctx), out, report)
	default:
		err = writeText(out, report, useColour(out))
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag check: write result: %v\n", err)
		return exitUsage
	}
	return exitStatus(report)
}

// exitStatus is the contract's exit status of a report.
func exitStatus(r *checks.Report) int {
	switch r.Verdict {
	case checks.VerdictProblems:
		return exitFail
	case checks.VerdictIncomplete:
		return exitIncomplete
	}
	return exitOK
}

// useColour reports whether to colour text written to w: only on a
// terminal, and never when NO_COLOR is set.
func useColour(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	return isTerminal(w) && os.Getenv("TERM") != "dumb"
}

// trimLines indents every line of s but the first.
func trimLines(s, indent string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n"+indent)
}

// signIn runs the live sign-in, telling the person where to sign in on
// standard error.
func signIn(ctx context.Context, o *checkOptions, client *http.Client, pre *checks.Report, s stdio) *checks.SignInResult {
	deadline := ""
	if dl, ok := ctx.Deadline(); ok {
		deadline = " until " + dl.Format("15:04:05") + " (--timeout)"
	}
	fmt.Fprintf(s.err, "Live sign-in: sign in as the user in the browser; quickdiag waits for the redirect to http://localhost:18080%s (Ctrl-C stops).\n", deadline)
	return suite.SignIn(ctx, o.config, suite.SignInOptions{
		HTTPClient:     client,
		RequestTimeout: min(oidc.DefaultRequestTimeout, o.timeout),
		Preflight:      pre,
		Users:          account.Emails(o.users),
		Ready: func(u string) {
			if !o.noBrowser && s.openBrowser != nil {
				if err := s.openBrowser(u); err == nil {
					fmt.Fprintln(s.err, "Opened the browser. If it did not open, use the URL below.")
				}
			}
			fmt.Fprintf(s.err, "Sign in at: %s\n", termSafe(u))
		},
	})
}

// readSecret completes the client secret as the contract has it: "-"
// reads one line of standard input; without --client-secret (nor one in
// --config), QUICKDIAG_CLIENT_SECRET is read. A secret given on the
// command line works, with a warning: other users of the machine see it.
func (o *checkOptions) readSecret(s stdio) error {
	switch {
	case o.config.ClientSecret == "-":
		line, err := bufio.NewReader(io.LimitReader(s.in, 8<<10)).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("--client-secret -: read standard input: %v", err)
		}
		o.config.ClientSecret = strings.TrimRight(line, "\r\n")
		if o.config.ClientSecret == "" {
			return usagef("--client-secret -: standard input held no secret")
		}
	case o.config.ClientSecret == "":
		o.config.ClientSecret = os.Getenv("QUICKDIAG_CLIENT_SECRET")
	case o.secretOnCommandLine:
		fmt.Fprintln(s.err, "quickdiag check: warning: a secret given with --client-secret shows in the process list; use QUICKDIAG_CLIENT_SECRET or --client-secret - (standard input) instead.")
	}
	return nil
}

// progress tells, on w, which checks a run still waits for once it has
// taken longer than after, and again every after; silent when tell is
// false. It returns the Progress callback and a stop function.
func progress(w io.Writer, tell bool, list []*checks.Check, after time.Duration) (func(*checks.Check, []checks.Finding), func()) {
	var mu sync.Mutex
	pending := map[string]bool{}
	for _, c := range list {
		pending[c.ID] = true
	}
	done := func(c *checks.Check, _ []checks.Finding) {
		mu.Lock()
		delete(pending, c.ID)
		mu.Unlock()
	}
	if !tell {
		return done, func() {}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(after)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				mu.Lock()
				ids := slices.Sorted(maps.Keys(pending))
				mu.Unlock()
				if len(ids) > 0 {
					fmt.Fprintf(w, "quickdiag check: %s: still waiting for %s\n", time.Since(start).Round(time.Second), strings.Join(ids, ", "))
				}
			}
		}
	}()
	return done, func() { close(stop); <-finished }
}
