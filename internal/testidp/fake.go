package testidp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/oidc"
)

// Fake is an in-process IdP, for fault tests whose every path can be replaced by a fault.
type Fake struct {
	*httptest.Server
	// Key signs its tokens; the key set publishes it as kid k1.
	Key *rsa.PrivateKey
}

// NewFake starts a TLS IdP serving a discovery document, a key set and a
// login page, with the given paths overridden.
func NewFake(t *testing.T, override map[string]http.HandlerFunc) *Fake {
	t.Helper()
	f := &Fake{}
	f.Key, _ = rsa.GenerateKey(rand.Reader, 2048)
	mux := http.NewServeMux()
	handled := map[string]bool{}
	handle := func(path string, h http.HandlerFunc) {
		if o, ok := override[path]; ok {
			h = o
		}
		handled[path] = true
		mux.HandleFunc(path, h)
	}
	handle("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                           f.URL,
			"authorization_endpoint":           f.URL + "/authorize",
			"token_endpoint":                   f.URL + "/token",
			"jwks_uri":                         f.URL + "/jwks",
			"scopes_supported":                 []string{"openid", "email", "profile", "offline_access"},
			"code_challenge_methods_supported": []string{"S256"},
		})
	})
	handle("/jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.Key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	handle("/authorize", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><form method="post"><input name="login"><input type="password" name="password"></form></body></html>`)
	})
	for path, h := range override {
		if !handled[path] {
			mux.HandleFunc(path, h)
		}
	}
	f.Server = httptest.NewUnstartedServer(mux)
	f.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-CA test makes handshakes fail on purpose
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

// Values returns the five values of the fake, as a generic IdP.
func (f *Fake) Values() checks.Config {
	return checks.Config{
		Issuer: f.URL, AuthorizationEndpoint: f.URL + "/authorize", TokenEndpoint: f.URL + "/token",
		JWKSURI: f.URL + "/jwks", ClientID: "quickdiag-test", IdP: "generic",
	}
}

// ClientTrusting returns an engine client that trusts the test server's CA
// through a --ca-file, as the CLI does.
func ClientTrusting(t *testing.T, s *httptest.Server) *http.Client {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := oidc.NewHTTPClient(oidc.HTTPOptions{CAFile: path})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
