package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// runDoctorCmd runs "quickdiag doctor" with args. The doctor binds port
// 18080 for a moment, so it takes the port's lock.
func runDoctorCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	testidp.LockLoopbackPort(t)
	var out, errOut bytes.Buffer
	code := run(t.Context(), append([]string{"doctor"}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

// doctorIdP is a loopback IdP, its CA written to a PEM file.
func doctorIdP(t *testing.T, skew time.Duration) (*httptest.Server, string) {
	t.Helper()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" || r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			t.Errorf("the doctor sent %s?%s with credentials %q %q: it must send neither query nor credentials", r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Cookie"))
		}
		if skew != 0 {
			w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		}
		w.Write([]byte("{}"))
	}))
	t.Cleanup(s.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600)
	return s, ca
}

type doctorJSON struct {
	Schema      int              `json:"schema"`
	ToolVersion string           `json:"tool_version"`
	StartedAt   string           `json:"started_at"`
	Analyzer    string           `json:"analyzer"`
	Inputs      []string         `json:"inputs"`
	Findings    []checks.Finding `json:"findings"`
	Summary     checks.Summary   `json:"summary"`
}

func decodeDoctor(t *testing.T, out string) doctorJSON {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var d doctorJSON
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("not the analysis JSON: %v\n%s", err, out)
	}
	return d
}

func TestDoctorJSONClean(t *testing.T) {
	idp, ca := doctorIdP(t, 0)
	code, out, errOut := runDoctorCmd(t, "--issuer", idp.URL, "--jwks-uri", idp.URL+"/keys", "--ca-file", ca, "--format", "json")
	d := decodeDoctor(t, out)
	if code != exitOK || d.Schema != 1 || d.Analyzer != "doctor" || d.Summary.Fail != 0 || d.StartedAt == "" || d.ToolVersion == "" {
		t.Fatalf("exit %d, %+v\n%s%s", code, d.Summary, out, errOut)
	}
	if len(d.Inputs) != 2 || d.Inputs[0] != idp.URL {
		t.Errorf("inputs %v", d.Inputs)
	}
	seen := map[string]bool{}
	for _, f := range d.Findings {
		seen[f.Check] = true
		if (f.Status == checks.Warn || f.Status == checks.Fail) && f.Row == "" {
			t.Errorf("a %s without a row: %+v", f.Status, f)
		}
	}
	for _, id := range []string{"doctor.port", "doctor.localhost", "doctor.proxy", "doctor.tls", "doctor.clock", "doctor.browser"} {
		if !seen[id] {
			t.Errorf("no finding of %s", id)
		}
	}
}

func TestDoctorExitFail(t *testing.T) {
	idp, ca := doctorIdP(t, 10*time.Minute)
	code, out, _ := runDoctorCmd(t, "--token-endpoint", idp.URL+"/token?client_secret=GOCSPX-abcdefghij", "--ca-file", ca)
	if code != exitFail || !strings.Contains(out, "[clock_skew]") || !strings.Contains(out, "Clock") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "GOCSPX-abcdefghij") {
		t.Errorf("the client secret shows:\n%s", out)
	} // and the IdP never received it (doctorIdP)
}

func TestDoctorPACFlag(t *testing.T) {
	pac := filepath.Join(t.TempDir(), "proxy.pac")
	os.WriteFile(pac, []byte(`function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:3128"; }`), 0o600)
	code, out, errOut := runDoctorCmd(t, "--pac", "file://"+filepath.ToSlash(pac), "--format", "json")
	d := decodeDoctor(t, out)
	found := false
	for _, f := range d.Findings {
		found = found || f.Check == "doctor.proxy" && f.Row == "proxy_intercepts_loopback"
	}
	if !found || code == exitUsage {
		t.Fatalf("exit %d, no proxy_intercepts_loopback:\n%s%s", code, out, errOut)
	}
}

func TestDoctorConfigFile(t *testing.T) {
	idp, ca := doctorIdP(t, 0)
	cfg := filepath.Join(t.TempDir(), "values.json")
	os.WriteFile(cfg, []byte(`{"issuer":"`+idp.URL+`","client_id":"x"}`), 0o600)
	code, out, _ := runDoctorCmd(t, "--config", cfg, "--ca-file", ca, "--format", "json")
	if d := decodeDoctor(t, out); code != exitOK || len(d.Inputs) != 1 {
		t.Fatalf("exit %d, inputs %v", code, d.Inputs)
	}
}

func TestDoctorUsage(t *testing.T) {
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"--format", "html"}, "--format"},
		{[]string{"--pac", "ftp://x/proxy.pac"}, "--pac"},
		{[]string{"--pac"}, "--pac needs a value"},
		{[]string{"--issuer"}, "--issuer needs a value"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--timeout", "0s"}, "must be positive"},
		{[]string{"--browser-wait", "3"}, "not a duration"},
		{[]string{"--idp", "nope"}, "--idp"},
		{[]string{"--ca-file", "/nonexistent.pem"}, "--ca-file"},
		{[]string{"--config", "/nonexistent.json"}, "--config"},
		{[]string{"--bogus"}, "bogus"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(t.Context(), append([]string{"doctor"}, tt.args...), stdio{out: &out, err: &errOut})
		if code != exitUsage || !strings.Contains(errOut.String(), tt.says) || strings.Count(strings.TrimSpace(errOut.String()), "\n") > 0 {
			t.Errorf("%v: exit %d, %q; want 2 and one line saying %q", tt.args, code, errOut.String(), tt.says)
		}
	}
	var errOut bytes.Buffer
	if code := run(t.Context(), []string{"doctor", "-h"}, stdio{out: &bytes.Buffer{}, err: &errOut}); code != exitOK || !strings.Contains(errOut.String(), "--browser-wait") {
		t.Errorf("-h: exit %d\n%s", code, errOut.String())
	}
}

func TestParseDoctorFlags(t *testing.T) {
	o, err := parseDoctorFlags([]string{"--browser", "--issuer", "https://a.example", "--client-id", "c", "--idp", "okta", "--pac", "http://127.0.0.1/p.pac", "--browser-wait", "5s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !o.browser || o.browserWait != 5*time.Second || o.config.Issuer != "https://a.example" || o.config.ClientID != "c" || o.config.IdP != "okta" || o.pac != "http://127.0.0.1/p.pac" || o.format != "text" {
		t.Errorf("%+v", o)
	}
}

func TestWriteDoctorEscapes(t *testing.T) {
	a := checks.NewAnalysis("doctor")
	a.Add("doctor.tls", checks.Problem(checks.Fail, "tls_untrusted", "issued by \x1b[31mEvil\x1b[0m").WithDetail("CN=\u202etxt.exe"))
	var b bytes.Buffer
	writeDoctor(&b, a, false)
	if strings.ContainsAny(b.String(), "\x1b\u202e") || !strings.Contains(b.String(), `\x1b[31mEvil`) {
		t.Errorf("control characters reach the terminal:\n%q", b.String())
	}
}
