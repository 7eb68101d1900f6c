// Command quickdiag finds out why an enterprise's OpenID Connect sign-in
// into the Amazon Quick desktop app fails, and says what to change.
//
// Usage:
//
//	quickdiag check   [flags]   check the five console values (and sign in with --live)
//	quickdiag version
//
// Run "quickdiag help" for the commands and "quickdiag check -h" for flags.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cli/browser"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	browser.Stdout, browser.Stderr = io.Discard, io.Discard // the launcher's chatter is not ours to print
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, openBrowser: browser.OpenURL})
	stop()
	os.Exit(code)
}
