package testidp

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
)

// The clients the ZITADEL provider knows (see zitadel/main.go).
const (
	ZitadelClient         = "quickdiag-desktop" // native, redirect exactly http://localhost:18080, claims in the ID token
	ZitadelNoClaims       = "no-claims"         // native, ID tokens without the user's claims (ZITADEL's default)
	ZitadelNoRefresh      = "no-refresh"        // native, without the refresh_token grant
	ZitadelWrongRedirect  = "wrong-redirect"    // native, redirect http://localhost:18080/callback
	ZitadelConfidential   = "confidential"      // web, client secret required
	ZitadelPassword       = "verysecure"        // every example user's password
	zitadelBuildTimeLimit = 5 * time.Minute
)

var (
	zitadelOnce sync.Once
	zitadelBin  string
	zitadelErr  error
)

// buildZitadel builds the ZITADEL provider (its own module, from the Go
// module proxy) once per test binary.
func buildZitadel() (string, error) {
	zitadelOnce.Do(func() {
		dir, err := os.MkdirTemp("", "quickdiag-zitadel-")
		if err != nil {
			zitadelErr = err
			return
		}
		bin := filepath.Join(dir, "zitadel-op")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = filepath.Join(filepath.Dir(Dir()), "zitadel")
		cmd.Env = append(os.Environ(), "GOWORK=off")
		done := make(chan struct{})
		var out []byte
		go func() { out, err = cmd.CombinedOutput(); close(done) }()
		select {
		case <-done:
		case <-time.After(zitadelBuildTimeLimit):
			cmd.Process.Kill()
			<-done
			err = fmt.Errorf("no build within %s", zitadelBuildTimeLimit)
		}
		if err != nil {
			zitadelErr = fmt.Errorf("build the ZITADEL provider: %v\n%s", err, out)
			return
		}
		zitadelBin = bin
	})
	return zitadelBin, zitadelErr
}

// Zitadel is ZITADEL's OpenID provider library running on loopback.
type Zitadel struct {
	// Issuer is http://127.0.0.1:<port>.
	Issuer string
	// User is the example user's login name.
	User string
}

// StartZitadel starts the ZITADEL provider and stops it when the test ends.
// users, when not empty, is a JSON object of users in the example storage's
// form ({"id": {"ID", "Username", "Password", "Email", …}}) replacing the
// example's. Under CI a provider that cannot be built fails the test;
// elsewhere it skips it.
func StartZitadel(t testing.TB, users string) *Zitadel {
	t.Helper()
	bin, err := buildZitadel()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	cmd := exec.Command(bin)
	if users != "" {
		path := filepath.Join(t.TempDir(), "users.json")
		if err := os.WriteFile(path, []byte(users), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(os.Environ(), "USERS_FILE="+path)
	}
	stdout, _ := cmd.StdoutPipe()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case issuer, ok := <-lines:
		if !ok || !strings.HasPrefix(issuer, "http://127.0.0.1:") {
			t.Fatalf("the ZITADEL provider did not start: %q %s", issuer, stderr.String())
		}
		host := strings.Split(strings.TrimPrefix(issuer, "http://"), ":")[0]
		return &Zitadel{Issuer: issuer, User: "test-user@" + host}
	case <-time.After(30 * time.Second):
		t.Fatalf("the ZITADEL provider did not start in 30s: %s", stderr.String())
	}
	return nil
}

// Config returns the five values of the desktop client, as discovery
// publishes them, with the given client ID.
func (z *Zitadel) Config(clientID string) checks.Config {
	return checks.Config{
		Issuer: z.Issuer, AuthorizationEndpoint: z.Issuer + "/auth", TokenEndpoint: z.Issuer + "/oauth/token",
		JWKSURI: z.Issuer + "/keys", ClientID: clientID, IdP: "generic",
	}
}
