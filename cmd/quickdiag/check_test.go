package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/quickdiag/quickdiag/checks"
)

// runCLI runs a command line and returns its exit status and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseCheckFlags(t *testing.T) {
	cfgFile := writeFile(t, "values.json", `{"issuer": "https://a.example", "client_id": "from-file", "idp": "okta", "email": "a@example.com"}`)
	o, err := parseCheckFlags([]string{"--config", cfgFile, "--client-id", "from-flag", "--jwks-uri", "https://a.example/keys", "--format", "json", "--timeout", "45s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := checks.Config{Issuer: "https://a.example", ClientID: "from-flag", JWKSURI: "https://a.example/keys", IdP: "okta", Email: "a@example.com"}
	if diff := cmp.Diff(want, o.config); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if o.format != "json" || o.timeout.String() != "45s" {
		t.Errorf("format %q timeout %s", o.format, o.timeout)
	}
	// --idp overrides the file; values keep their spaces as typed.
	o, err = parseCheckFlags([]string{"--config", cfgFile, "--idp", "entra", "--issuer", " https://b.example "}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.config.IdP != "entra" || o.config.Issuer != " https://b.example " {
		t.Errorf("got idp %q issuer %q", o.config.IdP, o.config.Issuer)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	badJSON := writeFile(t, "bad.json", "{\n  \"issuer\": \"x\",\n  \"client_id\": 12\n}")
	syntax := writeFile(t, "syntax.json", "{\n  \"issuer\": \"x\"\n  \"client_id\": \"y\"\n}")
	unknown := writeFile(t, "unknown.json", `{"issuer": "x", "jwks_url": "y"}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing", []string{"check"}, "no values to check"},
		{"unknown flag", []string{"check", "--isuer", "x"}, "flag provided but not defined: -isuer"},
		{"stray argument", []string{"check", "--issuer", "x", "extra"}, `unexpected argument "extra"`},
		{"bad idp", []string{"check", "--issuer", "x", "--idp", "onelogin"}, `unknown IdP "onelogin"`},
		{"bad format", []string{"check", "--issuer", "x", "--format", "xml"}, `--format "xml"`},
		{"bad timeout", []string{"check", "--issuer", "x", "--timeout", "soon"}, "give a number with a unit, such as 90s"},
		{"missing config", []string{"check", "--config", "/nonexistent/values.json"}, "no such file"},
		{"config type", []string{"check", "--config", badJSON}, `field "client_id" must be a string`},
		{"config syntax", []string{"check", "--config", syntax}, "line 3"},
		{"config unknown key", []string{"check", "--config", unknown}, `unknown key "jwks_url"`},
		{"bad ca file", []string{"check", "--issuer", "x", "--ca-file", "/nonexistent/ca.pem"}, "--ca-file"},
		{"unknown command", []string{"chek"}, `unknown command "chek"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout: %q", out)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q: want one line containing %q", errOut, tt.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	if code, _, errOut := runCLI(t, "check", "-h"); code != exitOK || !strings.Contains(errOut, "--authorization-endpoint") {
		t.Errorf("check -h: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "version"); code != exitOK || !strings.HasPrefix(out, "quickdiag ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

// idpServer is a minimal TLS IdP for the CLI tests, and a CA file trusting it.
func idpServer(t *testing.T, jwks string) (*httptest.Server, string) {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"jwks_uri":%q}`,
			srv.URL, srv.URL+"/authorize", srv.URL+"/token", srv.URL+"/jwks")
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, jwks) })
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<form><input type=password></form>") })
	srv = httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	ca := writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	return srv, ca
}

const rsaJWKS = `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","e":"AQAB","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw"}]}`

func TestCheckJSONContract(t *testing.T) {
	srv, ca := idpServer(t, rsaJWKS)
	code, out, errOut := runCLI(t, "check", "--format", "json", "--ca-file", ca, "--timeout", "20s",
		"--issuer", srv.URL, "--authorization-endpoint", srv.URL+"/authorize", "--token-endpoint", srv.URL+"/token",
		"--jwks-uri", srv.URL+"/jwks", "--client-id", "quickdiag-cli", "--client-secret", "s3cret-value-123")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q, stdout %s", code, errOut, out)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, key := range []string{"schema", "tool_version", "started_at", "duration_ms", "idp", "config", "findings", "summary"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("missing %q", key)
		}
	}
	if doc["schema"] != 1.0 || doc["idp"] != "generic" {
		t.Errorf("schema %v idp %v", doc["schema"], doc["idp"])
	}
	if _, ok := doc["token"]; ok {
		t.Error("token present without a live sign-in")
	}
	cfg := doc["config"].(map[string]any)
	if cfg["client_secret"] != "(redacted)" || cfg["issuer"] != srv.URL {
		t.Errorf("config = %v", cfg)
	}
	if strings.Contains(out, "s3cret-value-123") {
		t.Error("the client secret appears in the output")
	}
	summary := doc["summary"].(map[string]any)
	findings := doc["findings"].([]any)
	total := 0.0
	for _, k := range []string{"pass", "warn", "fail", "skip"} {
		total += summary[k].(float64)
	}
	if int(total) != len(findings) || len(findings) == 0 {
		t.Errorf("summary %v for %d findings", summary, len(findings))
	}
	for _, f := range findings {
		m := f.(map[string]any)
		if m["status"] == "warn" || m["status"] == "fail" {
			if m["row"] == nil || m["row"] == "" {
				t.Errorf("warn/fail without row: %v", m)
			}
		}
		if m["check"] == nil || m["title"] == nil {
			t.Errorf("finding without check or title: %v", m)
		}
	}
}

func TestCheckTextAndExitStatus(t *testing.T) {
	srv, ca := idpServer(t, `{"keys": []}`)
	outFile := filepath.Join(t.TempDir(), "result.txt")
	code, out, errOut := runCLI(t, "check", "--ca-file", ca, "--output", outFile,
		"--issuer", srv.URL+"/", "--authorization-endpoint", srv.URL+"/authorize", "--token-endpoint", srv.URL+"/token",
		"--jwks-uri", srv.URL+"/jwks", "--client-id", "quickdiag-cli")
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr %q", code, exitFail, errOut)
	}
	if out != "" {
		t.Errorf("stdout with --output: %q", out)
	}
	text, _ := os.ReadFile(outFile)
	for _, want := range []string{"Discovery document", "✗ FAIL", "[token_validation_failure]", "expected: " + srv.URL, "got:      " + srv.URL + "/", "fix:", "[jwks_mismatch]", "Summary:",
		"checks failed: fix them before creating the extension access — it cannot be edited later.\n"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(string(text), "\x1b[") {
		t.Error("colour codes in a file")
	}
}

func TestColour(t *testing.T) {
	if useColour(&bytes.Buffer{}) {
		t.Error("colour for a buffer")
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no terminal to test with")
	}
	defer tty.Close()
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "")
	if useColour(tty) {
		t.Error("colour despite NO_COLOR set (even empty)")
	}
}

func TestCheckHTMLReport(t *testing.T) {
	srv, ca := idpServer(t, rsaJWKS)
	const secret = "s3cret-value-123456"
	code, out, errOut := runCLI(t, "check", "--format", "html", "--ca-file", ca,
		"--issuer", srv.URL+"/", "--authorization-endpoint", srv.URL+"/authorize", "--token-endpoint", srv.URL+"/token?client_secret="+secret,
		"--jwks-uri", srv.URL+"/jwks", "--client-id", "quickdiag-cli")
	if code != exitFail {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(strings.ToLower(out), "<!doctype html>") {
		t.Error("the report is not an HTML document")
	}
	for _, want := range []string{"<style>", `data-status="fail"`, "token_validation_failure", "Values checked", "client_secret=%28redacted%29"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, bad := range []string{secret, "<script", `href="http`, `src="http`} {
		if strings.Contains(out, bad) {
			t.Errorf("the report contains %q", bad)
		}
	}
}

// TestFlagsAnywhere: flags come before or after positional arguments, "--"
// ends them, and a flag missing its value never takes the next argument.
func TestFlagsAnywhere(t *testing.T) {
	code, out, _ := runCLI(t, "triage", "User not found", "--format", "json")
	if code != exitOK || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("triage TEXT --format json: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "triage", "--", "--format is part of this message")
	if code != exitOK || strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("-- does not end the flags: exit %d, %q", code, out)
	}
	code, _, errOut := runCLI(t, "check", "--issuer", "--client-secret", "S3CRET-VALUE")
	if code != exitUsage || !strings.Contains(errOut, "--issuer needs a value") || strings.Contains(errOut, "S3CRET-VALUE") {
		t.Errorf("a flag missing its value: exit %d, %q", code, errOut)
	}
}

// TestClientSecretSources: the secret from standard input ("-") or from
// QUICKDIAG_CLIENT_SECRET; on the command line it works, with a warning.
func TestClientSecretSources(t *testing.T) {
	// Loopback values (port 1 refuses): nothing leaves this machine.
	args := []string{"check", "--idp", "google", "--issuer", "https://127.0.0.1:1", "--authorization-endpoint", "https://127.0.0.1:1/auth",
		"--token-endpoint", "https://127.0.0.1:1/token", "--jwks-uri", "https://127.0.0.1:1/certs", "--client-id", "1-a.apps.googleusercontent.com",
		"--timeout", "2s", "--format", "json"}
	run1 := func(in string, extra ...string) (string, string) {
		var out, errOut bytes.Buffer
		run(context.Background(), append(append([]string(nil), args...), extra...), stdio{in: strings.NewReader(in), out: &out, err: &errOut})
		return out.String(), errOut.String()
	}
	_, errOut := run1("", "--client-secret", "GOCSPX-fromtheflag123")
	if !strings.Contains(errOut, "process list") {
		t.Errorf("no warning for a secret on the command line: %q", errOut)
	}
	out, errOut := run1("GOCSPX-fromstdin12345\n", "--client-secret", "-")
	if strings.Contains(errOut, "process list") || !strings.Contains(out, `"client_secret": "(redacted)"`) || strings.Contains(out, "fromstdin") {
		t.Errorf("--client-secret -: stderr %q, config %q", errOut, out)
	}
	t.Setenv("QUICKDIAG_CLIENT_SECRET", "GOCSPX-fromtheenv12345")
	out, errOut = run1("")
	if strings.Contains(errOut, "process list") || !strings.Contains(out, `"client_secret": "(redacted)"`) || strings.Contains(out, "fromtheenv") {
		t.Errorf("QUICKDIAG_CLIENT_SECRET: stderr %q, config %q", errOut, out)
	}
}
