package account_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/account"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// goodPolicy is the seed's key policy (002, step A2), with the account filled in.
const goodPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "EnableRoot", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "AllowIAMIdentityCenterToUseTheKMSKey", "Effect": "Allow", "Principal": {"Service": "sso.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:ReEncryptTo", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}},
    {"Sid": "AllowIdentityStoreToUseTheKMSKey", "Effect": "Allow", "Principal": {"Service": "identitystore.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:ReEncryptTo", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}, "StringLike": {"kms:EncryptionContext:aws:identitystore:identitystore-arn": "*"}}},
    {"Sid": "AllowQuickToUseTheKMSKey", "Effect": "Allow", "Principal": {"Service": "quicksight.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}, "StringLike": {"kms:ViaService": ["sso.*.amazonaws.com", "identitystore.*.amazonaws.com"]}}},
    {"Sid": "AllowSSOAndIdentityStoreToDescribeKMSKey", "Effect": "Allow", "Principal": {"Service": ["sso.amazonaws.com", "identitystore.amazonaws.com"]},
     "Action": "kms:DescribeKey", "Resource": "*"}
  ]
}`

func in(name, data string) account.Input { return account.Input{Name: name, Data: []byte(data)} }

// without returns goodPolicy without the statement with the given Sid.
func edited(t *testing.T, edit func(stmts []map[string]any) []map[string]any) string {
	t.Helper()
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(goodPolicy), &doc); err != nil {
		t.Fatal(err)
	}
	doc.Statement = edit(doc.Statement)
	b, _ := json.Marshal(doc)
	return string(b)
}

func dropSid(sid string) func([]map[string]any) []map[string]any {
	return func(s []map[string]any) []map[string]any {
		var out []map[string]any
		for _, st := range s {
			if st["Sid"] != sid {
				out = append(out, st)
			}
		}
		return out
	}
}

// findings returns the findings of one check.
func findings(a *account.Analysis, check string) []checks.Finding {
	return slices.DeleteFunc(slices.Clone(a.Findings), func(f checks.Finding) bool { return f.Check != check })
}

func expectA(t *testing.T, a *account.Analysis, check string, status checks.Status, row catalog.ID) {
	t.Helper()
	for _, f := range findings(a, check) {
		if f.Status == status && f.Row == row {
			return
		}
	}
	var b strings.Builder
	for _, f := range a.Findings {
		b.WriteString("  " + f.Check + " " + string(f.Status) + " " + string(f.Row) + ": " + f.Title + "\n")
	}
	t.Errorf("want %s %s from %s; got:\n%s", status, row, check, b.String())
}

func TestKMSPolicyGood(t *testing.T) {
	wrapped, _ := json.Marshal(map[string]string{"Policy": goodPolicy, "PolicyName": "default"})
	asString, _ := json.Marshal(goodPolicy)
	for name, text := range map[string]string{"document": goodPolicy, "get-key-policy output": string(wrapped), "JSON string": string(asString)} {
		a, err := account.AnalyzeKMSPolicies(in(name, text), in("replica", goodPolicy))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Summary.Fail+a.Summary.Warn != 0 || a.Summary.Pass != 7 {
			t.Errorf("%s: %+v %+v", name, a.Summary, a.Findings)
		}
	}
}

func TestKMSPolicyProblems(t *testing.T) {
	tests := []struct {
		name    string
		primary string
		replica string
		check   string
		status  checks.Status
		row     catalog.ID
	}{
		{"no sso statement", edited(t, dropSid("AllowIAMIdentityCenterToUseTheKMSKey")), "", "kms.sso", checks.Fail, "kms_decrypt_sso"},
		{"no quicksight statement", edited(t, dropSid("AllowQuickToUseTheKMSKey")), "", "kms.quicksight", checks.Fail, "kms_decrypt_quicksight"},
		{"no identitystore statement", edited(t, dropSid("AllowIdentityStoreToUseTheKMSKey")), "", "kms.identitystore", checks.Fail, "kms_decrypt_quicksight"},
		{"encryption context on sso", edited(t, func(s []map[string]any) []map[string]any {
			s[1]["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "111122223333", "kms:EncryptionContext:aws:sso:instance-arn": "arn:aws:sso:::instance/ssoins-1"}}
			return s
		}), "", "kms.sso", checks.Warn, "kms_decrypt_sso"},
		{"kms:* to a service", edited(t, func(s []map[string]any) []map[string]any { s[3]["Action"] = "kms:*"; return s }), "", "kms.quicksight", checks.Warn, "kms_decrypt_quicksight"},
		{"no SourceAccount", edited(t, func(s []map[string]any) []map[string]any { delete(s[1], "Condition"); return s }), "", "kms.sso", checks.Warn, "kms_decrypt_sso"},
		{"missing ReEncrypt", edited(t, func(s []map[string]any) []map[string]any { s[1]["Action"] = "kms:Decrypt"; return s }), "", "kms.sso", checks.Warn, "kms_decrypt_sso"},
		{"deny", edited(t, func(s []map[string]any) []map[string]any {
			return append(s, map[string]any{"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})
		}), "", "kms.sso", checks.Fail, "kms_decrypt_sso"},
		{"replica not inherited", goodPolicy, edited(t, dropSid("AllowQuickToUseTheKMSKey")), "kms.replica", checks.Fail, "kms_decrypt_quicksight"},
		{"single statement object", `{"Statement": {"Effect": "Allow", "Principal": {"Service": "sso.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}}`, "", "kms.quicksight", checks.Fail, "kms_decrypt_quicksight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := []account.Input{in("primary.json", tt.primary)}
			if tt.replica != "" {
				ins = append(ins, in("replica.json", tt.replica))
			}
			a, err := account.AnalyzeKMSPolicies(ins...)
			if err != nil {
				t.Fatal(err)
			}
			expectA(t, a, tt.check, tt.status, tt.row)
			if !a.Failed() && tt.status == checks.Fail {
				t.Error("Failed() is false")
			}
		})
	}
}

func TestAnalyzerInputErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"kms syntax", func() error {
			_, err := account.AnalyzeKMSPolicies(in("p.json", "{\n\"Statement\": [\n{\"Effect\": \"Allow\",}\n]}"))
			return err
		}, "p.json: line 3"},
		{"kms no statement", func() error {
			_, err := account.AnalyzeKMSPolicies(in("p.json", `{"Version": "2012-10-17"}`))
			return err
		}, `no "Statement"`},
		{"kms policy not a string", func() error { _, err := account.AnalyzeKMSPolicies(in("p.json", `{"Policy": {"a": 1}}`)); return err }, `"Policy" must hold`},
		{"kms bad principal", func() error {
			_, err := account.AnalyzeKMSPolicies(in("p.json", `{"Statement": [{"Effect": "Allow", "Principal": 7, "Action": "kms:*"}]}`))
			return err
		}, "p.json"},
		{"kms three files", func() error {
			_, err := account.AnalyzeKMSPolicies(in("a", "{}"), in("b", "{}"), in("c", "{}"))
			return err
		}, "primary"},
		{"subscription empty", func() error { _, err := account.AnalyzeSubscription(in("s.json", ""), ""); return err }, "s.json: empty input"},
		{"subscription not one", func() error { _, err := account.AnalyzeSubscription(in("s.json", `{"UserList": []}`), ""); return err }, `no "AccountInfo"`},
		{"users not list-users", func() error { _, err := account.AnalyzeUsers(in("u.json", `{"Users": []}`), nil); return err }, `u.json: no "UserList"`},
		{"users syntax", func() error { _, err := account.AnalyzeUsers(in("u.json", "{\"UserList\": [\n{]}"), nil); return err }, "u.json: line 2"},
		{"idp csv no email column", func() error {
			_, err := account.AnalyzeUsers(in("u.json", `{"UserList": []}`), &account.Input{Name: "idp.csv", Data: []byte("name,dept\nann,it\n")})
			return err
		}, "idp.csv: line 1: no email column"},
		{"idp csv bad quotes", func() error {
			_, err := account.AnalyzeUsers(in("u.json", `{"UserList": []}`), &account.Input{Name: "idp.csv", Data: []byte("email\n\"ann@x.example\n")})
			return err
		}, "idp.csv"},
		{"idp json object without email", func() error {
			_, err := account.AnalyzeUsers(in("u.json", `{"UserList": []}`), &account.Input{Name: "idp.json", Data: []byte(`[{"name": "ann"}]`)})
			return err
		}, "idp.json: item 1 has no email field"},
	}
	for _, tt := range tests {
		err := tt.run()
		var ie *checks.InputError
		if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.name != "kms three files" && !errors.As(err, &ie)) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestSubscription(t *testing.T) {
	doc := func(edition, status, auth string) string {
		return `{"Status": 200, "AccountInfo": {"AccountName": "acme", "Edition": "` + edition + `", "NotificationEmail": "it@acme.example",
			"AuthenticationType": "` + auth + `", "AccountSubscriptionStatus": "` + status + `", "IAMIdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-1"}, "RequestId": "x"}`
	}
	a, err := account.AnalyzeSubscription(in("s.json", doc("ENTERPRISE", "ACCOUNT_CREATED", "IAM_IDENTITY_CENTER")), "us-east-1")
	if err != nil || a.Summary.Fail+a.Summary.Warn+a.Summary.Skip != 0 {
		t.Errorf("good: %v %+v", err, a)
	}
	a, _ = account.AnalyzeSubscription(in("s.json", doc("STANDARD", "ACCOUNT_CREATED", "IAM_AND_QUICKSIGHT")), "")
	expectA(t, a, "subscription.edition", checks.Fail, "enterprise_edition_required")
	expectA(t, a, "subscription.region", checks.Skip, "")
	a, _ = account.AnalyzeSubscription(in("s.json", doc("ENTERPRISE_AND_Q", "ACCOUNT_CREATION_FAILED", "IAM_IDENTITY_CENTER")), "ap-south-1")
	expectA(t, a, "subscription.status", checks.Fail, "account_not_ready")
	expectA(t, a, "subscription.region", checks.Fail, "identity_region")
}

