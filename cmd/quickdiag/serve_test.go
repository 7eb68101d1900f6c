package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/internal/testidp"
)

func TestServeFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:8080"}, "loopback only"},
		{[]string{"--addr", "192.168.1.5:8080"}, "loopback only"},
		{[]string{"--addr", "8080"}, "give host:port"},
		{[]string{"--timeout", "-1s"}, "--timeout must be positive"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := runCLI(t, append([]string{"serve"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("serve %v: exit %d, %q", tt.args, code, errOut)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if _, err := parseServeFlags([]string{"--addr", addr}, io.Discard); err != nil {
			t.Errorf("--addr %s: %v", addr, err)
		}
	}
}

func TestServeRunsAndStops(t *testing.T) {
	// A port that is taken is a synchronous error.
	held, _ := net.Listen("tcp", "127.0.0.1:0")
	defer held.Close()
	if code, _, errOut := runCLI(t, "serve", "--no-browser", "--addr", held.Addr().String()); code != exitUsage || !strings.Contains(errOut, "choose another port") {
		t.Errorf("taken port: exit %d, %q", code, errOut)
	}

	for _, noBrowser := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var opened []string
		args := []string{"serve"}
		if noBrowser {
			args = append(args, "--no-browser")
		}
		u, done := startServe(t, ctx, args, func(u string) error {
			mu.Lock()
			opened = append(opened, u)
			mu.Unlock()
			return nil
		})
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
		mu.Lock()
		if got := len(opened); (got == 1) == noBrowser || (got == 1 && opened[0] != u) {
			t.Errorf("--no-browser=%v: opened %v", noBrowser, opened)
		}
		mu.Unlock()
		cancel() // Ctrl-C
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("exit %d after Ctrl-C", code)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop after Ctrl-C")
		}
		if _, err := http.Get(u); err == nil {
			t.Error("the wizard still answers after stopping")
		}
	}
}

func TestServeStopReleasesTheSignInPort(t *testing.T) {
	// Ctrl-C while a sign-in waits for its redirect: serve returns with
	// port 18080 free, for the desktop app.
	testidp.LockLoopbackPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u, done := startServe(t, ctx, []string{"serve", "--no-browser"}, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) string {
		t.Helper()
		resp, err := c.PostForm(u+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post("values", url.Values{"issuer": {"https://127.0.0.1:1"}, "authorization_endpoint": {"https://127.0.0.1:1/authorize"},
		"token_endpoint": {"https://127.0.0.1:1/token"}, "jwks_uri": {"https://127.0.0.1:1/jwks"}, "client_id": {"0oa1b2c3d4e5f6g7h8i9"}})
	if page := post("signin/start", nil); !strings.Contains(page, "/authorize?") {
		t.Fatalf("the sign-in did not start: %s", page)
	}
	cancel() // Ctrl-C
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after Ctrl-C")
	}
	for _, addr := range []string{"127.0.0.1:18080", "[::1]:18080"} {
		l, err := net.Listen("tcp", addr)
		if err != nil && !strings.Contains(err.Error(), "cannot assign") {
			t.Errorf("%s still held after serve stopped: %v", addr, err)
		}
		if l != nil {
			l.Close()
		}
	}
}

// startServe runs the command line in the background until ctx ends, and
// returns the wizard's URL from its first line and the exit status to come.
func startServe(t *testing.T, ctx context.Context, args []string, openBrowser func(string) error) (string, <-chan int) {
	t.Helper()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, stdio{out: outW, err: io.Discard, openBrowser: openBrowser})
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, outR)
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "quickdiag wizard: ")
	if !ok || !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}
	return u, done
}

// TestServerDropsIdleAndSlowConnections: a kept-alive connection left idle
// and a request whose body never comes are both closed by the server, so
// that a page cannot hold the wizard's connections open.
func TestServerDropsIdleAndSlowConnections(t *testing.T) {
	saved := timeouts
	timeouts.header, timeouts.read, timeouts.idle = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	t.Cleanup(func() { timeouts = saved })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}))
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	closedWithin := func(name string, conn net.Conn) {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err := io.Copy(io.Discard, conn)
		if err != nil || time.Since(start) > 3*time.Second {
			t.Errorf("%s: the server kept the connection open (%v after %s)", name, err, time.Since(start))
		}
	}
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	idle := dial()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("first request: %v", err)
	}
	closedWithin("idle keep-alive", idle)

	slow := dial()
	io.WriteString(slow, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc")
	closedWithin("slow body", slow)

	headers := dial()
	io.WriteString(headers, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	closedWithin("headers never finished", headers)
}
