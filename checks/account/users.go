package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/quickdiag/quickdiag/checks"
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
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, err
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
