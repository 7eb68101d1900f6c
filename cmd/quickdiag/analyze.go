package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/quickdiag/quickdiag/checks/account"
)

const analyzeUsage = `Usage:
  quickdiag analyze kms-policy   [--format text|json] FILE [FILE]   the primary key's policy, then a replica's
  quickdiag analyze subscription [--format text|json] [--region REGION] FILE
  quickdiag analyze users        [--format text|json] --quick FILE [--idp FILE]

FILE is what the AWS CLI prints ("-" for standard input):
  aws kms get-key-policy --key-id … --policy-name default [--query Policy --output text]
  aws quicksight describe-account-subscription --aws-account-id …
  aws quicksight list-users --aws-account-id … --namespace default
The --idp file is a CSV with an email column, or a JSON array of emails or of objects.

Examples:
  aws kms get-key-policy --key-id … --policy-name default | quickdiag analyze kms-policy -
  quickdiag analyze users --quick users.json --idp entra-export.csv --format json
`

func runAnalyze(args []string, s stdio) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(s.err, analyzeUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	what := args[0]
	fs := flag.NewFlagSet("quickdiag analyze "+what, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text or json")
	region := fs.String("region", "", "subscription: the account's identity region, when known")
	quick := fs.String("quick", "", "users: the `file` that 'aws quicksight list-users' prints")
	idp := fs.String("idp", "", "users: the IdP's users, a CSV or JSON `file`")
	fail := func(err error) int {
		fmt.Fprintf(s.err, "quickdiag analyze %s: %v\n", what, err)
		return exitUsage
	}
	if err := parseArgs(fs, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(s.err, analyzeUsage)
			return exitOK
		}
		return fail(err)
	}
	if *format != "text" && *format != "json" {
		return fail(fmt.Errorf("--format %q: use text or json", *format))
	}
	read := func(name string) (account.Input, error) {
		var r io.Reader
		if name == "-" {
			r = s.in
		} else {
			f, err := os.Open(name)
			if err != nil {
				return account.Input{}, err
			}
			defer f.Close()
			r = f
		}
		data, err := io.ReadAll(io.LimitReader(r, account.MaxInput+1))
		if err != nil {
			return account.Input{}, fmt.Errorf("read %s: %v", name, err)
		}
		if len(data) > account.MaxInput {
			return account.Input{}, fmt.Errorf("%s is larger than %d MiB", name, account.MaxInput>>20)
		}
		return account.Input{Name: name, Data: data}, nil
	}
	var a *account.Analysis
	var err error
	switch what {
	case "kms-policy":
		if fs.NArg() < 1 || fs.NArg() > 2 {
			return fail(errors.New("give the key policy file, or the primary's and then a replica's"))
		}
		var ins []account.Input
		for _, name := range fs.Args() {
			in, err := read(name)
			if err != nil {
				return fail(err)
			}
			ins = append(ins, in)
		}
		a, err = account.AnalyzeKMSPolicies(ins...)
	case "subscription":
		if fs.NArg() != 1 {
			return fail(errors.New("give the file that 'aws quicksight describe-account-subscription' prints"))
		}
		in, rerr := read(fs.Arg(0))
		if rerr != nil {
			return fail(rerr)
		}
		a, err = account.AnalyzeSubscription(in, *region)
	case "users":
		if *quick == "" || fs.NArg() > 0 {
			return fail(errors.New("give --quick FILE (the list-users output), and optionally --idp FILE"))
		}
		q, rerr := read(*quick)
		if rerr != nil {
			return fail(rerr)
		}
		var idpIn *account.Input
		if *idp != "" {
			in, rerr := read(*idp)
			if rerr != nil {
				return fail(rerr)
			}
			idpIn = &in
		}
		a, err = account.AnalyzeUsers(q, idpIn)
	default:
		fmt.Fprintf(s.err, "quickdiag analyze: unknown analyzer %q: use kms-policy, subscription or users\n", what)
		return exitUsage
	}
	if err != nil {
		return fail(err)
	}
	a.ToolVersion = toolVersion()
	if *format == "json" {
		writeJSON(s.out, a)
	} else {
		writeAnalysis(s.out, a, useColour(s.out))
	}
	if a.Failed() {
		return exitFail
	}
	return exitOK
}
