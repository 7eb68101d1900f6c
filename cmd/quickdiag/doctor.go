package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/doctor"
)

// doctorOptions are the parsed flags of "quickdiag doctor".
type doctorOptions struct {
	config      checks.Config
	browser     bool
	browserWait time.Duration
	pac         string
	format      string
	timeout     time.Duration
	caFile      string
}

const doctorHelp = `Usage: quickdiag doctor [flags]

Checks this machine the way the desktop app will meet it: port 18080, what
localhost resolves to, proxies (environment, system settings, PAC), the TLS
chain each IdP endpoint presents, the clock against the IdP; --browser also
sends the default browser to a test page on http://localhost:18080.

Examples:
  quickdiag doctor
  quickdiag doctor --config values.json --browser
  quickdiag doctor --issuer https://example.okta.com/oauth2/default --pac http://wpad.corp.example/proxy.pac --format json

Flags:
`

// parseDoctorFlags parses the flags of "quickdiag doctor": the value flags
// of check, and the doctor's own.
func parseDoctorFlags(args []string, stderr io.Writer) (*doctorOptions, error) {
	fs := flag.NewFlagSet("quickdiag doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &doctorOptions{}
	fs.BoolVar(&o.browser, "browser", false, "also send the default browser to a test page on http://localhost:18080 and report what arrives")
	durationVar(fs, &o.browserWait, "browser-wait", doctor.DefaultBrowserWait, "`duration` to wait for the browser to arrive")
	fs.StringVar(&o.pac, "pac", "", "use the PAC script at `URL` (http://, https:// or file://) instead of the system's; QUICKDIAG_PAC_URL without the flag")
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	vf := addValueFlags(fs)
	durationVar(fs, &o.timeout, "timeout", defaultTimeout, "`duration` bounding the whole run, the browser test included")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM `file` of CA certificates to trust besides the system's")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, doctorHelp)
			printFlags(stderr, fs)
			return nil, err
		}
		return nil, usagef("%v: run \"quickdiag doctor -h\" for the flags", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q: values are given with flags, e.g. --issuer URL", fs.Arg(0))
	}
	cfg, _, err := vf.read()
	if err != nil {
		return nil, err
	}
	o.config = cfg
	if o.format != "text" && o.format != "json" {
		return nil, usagef("--format %q: use text or json", o.format)
	}
	if o.timeout <= 0 || o.browserWait <= 0 {
		return nil, usagef("--timeout and --browser-wait must be positive, e.g. 30s or 5m")
	}
	if o.pac != "" {
		if u, err := url.Parse(o.pac); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") {
			return nil, usagef("--pac %q: give an http://, https:// or file:// URL of the PAC script", o.pac)
		}
	}
	return o, nil
}

// readCAFile reads the PEM certificates of --ca-file.
func readCAFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return out, nil
}

func runDoctor(ctx context.Context, args []string, s stdio) int {
	o, err := parseDoctorFlags(args, s.err)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag doctor: %v\n", err)
		return exitUsage
	}
	var extra []*x509.Certificate
	if o.caFile != "" {
		if extra, err = readCAFile(o.caFile); err != nil {
			fmt.Fprintf(s.err, "quickdiag doctor: --ca-file: %v\n", err)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	open := func(u string) error {
		fmt.Fprintf(s.err, "Browser test: opening %s (waiting up to %s).\n", termSafe(u), o.browserWait)
		if s.openBrowser == nil {
			return errors.New("no browser can be opened here")
		}
		return s.openBrowser(u)
	}
	a := doctor.Run(ctx, doctor.Options{
		Config:         o.config,
		PACURL:         o.pac,
		Browser:        o.browser,
		BrowserWait:    o.browserWait,
		OpenBrowser:    open,
		ExtraRoots:     extra,
		RequestTimeout: min(doctor.DefaultRequestTimeout, o.timeout),
		ToolVersion:    toolVersion(),
	})
	if o.format == "json" {
		err = writeJSON(s.out, a)
	} else {
		err = writeDoctor(s.out, a, useColour(s.out))
	}
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag doctor: write result: %v\n", err)
		return exitUsage
	}
	return analysisStatus(a)
}

// analysisStatus is the contract's exit status of an analysis: 1 for a
// failure, 3 for a check that could not finish, else 0.
func analysisStatus(a *checks.Analysis) int {
	if a.Failed() {
		return exitFail
	}
	for _, f := range a.Findings {
		if f.Incomplete {
			return exitIncomplete
		}
	}
	return exitOK
}

// writeDoctor writes the doctor's findings for a person, under each
// check's title; text from the network is made terminal-safe.
func writeDoctor(w io.Writer, a *checks.Analysis, colour bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !colour {
			return s
		}
		return code + s + ansiReset
	}
	fmt.Fprintf(bw, "%s: this machine, as the desktop app meets it\n", paint(ansiBold, "quickdiag doctor"))
	for _, c := range doctor.Checks {
		first := true
		for _, f := range a.Findings {
			if f.Check != c.ID {
				continue
			}
			if first {
				fmt.Fprintf(bw, "\n%s\n", paint(ansiBold, c.Title))
				first = false
			}
			writeFinding(bw, f, paint)
		}
	}
	fmt.Fprintf(bw, "\n%s %s\n", paint(ansiBold, "Summary:"), countLine(a.Summary))
	return bw.Flush()
}
