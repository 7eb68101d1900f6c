package account_test

import (
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
