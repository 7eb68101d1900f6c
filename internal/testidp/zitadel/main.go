// Command zitadel-op runs ZITADEL's OpenID provider library (its example
// server's storage and login pages) on loopback, for quickdiag's tests: an
// OpenID provider implementation written by others than panva's.
//
// It registers these clients, all with the redirect URI exactly
// http://localhost:18080 unless said otherwise:
//
//	quickdiag-desktop  native; ID tokens carry the user's claims (email)
//	no-claims          native; ID tokens carry no user claims, ZITADEL's default
//	no-refresh         native, without the refresh_token grant
//	wrong-redirect     native, registered with http://localhost:18080/callback
//	confidential       web: the token endpoint demands the client secret
//
// It listens on 127.0.0.1:0 and prints the issuer on its first line of
// standard output. USERS_FILE names a JSON file of users (the example
// storage's format) to replace the example's.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// claimsInIDToken is a client whose ID tokens carry the user's claims
// (ZITADEL's "User Info inside ID Token" setting).
type claimsInIDToken struct{ *storage.Client }

func (claimsInIDToken) IDTokenUserinfoClaimsAssertion() bool { return true }

// noRefresh is a client that may not use the refresh_token grant.
type noRefresh struct{ claimsInIDToken }

func (noRefresh) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }

// store serves the example storage, with the desktop client's ID tokens
// carrying the user's claims.
type store struct{ *storage.Storage }

func (s store) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err == nil && id == "quickdiag-desktop" {
		return claimsInIDToken{c.(*storage.Client)}, nil
	}
	if err == nil && id == "no-refresh" {
		return noRefresh{claimsInIDToken{c.(*storage.Client)}}, nil
	}
	return c, err
}

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	issuer := "http://" + l.Addr().String()
	storage.RegisterClients(
		storage.NativeClient("quickdiag-desktop", "http://localhost:18080"),
		storage.NativeClient("no-claims", "http://localhost:18080"),
		storage.NativeClient("no-refresh", "http://localhost:18080"),
		storage.NativeClient("wrong-redirect", "http://localhost:18080/callback"),
		storage.WebClient("confidential", "secret", "http://localhost:18080"),
	)
	users := storage.NewUserStore(issuer)
	if path := os.Getenv("USERS_FILE"); path != "" {
		if users, err = storage.StoreFromFile(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	router := exampleop.SetupServer(issuer, store{storage.NewStorage(users)}, logger, false)
	fmt.Println(issuer)
	if err := http.Serve(l, router); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
