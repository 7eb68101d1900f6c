// Package account analyzes what the AWS CLI prints about the account, the
// side of sign-in no OIDC check can see: the KMS key policies of a
// customer-managed key (primary and replica), the account subscription
// (edition, identity region), and the user list against the IdP's. Each
// analyzer returns findings in the check engine's shape, with catalog rows.
package account

import (
	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"

	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MaxInput is the largest input an analyzer reads.
const MaxInput = 16 << 20

// Input is one file given to an analyzer.
type Input struct {
	// Name names the input in messages (the file's path).
	Name string
	Data []byte
}

// InputError is input an analyzer cannot read; it names the input and the
// line or field.
type InputError struct {
	Name string
	Msg  string
}

// Error names the input and what is wrong with it.
func (e *InputError) Error() string { return e.Name + ": " + e.Msg }

func inputErr(in Input, format string, args ...any) *InputError {
	return &InputError{Name: in.Name, Msg: fmt.Sprintf(format, args...)}
}

// Analysis is the result of an account-side analyzer, in the shape of
// check's JSON result.
type Analysis struct {
	Schema      int              `json:"schema"`
	ToolVersion string           `json:"tool_version"`
	StartedAt   time.Time        `json:"started_at"`
	Analyzer    string           `json:"analyzer"`
	Inputs      []string         `json:"inputs"`
	Findings    []checks.Finding `json:"findings"`
	Summary     checks.Summary   `json:"summary"`
}

// Failed reports whether any finding failed.
func (a *Analysis) Failed() bool { return a.Summary.Fail > 0 }

func newAnalysis(name string, ins ...Input) *Analysis {
	a := &Analysis{Schema: 1, Analyzer: name, StartedAt: time.Now().UTC().Truncate(time.Millisecond)}
	for _, in := range ins {
		a.Inputs = append(a.Inputs, in.Name)
	}
	return a
}

func (a *Analysis) add(check string, fs ...checks.Finding) {
	for _, f := range fs {
		f.Check = check
		f.Complete(nil)
		a.Findings = append(a.Findings, f)
		a.Summary.Add(f.Status)
	}
}

// decodeJSON decodes data into v, naming the line and column of a syntax
// error and the field of a type error.
func decodeJSON(in Input, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return inputErr(in, "empty input")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return inputErr(in, "%s", checks.DescribeJSONError(data, err))
	}
	return nil
}

// stringList is a JSON string or list of strings.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("expected a string or a list of strings")
	}
	*s = many
	return nil
}

// KMS key policies.

type kmsPolicy struct {
	Statement *statements `json:"Statement"`
}

