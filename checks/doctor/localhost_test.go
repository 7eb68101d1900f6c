package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

func TestLocalhostEntries(t *testing.T) {
	hosts := "# comment localhost\n127.0.0.1\tlocalhost\n::1 ip6-localhost ip6-loopback localhost\n10.9.8.7 LocalHost. # VPN client wrote this\n192.168.1.2 printer\n"
	got := LocalhostEntries([]byte(hosts))
	want := []HostsEntry{
		{Line: 2, IP: "127.0.0.1", Text: "127.0.0.1\tlocalhost"},
		{Line: 3, IP: "::1", Text: "::1 ip6-localhost ip6-loopback localhost"},
		{Line: 4, IP: "10.9.8.7", Text: "10.9.8.7 LocalHost. # VPN client wrote this"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if !got[0].Loopback() || !got[1].Loopback() || got[2].Loopback() {
		t.Errorf("loopback: %v %v %v", got[0].Loopback(), got[1].Loopback(), got[2].Loopback())
	}
}

func TestLocalhost(t *testing.T) {
	tests := []struct {
		name     string
		resolves []string
		hosts    string
		status   checks.Status
		says     string
	}{
		{"both families", []string{"::1", "127.0.0.1"}, "", checks.Pass, "localhost resolves to ::1, 127.0.0.1"},
		{"IPv4 only", []string{"127.0.0.1"}, "", checks.Pass, "IPv4 only"},
		{"another loopback address, where nothing listens", []string{"127.0.1.1"}, "", checks.Fail, "127.0.1.1: dial"},
		{"resolves elsewhere", []string{"10.9.8.7", "127.0.0.1"}, "", checks.Fail, "10.9.8.7"},
		{"hosts file override", []string{"127.0.0.1"}, "127.0.0.1 localhost\n10.9.8.7 localhost\n", checks.Fail, "line 2: 10.9.8.7 localhost"},
		{"does not resolve", nil, "", checks.Fail, "does not resolve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			if tt.resolves != nil {
				o.Resolver = fakeResolver{"localhost": tt.resolves}
			} else {
				o.Resolver = fakeResolver{}
			}
			if tt.hosts != "" {
				o.HostsPath = filepath.Join(t.TempDir(), "hosts")
				os.WriteFile(o.HostsPath, []byte(tt.hosts), 0o600)
			}
			fs := localhostFindings(t.Context(), o.withDefaults())
			if tt.status == checks.Pass {
				for _, f := range fs {
					if f.Status != checks.Pass {
						t.Fatalf("want all pass:\n%s", dump(fs))
					}
				}
				if !strings.Contains(dump(fs), tt.says) || !strings.Contains(dump(fs), "reached by the name localhost") {
					t.Errorf("want %q and the reach test:\n%s", tt.says, dump(fs))
				}
				return
			}
			f := withRow(t, fs, catalog.LocalhostResolution)
			if f.Status != tt.status || !strings.Contains(f.Title+f.Detail, tt.says) {
				t.Errorf("got %s %q %q, want %s saying %q", f.Status, f.Title, f.Detail, tt.status, tt.says)
			}
		})
	}
}

func TestHostsUnreadable(t *testing.T) {
	o := testOptions(t)
	o.HostsPath = filepath.Join(t.TempDir(), "missing")
	fs := hostsFinding(o.withDefaults())
	if fs[0].Status != checks.Skip {
		t.Errorf("got %s", dump(fs))
	}
}
