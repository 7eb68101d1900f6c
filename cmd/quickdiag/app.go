package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

// Exit codes, as the contract fixes them.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
	// exitIncomplete: nothing failed, but a check could not finish (the time
	// limit, Ctrl-C, a sign-in nobody completed).
	exitIncomplete = 3
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's build information.
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// stdio is the command's world: where it reads and writes, and how it
// opens a browser.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
	// openBrowser opens a URL in the user's browser; nil means none can be opened.
	openBrowser func(url string) error
}

const usage = `quickdiag finds out why OpenID Connect sign-in into the Amazon Quick desktop app fails.

Usage:
  quickdiag demo    [flags]   try it with the practice IdP built in: no IdP needed
  quickdiag serve   [flags]   open the step-by-step wizard in the browser (this machine only)
  quickdiag check   [flags]   check the five console values; --live also signs in
  quickdiag triage  [TEXT|-]  find the cause and fix of a reported error message
                    --guided  or answer a few questions about what the user sees
  quickdiag analyze kms-policy|subscription|users|saml   check the account side, or SAML for the Q Business web app
  quickdiag doctor  [flags]   check this machine: port 18080, localhost, proxies, TLS, clock, --browser
  quickdiag version           print the version

Run "quickdiag COMMAND -h" for a command's flags.
`

// run runs one command line and returns the exit status.
func run(ctx context.Context, args []string, s stdio) int {
	if len(args) == 0 {
		fmt.Fprint(s.err, usage)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return runCheck(ctx, args[1:], s)
	case "serve":
		return runServe(ctx, args[1:], s)
	case "triage":
		return runTriage(args[1:], s)
	case "analyze":
		return runAnalyze(args[1:], s)
	case "demo":
		return runDemo(ctx, args[1:], s)
	case "doctor":
		return runDoctor(ctx, args[1:], s)
	case "version", "--version":
		fmt.Fprintf(s.out, "quickdiag %s\n", toolVersion())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(s.out, usage)
		return exitOK
	}
	fmt.Fprintf(s.err, "quickdiag: unknown command %q: run \"quickdiag help\" for the commands\n", args[0])
	return exitUsage
}

// usageError is a one-line message about a wrong command line or input.
type usageError struct{ msg string }

// Error returns the message.
func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// isTerminal reports whether the reader or writer is a terminal.
func isTerminal(rw any) bool {
	f, ok := rw.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// printFlags lists a flag set's flags GNU-style (--name value), as the
// contract writes them.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if name != "" {
			head += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%-34s %s\n", head, usage)
	})
}

// durationFlag is a duration flag whose error says what a duration is
// ("3" alone is a common slip): the flag package's own says "parse error".
type durationFlag struct{ d *time.Duration }

// Set parses a flag value.
func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration: give a number with a unit, such as 90s or 5m")
	}
	*f.d = d
	return nil
}

// String returns the value as text.
func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

// durationVar defines a duration flag with durationFlag's errors.
func durationVar(fs *flag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(durationFlag{p}, name, usage)
}

// parseArgs parses a command's arguments as the contract has them: flags
// may come before or after positional arguments, and "--" ends the flags.
// A flag that takes a value and is followed by another flag (or nothing)
// is missing its value: that is the error, and the next argument is never
// taken as the value.
func parseArgs(fs *flag.FlagSet, args []string) error {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // fs.Parse reports it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 >= len(args) || looksLikeFlag(fs, args[i+1]) {
			return usagef("--%s needs a value", name)
		}
		flags = append(flags, args[i+1])
		i++
	}
	return fs.Parse(append(append(flags, "--"), pos...))
}

// looksLikeFlag reports whether an argument is one of the set's flags.
func looksLikeFlag(fs *flag.FlagSet, a string) bool {
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return a == "--"
	}
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return fs.Lookup(name) != nil || name == "h" || name == "help"
}
