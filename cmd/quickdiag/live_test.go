package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

func TestCheckLiveNoBrowser(t *testing.T) {
	server := testidp.OktaServer("default")
	server.Accounts = map[string]testidp.Account{"alice": {Email: "Alice@Example.com"}}
	idp := testidp.Start(t, testidp.Options{Servers: []testidp.Server{server}})
	browser := testbrowser.Start(t)
	testidp.LockLoopbackPort(t)

	cfg := idp.ServerConfig("default")
	users := writeFile(t, "users.json", `{"UserList": [{"UserName": "alice", "Email": "alice@example.com", "Arn": "arn:aws:quicksight:us-east-1:111122223333:user/default/alice"}], "Status": 200}`)
	cfgJSON, _ := json.Marshal(cfg)
	cfgFile := writeFile(t, "values.json", string(cfgJSON))
	outFile := filepath.Join(t.TempDir(), "result.json")

	errR, errW := io.Pipe()
	var opened []string
	done := make(chan int, 1)
	testidp.Background(t, 90*time.Second, func(ctx context.Context) {
		code := run(ctx, []string{"check", "--live", "--no-browser", "--config", cfgFile, "--ca-file", idp.CAFile,
			"--users", users, "--format", "json", "--output", outFile, "--timeout", "60s"},
			stdio{in: strings.NewReader(""), out: io.Discard, err: errW, openBrowser: func(u string) error { opened = append(opened, u); return nil }})
		errW.Close()
		done <- code
	})
	// Read standard error as a script would: the sign-in URL is alone on its line.
	var stderr strings.Builder
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if u, ok := strings.CutPrefix(sc.Text(), "Sign in at: "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	var u string
	select {
	case u = <-urls:
	case <-time.After(60 * time.Second):
		t.Fatal("no 'Sign in at:' line on standard error")
	}
	if u == "" {
		t.Fatalf("quickdiag ended without a sign-in URL: %s", stderr.String())
	}
	page, err := testbrowser.SignIn(testbrowser.NewTab(t, browser), u, "alice")
	if err != nil {
		t.Fatal(err)
	}
	code := <-done
	if len(opened) != 0 {
		t.Errorf("--no-browser opened a browser: %v", opened)
	}
	if code != exitFail {
		t.Errorf("exit %d, want %d (the email differs in case)", code, exitFail)
	}
	if !strings.Contains(page, "Sign-in failed") || !strings.Contains(page, "letter case") {
		t.Errorf("browser page: %q", page)
	}
	out, _ := os.ReadFile(outFile)
	var doc struct {
		Findings []struct{ Check, Status, Row catalog.ID }
		Token    struct {
			IDToken struct {
				Header map[string]any
				Claims map[string]any
			} `json:"id_token"`
			Refresh struct {
				IDToken struct{ Claims map[string]any } `json:"id_token"`
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var found bool
	for _, f := range doc.Findings {
		if f.Check == "signin.email" && f.Status == "fail" && f.Row == "email_case_mismatch" {
			found = true
		}
	}
	if !found {
		t.Errorf("no email_case_mismatch in %s", out)
	}
	if doc.Token.IDToken.Claims["email"] != "Alice@Example.com" || doc.Token.IDToken.Header["alg"] != "RS256" || doc.Token.Refresh.IDToken.Claims["sub"] != "alice" {
		t.Errorf("decoded tokens: %+v", doc.Token)
	}
	for _, leak := range []string{"eyJ", "code=", "refresh_token\":\"", "access_token\":\""} {
		if strings.Contains(string(out), leak) || strings.Contains(stderr.String(), leak) {
			t.Errorf("%q appears in the output", leak)
		}
	}
}

// TestHungEndpointShortTimeout: a discovery endpoint that never answers,
// with --timeout shorter than the per-request bound, fails the run
// (discovery_unreachable, exit 1); it is not a skip.
func TestHungEndpointShortTimeout(t *testing.T) {
	f := testidp.NewFake(t, map[string]http.HandlerFunc{
		"/.well-known/openid-configuration": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	})
	ca := writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw})))
	c := f.Values()
	code, out, errOut := runCLI(t, "check", "--issuer", c.Issuer, "--authorization-endpoint", c.AuthorizationEndpoint, "--token-endpoint", c.TokenEndpoint,
		"--jwks-uri", c.JWKSURI, "--client-id", c.ClientID, "--ca-file", ca, "--timeout", "2s", "--format", "json")
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr %s\n%s", code, exitFail, errOut, out)
	}
	var doc struct {
		Verdict  string
		Findings []struct{ Check, Status, Row string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var failed bool
	for _, f := range doc.Findings {
		if f.Check == "discovery.fetch" && f.Status == "fail" && f.Row == "discovery_unreachable" {
			failed = true
		}
	}
	if !failed || doc.Verdict != "problems" {
		t.Errorf("verdict %s, findings %+v: want discovery.fetch to fail", doc.Verdict, doc.Findings)
	}
	if strings.Contains(errOut, "still waiting") {
		t.Errorf("--format json to a pipe printed progress: %q", errOut)
	}
	// The text format says what it still waits for.
	_, _, errOut = runCLI(t, "check", "--issuer", c.Issuer, "--authorization-endpoint", c.AuthorizationEndpoint, "--token-endpoint", c.TokenEndpoint,
		"--jwks-uri", c.JWKSURI, "--client-id", c.ClientID, "--ca-file", ca, "--timeout", "2s")
	if !strings.Contains(errOut, "still waiting for") || !strings.Contains(errOut, "discovery.fetch") {
		t.Errorf("no progress on standard error: %q", errOut)
	}
}

// TestLiveInterruptedIsIncomplete: Ctrl-C while waiting for the redirect
// ends the run incomplete (exit 3), and --output still gets the report of
// what was reached.
func TestLiveInterruptedIsIncomplete(t *testing.T) {
	f := testidp.NewFake(t, nil)
	ca := writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw})))
	cfgJSON, _ := json.Marshal(f.Values())
	cfgFile := writeFile(t, "values.json", string(cfgJSON))
	outFile := filepath.Join(t.TempDir(), "report.html")
	testidp.LockLoopbackPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errR, errW := io.Pipe()
	go func() {
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "Sign in at: ") {
				cancel() // the person presses Ctrl-C on the IdP's page
			}
		}
	}()
	code := run(ctx, []string{"check", "--live", "--no-browser", "--config", cfgFile, "--ca-file", ca, "--format", "html", "--output", outFile, "--timeout", "60s"},
		stdio{in: strings.NewReader(""), out: io.Discard, err: errW})
	errW.Close()
	if code != exitIncomplete {
		t.Errorf("exit %d, want %d (incomplete)", code, exitIncomplete)
	}
	page, err := os.ReadFile(outFile)
	if err != nil || !strings.Contains(string(page), "Stopped before the redirect came back") {
		t.Errorf("report not written, or without the stop: %v %.300s", err, page)
	}
}
