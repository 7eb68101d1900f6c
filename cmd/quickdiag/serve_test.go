package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
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
		outR, outW := io.Pipe()
		var mu sync.Mutex
		var opened []string
		args := []string{"serve"}
		if noBrowser {
			args = append(args, "--no-browser")
		}
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, args, stdio{out: outW, err: io.Discard, openBrowser: func(u string) error {
				mu.Lock()
				opened = append(opened, u)
				mu.Unlock()
				return nil
			}})
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
