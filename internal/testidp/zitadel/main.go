// Command zitadel-op runs ZITADEL's OpenID provider library (its example
// server's storage and login pages) on loopback, for quickdiag's tests: an
// OpenID provider implementation written by others than panva's.
//
// It registers the desktop client (native, redirect exactly
// http://localhost:18080), a native client registered with another redirect
// URI, and a confidential web client; it listens on 127.0.0.1:0 and prints
// the issuer on its first line of standard output.
package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	issuer := "http://" + l.Addr().String()
	storage.RegisterClients(
		storage.NativeClient("quickdiag-desktop", "http://localhost:18080"),
		storage.NativeClient("wrong-redirect", "http://localhost:18080/callback"),
		storage.WebClient("confidential", "secret", "http://localhost:18080"),
	)
	store := storage.NewStorage(storage.NewUserStore(issuer))
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	router := exampleop.SetupServer(issuer, store, logger, false)
	fmt.Println(issuer)
	if err := http.Serve(l, router); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
