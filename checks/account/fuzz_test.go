package account_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/account"
)

// The fuzz tests feed arbitrary input to each analyzer: none may panic,
// and each ends (go test -fuzz bounds every input's time). Without -fuzz
// they run their seed corpus as ordinary tests.

func FuzzKMSPolicy(f *testing.F) {
	f.Add(goodPolicy)
	f.Add(`{"Policy": "{\"Statement\": []}"}`)
	f.Add(`"{\"Statement\": {\"Principal\": \"*\"}}"`)
	f.Add(`{"Statement": [{"Principal": {"Service": ["a", 1]}}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		a, err := account.AnalyzeKMSPolicies(in("p", data))
		if err == nil && a == nil {
			t.Fatal("no analysis and no error")
		}
	})
}

func FuzzSubscription(f *testing.F) {
	f.Add(`{"AccountInfo": {"Edition": "ENTERPRISE", "AccountSubscriptionStatus": "ACCOUNT_CREATED"}}`)
	f.Add(`{"Edition": "STANDARD"}`)
	f.Fuzz(func(t *testing.T, data string) {
		if a, err := account.AnalyzeSubscription(in("s", data), ""); err == nil && a == nil {
			t.Fatal("no analysis and no error")
		}
	})
}

func FuzzUsers(f *testing.F) {
	f.Add(listUsers, "email\na@x.example\n")
	f.Add(`{"UserList": null}`, `[{"Email": 1}]`)
	f.Add(`{"UserList": [{}]}`, "\"unterminated")
	f.Fuzz(func(t *testing.T, quick, idp string) {
		if a, err := account.AnalyzeUsers(in("u", quick), &account.Input{Name: "i", Data: []byte(idp)}); err == nil && a == nil {
			t.Fatal("no analysis and no error")
		}
	})
}

// BenchmarkUsersLargest compares the largest list-users output an analyzer
// reads (16 MiB, about 96,000 users) with an IdP export of the same users.
func BenchmarkUsersLargest(b *testing.B) {
	quick, idp := largeLists(account.MaxInput)
	b.SetBytes(int64(len(quick.Data) + len(idp.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := account.AnalyzeUsers(quick, &idp); err != nil {
			b.Fatal(err)
		}
	}
}

// largeLists returns a list-users output of at most limit bytes and an IdP
// CSV export naming the same users, every tenth in another letter case.
func largeLists(limit int) (account.Input, account.Input) {
	var quick, csv strings.Builder
	quick.WriteString(`{"UserList": [`)
	csv.WriteString("email\n")
	for i := 0; ; i++ {
		user := fmt.Sprintf(`{"Arn": "arn:aws:quicksight:us-east-1:111122223333:user/default/user%06d", "UserName": "user%06d", "Email": "user%06d@acme.example", "Role": "READER", "Active": true}`, i, i, i)
		if quick.Len()+len(user)+4 > limit {
			break
		}
		if i > 0 {
			quick.WriteString(", ")
		}
		quick.WriteString(user)
		email := fmt.Sprintf("user%06d@acme.example", i)
		if i%10 == 0 {
			email = strings.ToUpper(email)
		}
		csv.WriteString(email + "\n")
	}
	quick.WriteString("]}")
	return account.Input{Name: "users.json", Data: []byte(quick.String())},
		account.Input{Name: "idp.csv", Data: []byte(csv.String())}
}
