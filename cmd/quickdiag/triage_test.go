package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/triage"
)

func TestTriageCommand(t *testing.T) {
	code, out, _ := runCLI(t, "triage", "AADSTS50011:", "The", "redirect", "URI")
	if code != exitOK || !strings.HasPrefix(out, "1. redirect_mismatch — ") || !strings.Contains(out, "fix:") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	// Standard input, JSON, an ambiguous message.
	var stdout, stderr bytes.Buffer
	code = run(context.Background(), []string{"triage", "--format", "json", "-"}, stdio{in: strings.NewReader("Sign-in failed:\nUser not found\n"), out: &stdout, err: &stderr})
	var doc struct {
		Matches []struct {
			Row, Title, Cause, Fix, Matched, Context, Question string
			Score                                              float64
		}
	}
	if code != exitOK || json.Unmarshal(stdout.Bytes(), &doc) != nil || len(doc.Matches) != 3 || doc.Matches[0].Question == "" || doc.Matches[0].Matched != "User not found" || !strings.HasPrefix(doc.Matches[0].Context, "Sign-in failed: User not found") {
		t.Errorf("exit %d: %s", code, stdout.String())
	}
	// No match: an empty list, exit 0.
	code, out, _ = runCLI(t, "triage", "--format", "json", "all is well")
	if code != exitOK || strings.ReplaceAll(strings.ReplaceAll(out, " ", ""), "\n", "") != `{"matches":[]}` {
		t.Errorf("no match: exit %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "triage", "all is well"); code != exitOK || !strings.Contains(out, "No known cause") {
		t.Errorf("no match text: %d %q", code, out)
	}
	for _, input := range []string{"", " \n\t "} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"triage"}, stdio{in: strings.NewReader(input), out: &out, err: &errOut})
		if code != exitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "standard input is empty") {
			t.Errorf("empty input %q: exit %d, %q", input, code, errOut.String())
		}
	}
	if code, _, errOut := runCLI(t, "triage", "--format", "xml", "x"); code != exitUsage || !strings.Contains(errOut, "--format") {
		t.Errorf("bad format: %d %q", code, errOut)
	}
}

const cliPolicy = `{"Statement": [{"Sid": "S", "Effect": "Allow", "Principal": {"Service": "sso.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"}]}`

func TestAnalyzeCommand(t *testing.T) {
	policy := writeFile(t, "policy.json", cliPolicy)
	code, out, _ := runCLI(t, "analyze", "kms-policy", "--format", "json", policy)
	var doc struct {
		Analyzer string
		Findings []struct{ Check, Status, Row catalog.ID }
		Summary  map[string]int
	}
	if code != exitFail || json.Unmarshal([]byte(out), &doc) != nil || doc.Analyzer != "kms-policy" || doc.Summary["fail"] == 0 {
		t.Errorf("kms: exit %d %s", code, out)
	}
	for _, f := range doc.Findings {
		if (f.Status == "fail" || f.Status == "warn") && f.Row == "" {
			t.Errorf("a problem without a row: %+v", f)
		}
	}
	users := writeFile(t, "users.json", `{"UserList": [{"Arn": "arn:aws:quicksight:us-east-1:1:user/default/a", "Email": "a@x.example"}]}`)
	idp := writeFile(t, "idp.csv", "mail\na@x.example\n")
	if code, out, _ := runCLI(t, "analyze", "users", "--quick", users, "--idp", idp); code != exitOK || !strings.Contains(out, "1 of 1 IdP users match") {
		t.Errorf("users: exit %d %s", code, out)
	}
	sub := writeFile(t, "sub.json", `{"AccountInfo": {"Edition": "ENTERPRISE", "AccountSubscriptionStatus": "ACCOUNT_CREATED", "AuthenticationType": "IAM_AND_QUICKSIGHT"}}`)
	if code, out, _ := runCLI(t, "analyze", "subscription", "--region", "eu-west-1", sub); code != exitFail || !strings.Contains(out, "[identity_region]") {
		t.Errorf("subscription: exit %d %s", code, out)
	}
	bad := writeFile(t, "bad.json", "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "kms-policy", bad}, bad + ": line 3"},
		{[]string{"analyze", "kms-policy"}, "give the key policy file"},
		{[]string{"analyze", "kms-policy", "/nonexistent.json"}, "no such file"},
		{[]string{"analyze", "users", users}, "--quick FILE"},
		{[]string{"analyze", "users", "--quick", users, "--idp", writeFile(t, "i.csv", "name\nann\n")}, "no email column"},
		{[]string{"analyze", "keys"}, `unknown analyzer "keys"`},
		{[]string{"analyze"}, ""},
	} {
		code, out, errOut := runCLI(t, tt.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, errOut)
		}
	}
}