type statements []statement

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
		var ie *InputError
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
			a.add(n.check, kmsNeedFindings(p, n, label(i), ins[i].Name)...)
		}
	}
	if len(policies) == 2 {
		a.add("kms.replica", replicaFindings(policies[0], policies[1])...)
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

type accountInfo struct {
	AccountName               string `json:"AccountName"`
	Edition                   string `json:"Edition"`
	AuthenticationType        string `json:"AuthenticationType"`
	AccountSubscriptionStatus string `json:"AccountSubscriptionStatus"`
	IAMIdentityCenterInstance string `json:"IAMIdentityCenterInstanceArn"`
}

// arnRegionRE finds the Region of an ARN.
var arnRegionRE = regexp.MustCompile(`arn:aws[a-z-]*:quicksight:([a-z]{2}(?:-[a-z]+)+-\d):`)

// AnalyzeSubscription checks 'aws quicksight describe-account-subscription'
// output. Its output carries no Region: region is the identity region when
// known ("" otherwise).
func AnalyzeSubscription(in Input, region string) (*Analysis, error) {
	var doc struct {
		AccountInfo *accountInfo `json:"AccountInfo"`
	}
	if err := decodeJSON(in, in.Data, &doc); err != nil {
		return nil, err
	}
	info := doc.AccountInfo
	if info == nil {
		var bare accountInfo
		if err := decodeJSON(in, in.Data, &bare); err != nil || bare.Edition == "" && bare.AuthenticationType == "" {
			return nil, inputErr(in, `no "AccountInfo" field: expected the output of 'aws quicksight describe-account-subscription'`)
		}
		info = &bare
	}
	a := newAnalysis("subscription", in)
	switch strings.ToUpper(info.Edition) {
	case "ENTERPRISE", "ENTERPRISE_AND_Q":
		a.add("subscription.edition", checks.Passf("Edition %s has enterprise sign-in for the desktop app", info.Edition))
	case "":
		a.add("subscription.edition", checks.Skipf("Not checked: the output has no Edition"))
	default:
		a.add("subscription.edition", checks.Problem(checks.Fail, catalog.EnterpriseEditionRequired, "Edition "+info.Edition+" has no enterprise sign-in for the desktop app").
			WithEvidence("ENTERPRISE or ENTERPRISE_AND_Q", info.Edition))
	}
	switch strings.ToUpper(info.AccountSubscriptionStatus) {
	case "ACCOUNT_CREATED":
		a.add("subscription.status", checks.Passf("The subscription is active (ACCOUNT_CREATED)"))
	case "":
		a.add("subscription.status", checks.Skipf("Not checked: the output has no AccountSubscriptionStatus"))
	default:
		a.add("subscription.status", checks.Problem(checks.Fail, catalog.AccountNotReady, "The subscription is not active").WithEvidence("ACCOUNT_CREATED", info.AccountSubscriptionStatus))
	}
	auth := strings.ToUpper(info.AuthenticationType)
	switch auth {
	case "IAM_IDENTITY_CENTER":
		f := checks.Passf("Authentication type IAM_IDENTITY_CENTER")
		f.Detail = "Web and desktop can both ride IAM Identity Center (its KMS key policies must allow sso, identitystore and quicksight: quickdiag analyze kms-policy). An OIDC extension access, if you add one, governs the desktop app only; the web keeps IAM Identity Center."
		a.add("subscription.authentication", f)
	case "":
		a.add("subscription.authentication", checks.Skipf("Not checked: the output has no AuthenticationType"))
	default:
		f := checks.Passf("Authentication type %s", info.AuthenticationType)
		f.Detail = "The desktop app signs in through the OIDC extension access (your IdP); the web keeps " + info.AuthenticationType + ". The account's users must carry the same emails as the IdP."
		a.add("subscription.authentication", f)
	}
	if region == "" {
		if m := arnRegionRE.FindSubmatch(in.Data); m != nil {
			region = string(m[1])
		}
	}
	a.add("subscription.region", regionFinding(region, "describe-account-subscription output carries no Region: give --region, or run quickdiag analyze users on list-users output, whose ARNs show the identity region"))
	return a, nil
}

func regionFinding(region, unknown string) checks.Finding {
	switch region {
	case "":
		return checks.Skipf("Not checked: %s.", unknown)
	case "us-east-1":
		return checks.Passf("The identity region is us-east-1, as the desktop app requires")
	}
	return checks.Problem(checks.Fail, catalog.IdentityRegion, "The identity region is "+region+", not us-east-1").
		WithDetail("The desktop app connects to us-east-1 for sign-in; an account's identity region is fixed when it is created.").
		WithEvidence("us-east-1", region)
}

// User reconciliation.

// ReadIdPEmails reads an IdP export: a CSV with an email column (any header
// spelling of email, mail or userPrincipalName), or a JSON array of strings
// or of objects.
func ReadIdPEmails(in Input) ([]string, error) {
	data := bytes.TrimSpace(bytes.TrimPrefix(in.Data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return nil, inputErr(in, "empty input")
	}
	if data[0] == '[' || data[0] == '{' {
		var raw []json.RawMessage
		if err := decodeJSON(in, data, &raw); err != nil {
			return nil, err
		}
		var out []string
		for i, r := range raw {
			var s string
			if json.Unmarshal(r, &s) == nil {
				out = append(out, strings.TrimSpace(s))
				continue
			}
			var obj map[string]any
			if json.Unmarshal(r, &obj) != nil {
				return nil, inputErr(in, "item %d is neither an email string nor an object", i+1)
			}
			names := slices.Sorted(maps.Keys(obj))
			key := emailKey(names)
			if key == "" {
				return nil, inputErr(in, "item %d has no email field (looked for email, mail, userPrincipalName among %s)", i+1, strings.Join(names, ", "))
			}
			s, _ = obj[key].(string)
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, inputErr(in, "read the CSV header: %v", err)
	}
	key := emailKey(header)
	col := -1
	for i, h := range header {
		if h == key {
			col = i
		}
	}
	if col < 0 {
		return nil, inputErr(in, "line 1: no email column in the header (%s); name one email, mail or userPrincipalName", strings.Join(header, ", "))
	}
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, inputErr(in, "%v", err)
		}
		if col < len(rec) {
			out = append(out, strings.TrimSpace(rec[col]))
		} else {
			line, _ := r.FieldPos(0)
			return nil, inputErr(in, "line %d: no value in the %s column", line, header[col])
		}
	}
	return out, nil
}

// emailKey picks the column or field that holds the email.
func emailKey(names []string) string {
	norm := func(s string) string {
		return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))))
	}
	for _, want := range []string{"email", "emailaddress", "mail", "primaryemail", "userprincipalname", "upn"} {
		for _, n := range names {
			if norm(n) == want {
				return n
			}
		}
	}
	for _, n := range names {
		if strings.Contains(norm(n), "email") || strings.Contains(norm(n), "mail") {
			return n
		}
	}
	return ""
}

