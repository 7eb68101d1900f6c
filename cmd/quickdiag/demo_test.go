package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/demo"
)

// TestDemoList: demo --list --format json lists every scenario with its
// row, and every IdP-side row of the catalog that a provider can show has
// one.
func TestDemoList(t *testing.T) {
	code, out, _ := runCLI(t, "demo", "--list", "--format", "json")
	var doc struct {
		Scenarios []struct{ Name, IdP, Row, Title string }
	}
	if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Scenarios) != len(demo.All()) {
		t.Fatalf("exit %d: %.300s", code, out)
	}
	has := map[string]bool{}
	for _, s := range doc.Scenarios {
		has[s.Row] = true
	}
	for _, r := range catalog.Rows() {
		if r.FoundBy == catalog.Check && (r.Group == catalog.GroupSignIn || r.Group == catalog.GroupToken) && !has[string(r.ID)] && !notOnLoopback[r.ID] {
			t.Errorf("IdP-side row %s has no scenario", r.ID)
		}
	}
	if code, out, _ := runCLI(t, "demo", "--list"); code != exitOK || !strings.Contains(out, "okta-good") {
		t.Errorf("text list: %d %.200s", code, out)
	}
	if code, _, errOut := runCLI(t, "demo", "idp", "--scenario", "no-such"); code != exitUsage || !strings.Contains(errOut, "demo --list") {
		t.Errorf("unknown scenario: %d %q", code, errOut)
	}
}

// notOnLoopback are IdP-side rows no provider on loopback can show: they
// live in host names, or on this machine rather than the IdP (quickdiag
// doctor's).
var notOnLoopback = map[catalog.ID]bool{catalog.OktaAdminHost: true, catalog.LookalikeHost: true, catalog.LoopbackUnavailable: true}

// TestDemoIdP: demo idp prints the scenario's values as one JSON line and
// serves them; the preflight of those values finds the scenario's row.
func TestDemoIdP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "idp", "--scenario", "okta-org-jwks", "--port", "0"}, stdio{in: strings.NewReader(""), out: pw, err: io.Discard})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Scenario, Issuer, JWKSURI, ClientID string
		AuthorizationEndpoint               string `json:"authorization_endpoint"`
		TokenEndpoint                       string `json:"token_endpoint"`
		JWKS                                string `json:"jwks_uri"`
		ClientIDJSON                        string `json:"client_id"`
		Users                               []demo.User
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil || v.Scenario != "okta-org-jwks" || len(v.Users) == 0 {
		t.Fatalf("%v: %s", err, line)
	}
	cfg := checks.Config{Issuer: v.Issuer, AuthorizationEndpoint: v.AuthorizationEndpoint, TokenEndpoint: v.TokenEndpoint, JWKSURI: v.JWKS, ClientID: v.ClientIDJSON, IdP: "okta"}
	code, out, _ := runCLI(t, "check", "--format", "json", "--issuer", cfg.Issuer, "--authorization-endpoint", cfg.AuthorizationEndpoint,
		"--token-endpoint", cfg.TokenEndpoint, "--jwks-uri", cfg.JWKSURI, "--client-id", cfg.ClientID, "--idp", "okta")
	if code != exitFail || !strings.Contains(out, `"jwks_mismatch"`) {
		t.Errorf("check of the practice values: exit %d %.400s", code, out)
	}
	cancel()
	select {
	case c := <-done:
		if c != exitOK {
			t.Errorf("demo idp exit %d", c)
		}
	case <-time.After(5 * time.Second):
		t.Error("demo idp did not stop")
	}
}

// TestDemoScenario: demo --scenario opens the wizard on the picker with
// that scenario offered first; an unknown name is a usage error; the
// picker groups by symptom on request.
func TestDemoScenario(t *testing.T) {
	if code, _, errOut := runCLI(t, "demo", "--no-browser", "--scenario", "no-such"); code != exitUsage || !strings.Contains(errOut, `no scenario "no-such"`) {
		t.Errorf("unknown scenario: exit %d, %q", code, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u, done := startServe(t, ctx, []string{"demo", "--scenario", "entra-no-email", "--no-browser"}, nil)
	if !strings.HasSuffix(u, "/demo?scenario=entra-no-email") {
		t.Errorf("URL %s", u)
	}
	get := func(u string) string {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if page := get(u); !strings.Contains(page, `data-testid="chosen" data-name="entra-no-email"`) || !strings.Contains(page, "Start this scenario") {
		t.Errorf("the chosen scenario is not offered first:\n%.2000s", page)
	}
	base, _, _ := strings.Cut(u, "?")
	page := get(base + "?by=symptom")
	if !strings.Contains(page, "Nothing wrong: a good configuration") || !strings.Contains(page, `data-idp="email_case_mismatch"`) || strings.Contains(page, `data-testid="chosen"`) {
		t.Errorf("by symptom:\n%.2000s", page)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d", code)
	}
}
