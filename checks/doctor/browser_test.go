package doctor

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
)

// browserScript writes a BROWSER wrapper into a temporary folder: it runs
// headless Chromium on the URL (rewritten to https when upgrade is true,
// a test-only stand-in for an HSTS upgrade), or does nothing when
// chromium is "". Chromium loads the page, prints it and exits; the
// cleanup ends it in any case.
func browserScript(t *testing.T, chromium string, upgrade bool) {
	t.Helper()
	dir := t.TempDir()
	// Chromium's helpers may write the profile until they have exited:
	// it lives outside t.TempDir and is removed once Chromium is gone.
	profile, err := os.MkdirTemp("", "quickdiag-doctor-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pid")
	script := "#!/bin/sh\nexit 0\n"
	if chromium != "" {
		url := `"$1"`
		if upgrade {
			url = `"$(printf %s "$1" | sed 's|^http://|https://|')"`
		}
		script = "#!/bin/sh\necho $$ > " + pidFile + "\nexec timeout 60 " + chromium +
			" --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --disable-dev-shm-usage" +
			" --disable-background-networking --disable-component-update --user-data-dir=" + profile +
			" --dump-dom " + url + " >/dev/null 2>&1\n"
	}
	path := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", path)
	t.Cleanup(func() {
		defer os.RemoveAll(profile)
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return
		}
		proc, err := os.FindProcess(pid)
		if err != nil {
			return
		}
		proc.Signal(syscall.SIGTERM) // timeout passes it on to Chromium
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if proc.Signal(syscall.Signal(0)) != nil {
				return // gone
			}
		}
		proc.Kill()
	})
}

func needChromium(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("xdg-open"); err != nil && os.Getenv("CI") == "" {
		t.Skip("no xdg-open: github.com/cli/browser cannot open a browser here")
	}
	p := testbrowser.Path()
	if p == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (apt-get install chromium): the browser tests need it")
		}
		t.Skip("chromium is not installed: skipping the browser tests")
	}
	return p
}

// browserOptions use the real opener, github.com/cli/browser, which
// starts $BROWSER through xdg-open.
func browserOptions(t *testing.T, wait time.Duration) Options {
	o := testOptions(t)
	o.OpenBrowser = nil
	o.Browser = true
	o.BrowserWait = wait
	return o
}

func TestBrowserArrives(t *testing.T) {
	browserScript(t, needChromium(t), false)
	o := browserOptions(t, 45*time.Second)
	start := time.Now()
	f := of(Run(t.Context(), o), CheckBrowser)[0]
	if f.Status != checks.Pass || !(strings.Contains(f.Title, "IPv4 (127.0.0.1)") || strings.Contains(f.Title, "IPv6 (::1)")) {
		t.Fatalf("got %s %q %s", f.Status, f.Title, f.Detail)
	}
	if !strings.Contains(f.Detail, "HeadlessChrome") {
		t.Errorf("the browser is not named: %s", f.Detail)
	}
	t.Logf("%s in %s", f.Title, time.Since(start).Round(time.Millisecond))
}

func TestBrowserHTTPSUpgrade(t *testing.T) {
	browserScript(t, needChromium(t), true)
	o := browserOptions(t, 45*time.Second)
	f := of(Run(t.Context(), o), CheckBrowser)[0]
	if f.Status != checks.Fail || f.Row != catalog.LoopbackHTTPSUpgrade || !strings.Contains(f.Detail, "ClientHello") {
		t.Fatalf("got %s [%s] %q %s", f.Status, f.Row, f.Title, f.Detail)
	}
}

func TestBrowserNeverArrives(t *testing.T) {
	needChromium(t)
	browserScript(t, "", false)
	o := browserOptions(t, 700*time.Millisecond)
	start := time.Now()
	f := of(Run(t.Context(), o), CheckBrowser)[0]
	if f.Status != checks.Fail || f.Row != catalog.BrowserBlocksLoopback || !strings.Contains(f.Title, "within 700ms") ||
		!strings.Contains(f.Detail, "endpoint security") || !strings.Contains(f.Detail, "browser policy") || !strings.Contains(f.Detail, "local-network") {
		t.Fatalf("got %s [%s] %q %s", f.Status, f.Row, f.Title, f.Detail)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: the bound did not hold", d)
	}
}

func TestBrowserNotRunWhenPortTaken(t *testing.T) {
	child := holdPort(t, freePort(t))
	_ = child
	o := testOptions(t)
	o.Browser = true
	opened := false
	o.OpenBrowser = func(string) error { opened = true; return nil }
	// the child holds the port the options name
	o.Port = portOf(t, child)
	f := of(Run(t.Context(), o), CheckBrowser)[0]
	if f.Status != checks.Skip || !strings.Contains(f.Title, "taken") || opened {
		t.Errorf("got %s %q (browser opened: %v)", f.Status, f.Title, opened)
	}
}

func portOf(t *testing.T, child *exec.Cmd) int {
	for _, kv := range child.Env {
		if v, ok := strings.CutPrefix(kv, holdPortEnv+"="); ok {
			p, _ := strconv.Atoi(v)
			return p
		}
	}
	t.Fatal("no port")
	return 0
}

// TestBrowserProbeWizard drives the exported probe as a wizard would: it
// opens the URL itself (here, an http client standing in for its tab).
func TestBrowserProbeWizard(t *testing.T) {
	p, err := StartBrowserProbe(freePort(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := StartBrowserProbe(mustPort(t, p.URL)); err == nil {
		t.Fatal("a second probe took the same port")
	}
	// A page elsewhere on the port (another site's probe) is not the
	// browser's arrival.
	base := strings.SplitN(p.URL, "/quickdiag-doctor/", 2)[0]
	res, err := (&httpClient).Get(base + "/quickdiag-doctor/guessed")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("a wrong path: HTTP %d", res.StatusCode)
	}
	select {
	case a := <-p.Arrived():
		t.Fatalf("a request for another path counted as the arrival: %+v", a)
	case <-time.After(100 * time.Millisecond):
	}
	go func() {
		res, err := (&httpClient).Get(p.URL)
		if err == nil {
			res.Body.Close()
		}
	}()
	f := p.Wait(t.Context(), 5*time.Second, nil)
	if f.Status != checks.Pass {
		t.Fatalf("got %s %q", f.Status, f.Title)
	}
}

var httpClient = http.Client{Timeout: 5 * time.Second}

func mustPort(t *testing.T, u string) int {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(pu.Port())
	return p
}
