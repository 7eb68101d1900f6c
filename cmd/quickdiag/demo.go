package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"text/tabwriter"

	"github.com/quickdiag/quickdiag/checks/demo"
)

const demoUsage = `Usage: quickdiag demo [--scenario NAME] [--addr ADDR] [--no-browser]
       quickdiag demo --list [--format text|json]
       quickdiag demo idp --scenario NAME [--port P]

Opens the wizard with the practice IdP: a real OpenID provider on this
machine, in the URL shapes of each IdP, each scenario one failure as that
IdP shows it (or a good configuration). Choose one and walk the whole flow,
the sign-in included; practice mode hides one for training.

"demo idp" starts only the provider of one scenario and prints its values
as one JSON line, for scripts; it serves until stopped.

Examples:
  quickdiag demo
  quickdiag demo --scenario entra-no-email
  quickdiag demo --list --format json
  quickdiag demo idp --scenario entra-no-email --port 0
`

func runDemo(ctx context.Context, args []string, s stdio) int {
	if len(args) > 0 && args[0] == "idp" {
		return runDemoIdP(ctx, args[1:], s)
	}
	fs := flag.NewFlagSet("quickdiag demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	list := fs.Bool("list", false, "list the scenarios")
	scenario := fs.String("scenario", "", "open the wizard with this scenario `name` ready to start (quickdiag demo --list)")
	format := fs.String("format", "text", "with --list: text or json")
	o := &serveOptions{timeout: defaultTimeout}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "loopback `address` the wizard listens on (port 0: a free port)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the wizard's URL without opening a browser")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(s.err, demoUsage+"\nFlags:\n")
			printFlags(s.err, fs)
			return exitOK
		}
		fmt.Fprintf(s.err, "quickdiag demo: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.err, "quickdiag demo: unexpected argument %q (the practice provider alone is \"quickdiag demo idp\")\n", fs.Arg(0))
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(s.err, "quickdiag demo: --format %q: use text or json\n", *format)
		return exitUsage
	}
	if *list {
		writeScenarios(s.out, *format)
		return exitOK
	}
	if host, _, err := net.SplitHostPort(o.addr); err != nil || !isLoopbackHost(host) {
		fmt.Fprintf(s.err, "quickdiag demo: --addr %q: the wizard listens on loopback only (127.0.0.1, ::1 or localhost)\n", o.addr)
		return exitUsage
	}
	path := "/demo"
	if *scenario != "" {
		if _, ok := demo.Lookup(*scenario); !ok {
			fmt.Fprintf(s.err, "quickdiag demo: no scenario %q: run \"quickdiag demo --list\"\n", *scenario)
			return exitUsage
		}
		path += "?scenario=" + url.QueryEscape(*scenario)
	}
	return serveWizard(ctx, s, o, "demo", path)
}

func isLoopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return h == "localhost" || ip != nil && ip.IsLoopback()
}

// writeScenarios lists the scenarios: {"scenarios": [{name, idp, row, title}]}.
func writeScenarios(w io.Writer, format string) {
	type entry struct {
		Name  string `json:"name"`
		IdP   string `json:"idp"`
		Row   string `json:"row"`
		Title string `json:"title"`
	}
	var out []entry
	for _, sc := range demo.All() {
		out = append(out, entry{sc.Name, sc.IdP, string(sc.Row), sc.Title})
	}
	if format == "json" {
		writeJSON(w, map[string]any{"scenarios": out})
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tIDP\tROW\tTITLE")
	for _, e := range out {
		row := e.Row
		if row == "" {
			row = "(none)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.IdP, row, e.Title)
	}
	tw.Flush()
}

// runDemoIdP starts one scenario's provider and prints its values.
func runDemoIdP(ctx context.Context, args []string, s stdio) int {
	fs := flag.NewFlagSet("quickdiag demo idp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("scenario", "okta-good", "the scenario `name` (quickdiag demo --list)")
	port := fs.Int("port", 0, "the `port` to listen on, on 127.0.0.1 (0: a free port)")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(s.err, demoUsage+"\nFlags:\n")
			printFlags(s.err, fs)
			return exitOK
		}
		fmt.Fprintf(s.err, "quickdiag demo idp: %v\n", err)
		return exitUsage
	}
	sc, ok := demo.Lookup(*name)
	if !ok {
		fmt.Fprintf(s.err, "quickdiag demo idp: no scenario %q: run \"quickdiag demo --list\"\n", *name)
		return exitUsage
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(s.err, "quickdiag demo idp: --port %d: give 0 to 65535\n", *port)
		return exitUsage
	}
	p, err := demo.Start(sc, net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag demo idp: %v\n", unwrapOp(err))
		return exitUsage
	}
	defer p.Close()
	c := p.Values()
	line := map[string]any{"scenario": sc.Name, "issuer": c.Issuer, "authorization_endpoint": c.AuthorizationEndpoint,
		"token_endpoint": c.TokenEndpoint, "jwks_uri": c.JWKSURI, "client_id": c.ClientID,
		"userinfo_endpoint": p.UserinfoEndpoint(), "discovery_url": p.DiscoveryURL(), "users": demo.Users}
	if secret := p.ClientSecret(); secret != "" {
		line["client_secret"] = secret
	}
	writeJSONLine(s.out, line)
	fmt.Fprintln(s.err, "Practice IdP serving; press Ctrl-C to stop.")
	<-ctx.Done()
	return exitOK
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