// AnalyzeUsers reconciles 'aws quicksight list-users' output with an IdP
// export (optional): empty and duplicate emails, the identity region from
// the users' ARNs, and users missing on either side or differing in case.
func AnalyzeUsers(quick Input, idp *Input) (*Analysis, error) {
	users, err := ReadUsers(bytes.NewReader(quick.Data))
	if err != nil {
		return nil, &InputError{Name: quick.Name, Msg: err.Error()}
	}
	ins := []Input{quick}
	var idpEmails []string
	if idp != nil {
		ins = append(ins, *idp)
		if idpEmails, err = ReadIdPEmails(*idp); err != nil {
			return nil, err
		}
	}
	a := newAnalysis("users", ins...)
	var emails []string
	var empty []string
	regions := map[string]int{}
	for _, u := range users {
		if strings.TrimSpace(u.Email) == "" {
			name := u.UserName
			if name == "" {
				name = "(no user name)"
			}
			empty = append(empty, name)
		} else {
			emails = append(emails, u.Email)
		}
		if m := arnRegionRE.FindStringSubmatch(u.Arn); m != nil {
			regions[m[1]]++
		}
	}
	a.add("users.count", checks.Passf("%d users in the account, %d with an email", len(users), len(emails)))
	if len(empty) > 0 {
		a.add("users.empty", checks.Problem(checks.Warn, catalog.EmailNotProvisioned, fmt.Sprintf("%d users have no email", len(empty))).
			WithDetail("They cannot be matched to an ID token's email, so they cannot sign in to the desktop app.").
			WithEvidence("an email for every user", listSome(empty)))
	}
	a.add("users.duplicates", duplicateFindings(emails, "in the account")...)
	switch len(regions) {
	case 0:
		a.add("users.region", checks.Skipf("Not checked: no user ARN shows the identity region."))
	case 1:
		for r := range regions {
			a.add("users.region", regionFinding(r, ""))
		}
	default:
		a.add("users.region", checks.Problem(checks.Warn, catalog.IdentityRegionEndpoint, "The users' ARNs name several Regions").
			WithDetail("One account has one identity region; the list may mix accounts.").WithEvidence("one Region", strings.Join(slices.Sorted(maps.Keys(regions)), ", ")))
	}
	if idp == nil {
		return a, nil
	}
	a.add("users.idp_duplicates", duplicateFindings(idpEmails, "in the IdP export")...)
	exact := map[string]bool{}
	folded := map[string]string{}
	for _, e := range emails {
		exact[e] = true
		folded[strings.ToLower(e)] = e
	}
	idpExact := map[string]bool{}
	var caseOnly, missing []string
	matched := 0
	for _, e := range idpEmails {
		if e == "" {
			continue
		}
		idpExact[strings.ToLower(e)] = true
		switch {
		case exact[e]:
			matched++
		case folded[strings.ToLower(e)] != "":
			caseOnly = append(caseOnly, e+" (IdP) ≠ "+folded[strings.ToLower(e)]+" (account)")
		default:
			missing = append(missing, e)
		}
	}
	a.add("users.match", checks.Passf("%d of %d IdP users match an account user exactly", matched, len(idpEmails)))
	if len(caseOnly) > 0 {
		a.add("users.case", checks.Problem(checks.Fail, catalog.EmailCaseMismatch, fmt.Sprintf("%d users differ only in letter case", len(caseOnly))).
			WithDetail("Matching is exact: these users see \"User not found\".").WithEvidence("identical emails", listSome(caseOnly)))
	}
	if len(missing) > 0 {
		a.add("users.missing_in_account", checks.Problem(checks.Fail, catalog.EmailNotProvisioned, fmt.Sprintf("%d IdP users are not provisioned in the account", len(missing))).
			WithDetail("They can sign in at the IdP but see \"User not found\" in the desktop app.").WithEvidence("an account user for each", listSome(missing)))
	}
	var notInIdP []string
	for _, e := range emails {
		if !idpExact[strings.ToLower(e)] {
			notInIdP = append(notInIdP, e)
		}
	}
	if len(notInIdP) > 0 {
		a.add("users.missing_in_idp", checks.Problem(checks.Warn, catalog.EmailNotProvisioned, fmt.Sprintf("%d account users are not in the IdP export", len(notInIdP))).
			WithDetail("They cannot sign in to the desktop app through this IdP.").WithEvidence("an IdP user for each", listSome(notInIdP)))
	}
	return a, nil
}

func duplicateFindings(emails []string, where string) []checks.Finding {
	seen := map[string]string{}
	var dups, caseDups []string
	for _, e := range emails {
		if e == "" {
			continue
		}
		k := strings.ToLower(e)
		prev, ok := seen[k]
		switch {
		case !ok:
			seen[k] = e
		case prev == e:
			dups = append(dups, e)
		default:
			caseDups = append(caseDups, prev+" / "+e)
		}
	}
	var out []checks.Finding
	if len(dups) > 0 {
		out = append(out, checks.Problem(checks.Warn, catalog.EmailNotProvisioned, fmt.Sprintf("%d emails appear twice %s", len(dups), where)).
			WithDetail("Two users with one email make the match ambiguous.").WithEvidence("each email once", listSome(dups)))
	}
	if len(caseDups) > 0 {
		out = append(out, checks.Problem(checks.Warn, catalog.EmailCaseMismatch, fmt.Sprintf("%d emails appear twice %s, in different letter case", len(caseDups), where)).
			WithEvidence("each email once", listSome(caseDups)))
	}
	if len(out) == 0 {
		out = append(out, checks.Passf("No duplicate email %s", where))
	}
	return out
}

// listSome lists up to 20 items and says how many more there are.
func listSome(items []string) string {
	const most = 20
	if len(items) <= most {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:most], ", ") + fmt.Sprintf(" … and %d more", len(items)-most)
}
