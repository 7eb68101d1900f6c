package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
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
