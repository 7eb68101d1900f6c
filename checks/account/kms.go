package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

type kmsPolicy struct {
	Statement *statements `json:"Statement"`
}

type statements []statement

// UnmarshalJSON decodes the JSON forms the AWS CLI prints.
func (s *statements) UnmarshalJSON(b []byte) error {
	var one statement
	if len(bytes.TrimSpace(b)) > 0 && bytes.TrimSpace(b)[0] == '{' {
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type statement struct {
	Sid       string                           `json:"Sid"`
	Effect    string                           `json:"Effect"`
	Principal principal                        `json:"Principal"`
	Action    stringList                       `json:"Action"`
	NotAction stringList                       `json:"NotAction"`
	Condition map[string]map[string]stringList `json:"Condition"`
}

// principal is "*" or {"Service": …, "AWS": …}.
type principal struct {
	Any      bool
	Services []string
}

// UnmarshalJSON decodes the JSON forms the AWS CLI prints.
func (p *principal) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		p.Any = s == "*"
		return nil
	}
	var m map[string]stringList
	if err := json.Unmarshal(b, &m); err != nil {
		return errors.New(`expected "*" or an object such as {"Service": "sso.amazonaws.com"}`)
	}
	for k, v := range m {
		if strings.EqualFold(k, "Service") {
			p.Services = append(p.Services, v...)
		}
		if strings.EqualFold(k, "AWS") && len(v) == 1 && v[0] == "*" {
			p.Any = true
		}
	}
	return nil
}

func (st statement) names(service string) bool {
	for _, s := range st.Principal.Services {
		if strings.EqualFold(s, service) {
			return true
		}
	}
	return false
}

// allows reports whether the statement's actions cover action (globs as IAM
// writes them, case-insensitive).
func (st statement) allows(action string) bool {
	if len(st.NotAction) > 0 {
		for _, a := range st.NotAction {
			if globMatch(a, action) {
				return false
			}
		}
		return true
	}
	for _, a := range st.Action {
		if globMatch(a, action) {
			return true
		}
	}
	return false
}

func globMatch(pattern, s string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(s))
	return err == nil && ok
}

func (st statement) hasConditionKey(pred func(key string) bool) bool {
	for _, kv := range st.Condition {
		for k := range kv {
			if pred(strings.ToLower(k)) {
				return true
			}
		}
	}
	return false
}

// ParseKMSPolicy reads a key policy as 'aws kms get-key-policy' prints it:
// the document itself, the document as a JSON string, or
// {"Policy": "<document as a string>", "PolicyName": "default"}.
func parseKMSPolicy(in Input) (statements, error) {
	data := in.Data
	var probe any
	if err := decodeJSON(in, data, &probe); err != nil {
		return nil, err
	}
	switch v := probe.(type) {
	case string: // --output json with --query Policy
		data = []byte(v)
	case map[string]any:
		if p, ok := v["Policy"]; ok {
			s, isString := p.(string)
			if !isString {
				return nil, inputErr(in, `field "Policy" must hold the policy as a JSON string`)
			}
			data = []byte(s)
		}
	default:
		return nil, inputErr(in, "expected a key policy (a JSON object with a Statement list)")
	}
	var doc kmsPolicy
	if err := decodeJSON(in, data, &doc); err != nil {
		var ie *checks.InputError
		if errors.As(err, &ie) && !bytes.Equal(data, in.Data) {
			ie.Msg = "in the policy document held by \"Policy\": " + ie.Msg
		}
		return nil, err
	}
	if doc.Statement == nil {
		return nil, inputErr(in, `no "Statement" field: expected the output of 'aws kms get-key-policy'`)
	}
	return *doc.Statement, nil
}

// kmsNeed is a service principal the desktop app's account needs in a key policy.
type kmsNeed struct {
	check, service string
	row            catalog.ID
	actions        []string
	why            string
}

