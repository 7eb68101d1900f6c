package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/handlers"
)

// serveOptions are the parsed flags of "quickdiag serve".
type serveOptions struct {
	addr      string
	noBrowser bool
	caFile    string
	timeout   time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (*serveOptions, error) {
	fs := flag.NewFlagSet("quickdiag serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &serveOptions{}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "loopback `address` to listen on (port 0: a free port)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the wizard's URL without opening a browser")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM `file` of CA certificates to trust besides the system's")
	durationVar(fs, &o.timeout, "timeout", defaultTimeout, "`duration` bounding a preflight and the wait for a sign-in")
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, "Usage: quickdiag serve [flags]\n\nOpens the step-by-step wizard in the browser, on this machine only.\n\nExamples:\n  quickdiag serve\n  quickdiag serve --addr 127.0.0.1:8765 --no-browser\n\nFlags:\n")
			printFlags(stderr, fs)
			return nil, err
		}
		return nil, usagef("%v: run \"quickdiag serve -h\" for the flags", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return nil, usagef("--addr %q: give host:port, e.g. 127.0.0.1:8080", o.addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, usagef("--addr %q: the wizard listens on loopback only (127.0.0.1, ::1 or localhost)", o.addr)
	}
	if o.timeout <= 0 {
		return nil, usagef("--timeout must be positive, e.g. 5m")
	}
	return o, nil
}

func runServe(ctx context.Context, args []string, s stdio) int {
	o, err := parseServeFlags(args, s.err)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag serve: %v\n", err)
		return exitUsage
	}
	return serveWizard(ctx, s, o, "serve", "")
}

// serveWizard serves the wizard until ctx ends, opening the browser at
// path (the wizard's first page when empty); cmd names the command in
// messages.
func serveWizard(ctx context.Context, s stdio, o *serveOptions, cmd, path string) int {
	client, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: o.caFile})
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag %s: --ca-file: %v\n", cmd, err)
		return exitUsage
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(s.err, "quickdiag %s: listen on %s: %v (choose another port with --addr)\n", cmd, o.addr, unwrapOp(err))
		return exitUsage
	}
	url, hosts := addresses(l.Addr().(*net.TCPAddr))
	url += strings.TrimPrefix(path, "/")
	var roots []*x509.Certificate
	if o.caFile != "" {
		if roots, err = readCAFile(o.caFile); err != nil {
			fmt.Fprintf(s.err, "quickdiag %s: --ca-file: %v\n", cmd, err)
			return exitUsage
		}
	}
	engine := &suite.Engine{HTTPClient: client, ToolVersion: toolVersion()}
	wizard := handlers.New(handlers.Options{Hosts: hosts, Version: toolVersion(), Engine: engine, Timeout: o.timeout, ExtraRoots: roots})
	defer wizard.Close() // a sign-in still waiting releases port 18080
	srv := newServer(wizard)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	fmt.Fprintf(s.out, "quickdiag wizard: %s\n", url)
	if !o.noBrowser && s.openBrowser != nil {
		if err := s.openBrowser(url); err != nil {
			fmt.Fprintf(s.err, "Could not open a browser (%v): open the URL above.\n", err)
		}
	}
	fmt.Fprintln(s.err, "Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(s.err, "quickdiag %s: %v\n", cmd, err)
		return exitFail
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	fmt.Fprintln(s.err, "Stopped.")
	return exitOK
}

// timeouts bound how long the wizard's server waits on a client: for its
// headers, for a request's body (bodies are small forms; a slow one is
// dropped) and between requests on a kept-alive connection. There is no
// write timeout: the preflight's results stream as server-sent events.
var timeouts = struct{ header, read, idle time.Duration }{10 * time.Second, 30 * time.Second, 60 * time.Second}

// newServer returns the wizard's HTTP server.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: timeouts.header,
		ReadTimeout:       timeouts.read,
		IdleTimeout:       timeouts.idle,
		MaxHeaderBytes:    64 << 10,
	}
}

// addresses returns the wizard's URL and the Host values it answers to.
func addresses(a *net.TCPAddr) (string, []string) {
	port := strconv.Itoa(a.Port)
	own := net.JoinHostPort(a.IP.String(), port)
	hosts := []string{own, "localhost:" + port}
	return "http://" + own + "/", hosts
}

// unwrapOp drops the "listen tcp …:" prefix of a listen error.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
