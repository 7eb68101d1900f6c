package account

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// User is one user of the account, as 'aws quicksight list-users' prints it.
type User struct {
	UserName string `json:"UserName"`
	Email    string `json:"Email"`
	Arn      string `json:"Arn"`
	Role     string `json:"Role"`
	Active   *bool  `json:"Active"`
}

// ReadUsers decodes the JSON that 'aws quicksight list-users' prints:
// {"UserList": [{"Email": …}, …]}.
func ReadUsers(r io.Reader) ([]User, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxInput {
		return nil, fmt.Errorf("larger than %d MiB: quickdiag reads list-users output up to that size", MaxInput>>20)
	}
	var doc struct {
		UserList *[]User `json:"UserList"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New(checks.DescribeJSONError(data, err))
	}
	if doc.UserList == nil {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("empty file: expected the output of 'aws quicksight list-users'")
		}
		return nil, errors.New(`no "UserList" array: expected the output of 'aws quicksight list-users'`)
	}
	return *doc.UserList, nil
}

// LoadUsers reads a list-users JSON file.
func LoadUsers(path string) ([]User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	users, err := ReadUsers(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return users, nil
}

// Emails returns the users' non-empty emails.
func Emails(users []User) []string {
	var out []string
	for _, u := range users {
		if u.Email != "" {
			out = append(out, u.Email)
		}
	}
	return out
}

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
		return nil, &checks.InputError{Name: quick.Name, Msg: err.Error()}
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
	a.Add("users.count", checks.Passf("%d users in the account, %d with an email", len(users), len(emails)))
	if len(empty) > 0 {
		a.Add("users.empty", checks.Problem(checks.Warn, catalog.EmailNotProvisioned, fmt.Sprintf("%d users have no email", len(empty))).
			WithDetail("They cannot be matched to an ID token's email, so they cannot sign in to the desktop app.").
			WithEvidence("an email for every user", listSome(empty)))
	}
	a.Add("users.duplicates", duplicateFindings(emails, "in the account")...)
	switch len(regions) {
	case 0:
		a.Add("users.region", checks.Skipf("Not checked: no user ARN shows the identity region."))
	case 1:
		for r := range regions {
			a.Add("users.region", regionFinding(r, ""))
		}
	default:
		a.Add("users.region", checks.Problem(checks.Warn, catalog.IdentityRegionEndpoint, "The users' ARNs name several Regions").
			WithDetail("One account has one identity region; the list may mix accounts.").WithEvidence("one Region", strings.Join(slices.Sorted(maps.Keys(regions)), ", ")))
	}
	if idp == nil {
		return a, nil
	}
	a.Add("users.idp_duplicates", duplicateFindings(idpEmails, "in the IdP export")...)
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
	a.Add("users.match", checks.Passf("%d of %d IdP users match an account user exactly", matched, len(idpEmails)))
	if len(caseOnly) > 0 {
		a.Add("users.case", checks.Problem(checks.Fail, catalog.EmailCaseMismatch, fmt.Sprintf("%d users differ only in letter case", len(caseOnly))).
			WithDetail("Matching is exact: these users see \"User not found\".").WithEvidence("identical emails", listSome(caseOnly)))
	}
	if len(missing) > 0 {
		a.Add("users.missing_in_account", checks.Problem(checks.Fail, catalog.EmailNotProvisioned, fmt.Sprintf("%d IdP users are not provisioned in the account", len(missing))).
			WithDetail("They can sign in at the IdP but see \"User not found\" in the desktop app.").WithEvidence("an account user for each", listSome(missing)))
	}
	var notInIdP []string
	for _, e := range emails {
		if !idpExact[strings.ToLower(e)] {
			notInIdP = append(notInIdP, e)
		}
	}
	if len(notInIdP) > 0 {
		a.Add("users.missing_in_idp", checks.Problem(checks.Warn, catalog.EmailNotProvisioned, fmt.Sprintf("%d account users are not in the IdP export", len(notInIdP))).
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