var kmsNeeds = []kmsNeed{
	{"kms.sso", "sso.amazonaws.com", catalog.KMSDecryptSSO, []string{"kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
		"IAM Identity Center registers the application (sso:CreateApplication) and decrypts its data with this key."},
	{"kms.identitystore", "identitystore.amazonaws.com", catalog.KMSDecryptQuickSight, []string{"kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
		"The identity store reads users and groups with this key when the subscription is created."},
	{"kms.quicksight", "quicksight.amazonaws.com", catalog.KMSDecryptQuickSight, []string{"kms:Decrypt", "kms:DescribeKey"},
		"The account reads the identity store through sso and identitystore (kms:ViaService) with this key."},
}

// AnalyzeKMSPolicies checks the key policies of the IAM Identity Center key:
// the primary's, then optionally a replica's, whose policy is independent.
func AnalyzeKMSPolicies(ins ...Input) (*Analysis, error) {
	if len(ins) == 0 || len(ins) > 2 {
		return nil, errors.New("give one key policy, or the primary's and then a replica's")
	}
	a := newAnalysis("kms-policy", ins...)
	var policies []statements
	for _, in := range ins {
		p, err := parseKMSPolicy(in)
		if err != nil {
			return nil, err
		}
		policies = append(policies, p)
	}
	label := func(i int) string {
		if len(ins) == 1 {
			return "the key"
		}
		return []string{"the primary key", "the replica key"}[i]
	}
	for i, p := range policies {
		for _, n := range kmsNeeds {
			a.Add(n.check, kmsNeedFindings(p, n, label(i), ins[i].Name)...)
		}
	}
	if len(policies) == 2 {
		a.Add("kms.replica", replicaFindings(policies[0], policies[1])...)
	}
	return a, nil
}

func kmsNeedFindings(p statements, n kmsNeed, key, file string) []checks.Finding {
	var allow []statement
	for _, st := range p {
		if !st.names(n.service) && !st.Principal.Any {
			continue
		}
		if strings.EqualFold(st.Effect, "Deny") && st.allows("kms:Decrypt") {
			return []checks.Finding{checks.Problem(checks.Fail, n.row, fmt.Sprintf("A Deny statement in %s blocks %s", key, n.service)).
				WithDetail(capitalize(sidName(st))+" denies kms:Decrypt. "+n.why).
				WithEvidence("no Deny of kms:Decrypt for "+n.service, "Deny in "+file).
				WithFix("Remove or narrow the Deny statement so that it does not cover " + n.service + ".")}
		}
		if strings.EqualFold(st.Effect, "Allow") && st.names(n.service) {
			allow = append(allow, st)
		}
	}
	if len(allow) == 0 {
		return []checks.Finding{checks.Problem(checks.Fail, n.row, fmt.Sprintf("%s has no statement for %s", capitalize(key), n.service)).
			WithDetail(n.why).WithEvidence("an Allow statement for "+n.service+" with "+strings.Join(n.actions, ", "), "none in "+file).
			WithFix(fmt.Sprintf(`Add {"Effect": "Allow", "Principal": {"Service": "%s"}, "Action": ["%s"], "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": "<ACCOUNT_ID>"}}} to %s's policy.`,
				n.service, strings.Join(n.actions, `", "`), key))}
	}
	var out []checks.Finding
	var missing []string
	for _, act := range n.actions {
		granted := false
		for _, st := range allow {
			if st.allows(act) {
				granted = true
			}
		}
		if !granted {
			missing = append(missing, act)
		}
	}
	if len(missing) > 0 {
		st := checks.Fail
		if !slices.Contains(missing, "kms:Decrypt") {
			st = checks.Warn
		}
		out = append(out, checks.Problem(st, n.row, fmt.Sprintf("%s does not give %s %s", capitalize(key), n.service, strings.Join(missing, ", "))).
			WithDetail(n.why).WithEvidence(strings.Join(n.actions, ", "), "missing "+strings.Join(missing, ", ")))
	}
	for _, st := range allow {
		if st.allows("kms:CreateGrant") && st.allows("kms:ScheduleKeyDeletion") {
			out = append(out, checks.Problem(checks.Warn, n.row, fmt.Sprintf("%s grants %s every KMS action", capitalize(key), n.service)).
				WithDetail(fmt.Sprintf("%s allows kms:* (or *): a service principal needs only %s.", capitalize(sidName(st)), strings.Join(n.actions, ", "))).
				WithEvidence(strings.Join(n.actions, ", "), strings.Join(st.Action, ", ")).
				WithFix("Grant only the actions listed, scoped by aws:SourceAccount (least privilege)."))
		}
		if n.service == "sso.amazonaws.com" && st.hasConditionKey(func(k string) bool { return strings.HasPrefix(k, "kms:encryptioncontext:aws:sso") }) {
			out = append(out, checks.Problem(checks.Warn, n.row, "The sso.amazonaws.com statement is limited by an encryption context").
				WithDetail("The context that IAM Identity Center passes while creating the application may not match it, and kms:Decrypt is then denied (\"sso.amazonaws.com is not authorized to perform: kms:Decrypt\").").
				WithEvidence("a condition on aws:SourceAccount", "a kms:EncryptionContext:aws:sso:… condition in "+sidName(st)).
				WithFix("Test the application-creation flow with this condition; if it is denied, scope the statement by aws:SourceAccount instead."))
		}
		if st.allows("kms:Decrypt") && !st.hasConditionKey(func(k string) bool { return k == "aws:sourceaccount" || k == "aws:sourcearn" }) {
			out = append(out, checks.Problem(checks.Warn, n.row, fmt.Sprintf("The %s statement is not scoped to your account", n.service)).
				WithDetail(capitalize(sidName(st))+" has no aws:SourceAccount (or aws:SourceArn) condition, so the service could use the key on another account's behalf (confused deputy).").
				WithEvidence(`"Condition": {"StringEquals": {"aws:SourceAccount": "<ACCOUNT_ID>"}}`, "no such condition").
				WithFix("Add the aws:SourceAccount condition with your account ID."))
		}
	}
	if len(out) == 0 {
		out = append(out, checks.Passf("%s lets %s use the key as needed", capitalize(key), n.service))
	}
	return out
}

// replicaFindings explains what the replica lacks that the primary has:
// a replica's policy is not inherited.
func replicaFindings(primary, replica statements) []checks.Finding {
	var out []checks.Finding
	for _, n := range kmsNeeds {
		has := func(p statements) bool {
			for _, st := range p {
				if strings.EqualFold(st.Effect, "Allow") && st.names(n.service) && st.allows("kms:Decrypt") {
					return true
				}
			}
			return false
		}
		if has(primary) && !has(replica) {
			out = append(out, checks.Problem(checks.Fail, n.row, "The replica key lacks the primary's "+n.service+" statement").
				WithDetail("A multi-Region replica key has its own key policy: it does not inherit the primary's. Operations forced to the replica's Region (us-east-1) are then denied.").
				WithEvidence("the same statement as the primary", "none in the replica").
				WithFix("Copy the "+n.service+" statement from the primary key's policy into the replica key's policy."))
		}
	}
	if len(out) == 0 {
		out = append(out, checks.Passf("The replica key has every service statement the primary has"))
	}
	return out
}

// sidName names a statement by its Sid.
func sidName(st statement) string {
	if st.Sid == "" {
		return "a statement without a Sid"
	}
	return fmt.Sprintf("statement %q", st.Sid)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// The account subscription.
