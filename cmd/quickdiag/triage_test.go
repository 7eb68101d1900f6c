package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
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
			Row, Title, Cause, Fix, Matched, Question string
			Score                                     float64
		}
	}
	if code != exitOK || json.Unmarshal(stdout.Bytes(), &doc) != nil || len(doc.Matches) != 3 || doc.Matches[0].Question == "" || !strings.Contains(doc.Matches[0].Matched, "User not found") {
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
		Findings []struct{ Check, Status, Row string }
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
