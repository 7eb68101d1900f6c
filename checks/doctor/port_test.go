package doctor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cli/browser"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// holdPortEnv makes the test binary a child that listens on a port until
// its standard input closes.
const holdPortEnv = "QUICKDIAG_DOCTOR_HOLD_PORT"

func TestMain(m *testing.M) {
	if port := os.Getenv(holdPortEnv); port != "" {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin) // until the parent closes it
		l.Close()
		os.Exit(0)
	}
	browser.Stdout, browser.Stderr = io.Discard, io.Discard // xdg-open's chatter
	os.Exit(m.Run())
}

// holdPort starts a child process listening on 127.0.0.1:port and returns it.
func holdPort(t testing.TB, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdPortEnv+"="+strconv.Itoa(port))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("child: %q %v", line, err)
	}
	return cmd
}

func checkHeldBy(t *testing.T, port int) {
	child := holdPort(t, port)
	o := testOptions(t)
	o.Port = port
	start := time.Now()
	fs, free := portFindings(t.Context(), o.withDefaults())
	took := time.Since(start)
	if free {
		t.Fatal("port reported free")
	}
	f := withRow(t, fs, catalog.LoopbackUnavailable)
	pid := strconv.Itoa(child.Process.Pid)
	program := filepath.Base(os.Args[0])
	if len(program) > 15 {
		program = program[:15] // Linux keeps 15 characters of a process's name
	}
	if f.Status != checks.Fail || !strings.Contains(f.Title, "pid "+pid) || !strings.Contains(f.Title, program) {
		t.Errorf("got %s %q, want the child (pid %s, %s) named\n%s", f.Status, f.Title, pid, program, f.Detail)
	}
	if took > time.Second {
		t.Errorf("naming the holder took %s, want under a second", took)
	}
	t.Logf("%s (%s)", f.Title, took)
}

func TestPortHeldByAnotherProcess(t *testing.T) {
	checkHeldBy(t, freePort(t))
}

func TestPort18080HeldByAnotherProcess(t *testing.T) {
	testidp.LockLoopbackPort(t)
	checkHeldBy(t, checks.LoopbackPort)
}

func TestPortFree(t *testing.T) {
	o := testOptions(t)
	fs, free := portFindings(t.Context(), o.withDefaults())
	if !free || fs[0].Status != checks.Pass {
		t.Errorf("got %v %s", free, dump(fs))
	}
}

func TestPortHeldByDesktopApp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	o := testOptions(t)
	o.Port = l.Addr().(*net.TCPAddr).Port
	o.FindHolders = func(_ context.Context, port int, redact func(string) string) ([]Holder, error) {
		return []Holder{{PID: 4242, Name: "Amazon Quick", User: "alice", Addr: fmt.Sprintf("127.0.0.1:%d", port), Cmdline: redact("Amazon Quick --client_secret=abcdefgh123")}}, nil
	}
	o.Config.TokenEndpoint = "https://idp.example.com/token?client_secret=abcdefgh123"
	fs, _ := portFindings(t.Context(), o.withDefaults())
	f := withRow(t, fs, catalog.LoopbackUnavailable)
	if !strings.Contains(f.Title, "probably the desktop app mid-login") || !strings.Contains(f.Title, "user alice") || !strings.Contains(f.Fix, "finish or cancel") {
		t.Errorf("got %q, fix %q", f.Title, f.Fix)
	}
	if strings.Contains(f.Detail, "abcdefgh123") {
		t.Errorf("secret in the command line shows: %s", f.Detail)
	}
}
