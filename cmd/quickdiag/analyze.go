package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/account"
	"github.com/quickdiag/quickdiag/checks/saml"
)

const analyzeUsage = `Usage:
  quickdiag analyze kms-policy   [--format text|json] FILE [FILE]   the primary key's policy, then a replica's
  quickdiag analyze subscription [--format text|json] [--region REGION] FILE
  quickdiag analyze users        [--format text|json] --quick FILE [--idp FILE]
  quickdiag analyze saml         [--format text|json] --metadata FILE [--response FILE] [--app FILE]
                                 [--entity-id ID] [--acs-url URL] [--email-attribute NAME] [--group-attribute NAME]

FILE is what the AWS CLI prints ("-" for standard input):
  aws kms get-key-policy --key-id … --policy-name default [--query Policy --output text]
  aws quicksight describe-account-subscription --aws-account-id …
  aws quicksight list-users --aws-account-id … --namespace default
The --idp file is a CSV with an email column, or a JSON array of emails or of objects.

saml checks single sign-on to the Q Business web app (SAML, e.g. with Entra ID):
  --metadata  the IdP's metadata: Entra's Federation Metadata XML (Single sign-on → SAML Certificates)
  --response  the SAMLResponse of the failed sign-in: base64 as posted (or SAMLResponse=…), the XML,
              or a HAR (DevTools → Network → Export HAR) or SAML-tracer export that holds it
  --app       aws qbusiness get-web-experience … (samlConfiguration: metadataXML, userIdAttribute,
              userGroupAttribute); the flags --entity-id, --acs-url, --email-attribute and
              --group-attribute override what it says

Examples:
  aws kms get-key-policy --key-id … --policy-name default | quickdiag analyze kms-policy -
  quickdiag analyze users --quick users.json --idp entra-export.csv --format json
  quickdiag analyze saml --metadata "Amazon Q.xml" --response signin.har --app web-experience.json
`

func runAnalyze(args []string, s stdio) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(s.err, analyzeUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	// The analyzer is the first positional argument: flags may come before
	// it (quickdiag analyze --format json saml …) or after.
	what := ""
	fs := flag.NewFlagSet("quickdiag analyze", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text or json")
	region := fs.String("region", "", "subscription: the account's identity region, when known")
	quick := fs.String("quick", "", "users: the `file` that 'aws quicksight list-users' prints")
	idp := fs.String("idp", "", "users: the IdP's users, a CSV or JSON `file`")
	metadata := fs.String("metadata", "", "saml: the IdP's metadata XML `file`")
	response := fs.String("response", "", "saml: the SAMLResponse `file` (base64, XML, HAR or SAML-tracer export)")
	appFile := fs.String("app", "", "saml: the application's identity provider configuration JSON `file`")
	entityID := fs.String("entity-id", "", "saml: the application's entity ID (the Audience expected)")
	acsURL := fs.String("acs-url", "", "saml: the application's ACS URL (the Recipient and Destination expected)")
	emailAttr := fs.String("email-attribute", "", "saml: the attribute the application maps as the user's email")
	groupAttr := fs.String("group-attribute", "", "saml: the attribute the application maps as the user's groups")
	fail := func(err error) int {
		fmt.Fprintf(s.err, "%s: %v\n", strings.TrimSpace("quickdiag analyze "+what), err)
		return exitUsage
	}
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(s.err, analyzeUsage)
			return exitOK
		}
		return fail(err)
	}
	if fs.NArg() == 0 {
		fmt.Fprint(s.err, analyzeUsage)
		return exitUsage
	}
	what = fs.Arg(0)
	pos := fs.Args()[1:]
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
		if len(pos) < 1 || len(pos) > 2 {
			return fail(errors.New("give the key policy file, or the primary's and then a replica's"))
		}
		var ins []account.Input
		for _, name := range pos {
			in, err := read(name)
			if err != nil {
				return fail(err)
			}
			ins = append(ins, in)
		}
		a, err = account.AnalyzeKMSPolicies(ins...)
	case "subscription":
		if len(pos) != 1 {
			return fail(errors.New("give the file that 'aws quicksight describe-account-subscription' prints"))
		}
		in, rerr := read(pos[0])
		if rerr != nil {
			return fail(rerr)
		}
		a, err = account.AnalyzeSubscription(in, *region)
	case "users":
		if *quick == "" || len(pos) > 0 {
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
	case "saml":
		if *metadata == "" || len(pos) > 0 {
			return fail(errors.New("give --metadata FILE (the IdP's Federation Metadata XML), and optionally --response FILE and --app FILE"))
		}
		in := saml.Inputs{EntityID: *entityID, ACSURL: *acsURL, EmailAttribute: *emailAttr, GroupAttribute: *groupAttr}
		var rerr error
		if in.Metadata, rerr = read(*metadata); rerr != nil {
			return fail(rerr)
		}
		for _, f := range []struct {
			name string
			dst  **checks.File
		}{{*response, &in.Response}, {*appFile, &in.App}} {
			if f.name == "" {
				continue
			}
			file, rerr := read(f.name)
			if rerr != nil {
				return fail(rerr)
			}
			*f.dst = &file
		}
		a, err = saml.Analyze(in)
	default:
		fmt.Fprintf(s.err, "quickdiag analyze: unknown analyzer %q: use kms-policy, subscription, users or saml\n", what)
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
