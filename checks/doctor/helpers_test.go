package doctor

import (
	"context"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// fakeResolver answers from a table; other names do not resolve. It never
// leaves the machine.
type fakeResolver map[string][]string

func (r fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ips, ok := r[strings.ToLower(host)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

// loopbackResolver is a machine whose localhost is as it should be.
var loopbackResolver = fakeResolver{"localhost": {"127.0.0.1", "::1"}}

// env is a fake environment.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// freePort returns a port free on both loopback addresses just now.
func freePort(t testing.TB) int {
	t.Helper()
	ls, port, _ := listenBoth()
	for _, l := range ls {
		l.Close()
	}
	if port == 0 {
		t.Fatal("no free loopback port")
	}
	return port
}

// testOptions are options that touch nothing of this machine but its
// loopback: a fake environment, no system proxy, a clean hosts file, a
// fake resolver, an empty trust store and a free port.
func testOptions(t testing.TB) Options {
	t.Helper()
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("127.0.0.1 localhost\n::1 localhost ip6-localhost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return Options{
		Getenv:      env(),
		SystemProxy: func(context.Context) SystemProxy { return SystemProxy{Note: "none (test)"} },
		HostsPath:   hosts,
		Resolver:    loopbackResolver,
		Roots:       x509.NewCertPool(),
		Port:        freePort(t),
		MyIP:        func() string { return "10.1.2.3" },
		OpenBrowser: func(string) error { return nil },
	}
}

// of returns the findings of one check.
func of(a *checks.Analysis, check string) []checks.Finding {
	var out []checks.Finding
	for _, f := range a.Findings {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

// withRow returns the first finding with the row, or fails the test.
func withRow(t testing.TB, fs []checks.Finding, row catalog.ID) checks.Finding {
	t.Helper()
	for _, f := range fs {
		if f.Row == row {
			return f
		}
	}
	t.Fatalf("no finding with row %s in:\n%s", row, dump(fs))
	return checks.Finding{}
}

func noRow(t testing.TB, fs []checks.Finding, row catalog.ID) {
	t.Helper()
	for _, f := range fs {
		if f.Row == row {
			t.Fatalf("unexpected finding with row %s:\n%s", row, dump(fs))
		}
	}
}

func dump(fs []checks.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(string(f.Status) + " [" + string(f.Row) + "] " + f.Title + "\n    " + strings.ReplaceAll(f.Detail, "\n", "\n    ") + "\n")
	}
	return b.String()
}