func TestTriageGuided(t *testing.T) {
	guided := func(answers string, args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"triage", "--guided"}, args...), stdio{in: strings.NewReader(answers), out: &out, err: &errOut})
		return code, out.String(), errOut.String()
	}
	// The IdP shows an error page about the redirect URI; a wrong answer is asked again.
	code, out, _ := guided("2\n0\nseven\n1\n")
	if code != exitOK || !strings.Contains(out, "What does the IdP's page say?") || strings.Count(out, "Answer with a number from 1 to 8.") != 2 ||
		!strings.Contains(out, "The cause: redirect_mismatch — ") || !strings.Contains(out, "fix:") {
		t.Errorf("row: exit %d\n%s", code, out)
	}
	// JSON: the questions go to standard error, the answers and the end to standard output.
	code, out, errOut := guided("3\n1\n4\n", "--format", "json")
	var doc struct {
		Answers []struct{ Question, Answer string }
		Matches []triage.Match
		Next    struct{ Why, Command, WizardStep string } `json:"next"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitOK {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	if len(doc.Answers) != 3 || doc.Answers[1].Answer != `"User not found"` || len(doc.Matches) != 0 ||
		!strings.Contains(doc.Next.Command, "--live") || !strings.Contains(errOut, "What does the ID token carry?") {
		t.Errorf("json: %+v\nstderr: %s", doc, errOut)
	}
	// Input that ends before an answer, and an error text given as well.
	if code, _, errOut := guided("1\n"); code != exitUsage || !strings.Contains(errOut, "standard input ended") {
		t.Errorf("ended early: exit %d %q", code, errOut)
	}
	if code, _, errOut := guided("", "AADSTS50011"); code != exitUsage || !strings.Contains(errOut, "takes no error text") {
		t.Errorf("with text: exit %d %q", code, errOut)
	}
}

func TestGuidedPathsAllEnd(t *testing.T) {
	// Every answer leads on, to a catalog row, or to a step the CLI can name.
	for _, q := range triage.GuideQuestions() {
		for _, a := range q.Answers {
			switch {
			case a.Next != "":
				if _, ok := triage.GuideQuestion(a.Next); !ok {
					t.Errorf("%s / %q: no question %q", q.ID, a.Text, a.Next)
				}
			case a.Row != "":
				if _, ok := catalog.Lookup(a.Row); !ok {
					t.Errorf("%s / %q: no row %q", q.ID, a.Text, a.Row)
				}
			default:
				if stepCommands[a.Step] == "" {
					t.Errorf("%s / %q: no command for the wizard step %q", q.ID, a.Text, a.Step)
				}
			}
		}
	}
}

// TestTriageHAR: triage --har reads an export, compares the app's request,
// names the IdP's answer; --sanitized writes a copy without its secrets.
func TestTriageHAR(t *testing.T) {
	const file = "../../checks/har/testdata/firefox-policy.har"
	safe := filepath.Join(t.TempDir(), "safe.har")
	code, out, errOut := runCLI(t, "triage", "--har", file, "--format", "json", "--sanitized", safe)
	var doc struct {
		Matches  []triage.Match
		Requests []struct {
			Kind   string
			Params []struct {
				Name string
				OK   bool
			}
		}
	}
	if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Matches) == 0 || doc.Matches[0].Row != catalog.AccessDeniedPolicy ||
		len(doc.Requests) == 0 || doc.Requests[0].Kind != "authorize" || len(doc.Requests[0].Params) != 5 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	clean, err := os.ReadFile(safe)
	if err != nil || bytes.Contains(clean, []byte("Winter2026!")) || !strings.Contains(errOut, "Wrote "+safe) {
		t.Errorf("sanitized copy: %v %q", err, errOut)
	}
	code, out, _ = runCLI(t, "triage", "--har", file)
	if code != exitOK || !strings.Contains(out, "ok   redirect_uri") || !strings.Contains(out, "1. access_denied_policy") {
		t.Errorf("text: %s", out)
	}
	for _, args := range [][]string{
		{"triage", "--sanitized", safe, "x"},
		{"triage", "--har", "no-such-file.har"},
		{"triage", "--har", "triage_test.go"},
		{"triage", "--har", file, "some text"},
	} {
		if code, _, errOut := runCLI(t, args...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
}