const listUsers = `{"Status": 200, "UserList": [
 {"Arn": "arn:aws:quicksight:ap-south-1:111122223333:user/default/alice", "Email": "alice@acme.example", "UserName": "alice", "Role": "ADMIN", "Active": true},
 {"Arn": "arn:aws:quicksight:ap-south-1:111122223333:user/default/bob", "Email": "Bob@Acme.example", "UserName": "bob", "Role": "AUTHOR", "Active": true},
 {"Arn": "arn:aws:quicksight:ap-south-1:111122223333:user/default/carol", "Email": "carol@acme.example", "UserName": "carol", "Role": "READER", "Active": true},
 {"Arn": "arn:aws:quicksight:ap-south-1:111122223333:user/default/svc", "Email": "", "UserName": "svc", "Role": "READER", "Active": true},
 {"Arn": "arn:aws:quicksight:ap-south-1:111122223333:user/default/alice2", "Email": "alice@acme.example", "UserName": "alice2", "Role": "READER", "Active": true}
]}`

func TestUsers(t *testing.T) {
	csv := "Display Name,User Principal Name,Department\nAlice,alice@acme.example,IT\nBob,bob@acme.example,Sales\nDan,dan@acme.example,Ops\n"
	for name, idp := range map[string]string{
		"csv":          csv,
		"json strings": `["alice@acme.example", "bob@acme.example", "dan@acme.example"]`,
		"json objects": `[{"mail": "alice@acme.example"}, {"mail": "bob@acme.example"}, {"mail": "dan@acme.example"}]`,
	} {
		a, err := account.AnalyzeUsers(in("users.json", listUsers), &account.Input{Name: "idp", Data: []byte(idp)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		expectA(t, a, "users.region", checks.Fail, "identity_region")
		expectA(t, a, "users.empty", checks.Warn, "email_not_provisioned")
		expectA(t, a, "users.duplicates", checks.Warn, "email_not_provisioned")
		expectA(t, a, "users.case", checks.Fail, "email_case_mismatch")
		expectA(t, a, "users.missing_in_account", checks.Fail, "email_not_provisioned")
		expectA(t, a, "users.missing_in_idp", checks.Warn, "email_not_provisioned")
		if f := findings(a, "users.case"); len(f) == 1 && !strings.Contains(f[0].Evidence.Got, "bob@acme.example (IdP) ≠ Bob@Acme.example (account)") {
			t.Errorf("%s: case evidence %q", name, f[0].Evidence.Got)
		}
		if f := findings(a, "users.missing_in_account"); len(f) == 1 && f[0].Evidence.Got != "dan@acme.example" {
			t.Errorf("%s: missing evidence %q", name, f[0].Evidence.Got)
		}
	}
	a, err := account.AnalyzeUsers(in("users.json", `{"UserList": [{"Arn": "arn:aws:quicksight:us-east-1:1:user/default/a", "Email": "a@x.example"}]}`), nil)
	if err != nil || a.Failed() || a.Summary.Warn != 0 {
		t.Errorf("good users: %v %+v", err, a.Findings)
	}
}

// TestLargestInputs: a list at the bound is analysed and its findings
// summarised; one past it (a pasted 37 MiB list) is refused, saying the bound.
func TestLargestInputs(t *testing.T) {
	quick, idp := largeLists(account.MaxInput)
	a, err := account.AnalyzeUsers(quick, &idp)
	if err != nil {
		t.Fatal(err)
	}
	f := findings(a, "users.case")
	if len(f) != 1 || len(f[0].Evidence.Got) > 4<<10 || !strings.Contains(f[0].Detail+f[0].Evidence.Got, "more") {
		t.Errorf("case findings not summarised: %d findings, %.300v", len(f), f)
	}
	big := in("users.json", `{"UserList": [`+strings.Repeat(`{"Email": "a@x.example"}, `, 37<<20/26)+`{}]}`)
	if _, err := account.AnalyzeUsers(big, nil); err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("a 37 MiB list: %v", err)
	}
}
