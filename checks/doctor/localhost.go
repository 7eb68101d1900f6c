package doctor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// maxHostsFile bounds what is read of the hosts file.
const maxHostsFile = 4 << 20

// dialTimeout bounds one loopback connection attempt.
const dialTimeout = 2 * time.Second

// SystemHostsPath returns the hosts file of this system: /etc/hosts, or
// %SystemRoot%\System32\drivers\etc\hosts on Windows.
func SystemHostsPath() string {
	if runtime.GOOS == "windows" {
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return filepath.Join(root, "System32", "drivers", "etc", "hosts")
	}
	return "/etc/hosts"
}

// HostsEntry is one line of a hosts file that names localhost.
type HostsEntry struct {
	// Line is the 1-based line number, IP the address the line gives,
	// Text the whole line.
	Line int
	IP   string
	Text string
}

// Loopback reports whether the entry points at this machine (127.0.0.0/8 or ::1).
func (e HostsEntry) Loopback() bool {
	ip := net.ParseIP(strings.Split(e.IP, "%")[0])
	return ip != nil && ip.IsLoopback()
}

// LocalhostEntries returns the lines of a hosts file that name localhost.
func LocalhostEntries(hosts []byte) []HostsEntry {
	var out []HostsEntry
	sc := bufio.NewScanner(bytes.NewReader(hosts))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		body, _, _ := strings.Cut(line, "#")
		f := strings.Fields(body)
		if len(f) < 2 {
			continue
		}
		for _, name := range f[1:] {
			if strings.EqualFold(strings.TrimSuffix(name, "."), "localhost") {
				out = append(out, HostsEntry{Line: n, IP: f[0], Text: strings.TrimSpace(line)})
				break
			}
		}
	}
	return out
}

// localhostFindings reports what localhost resolves to, any hosts-file
// line sending it elsewhere, and whether a listener on both loopback
// addresses is reached by the name.
func localhostFindings(ctx context.Context, o *Options) []checks.Finding {
	var out []checks.Finding
	out = append(out, hostsFinding(o)...)
	rctx, cancel := context.WithTimeout(ctx, o.RequestTimeout)
	defer cancel()
	addrs, err := o.Resolver.LookupIPAddr(rctx, "localhost")
	if err != nil || len(addrs) == 0 {
		return append(out, checks.Problem(checks.Fail, catalog.LocalhostResolution, "localhost does not resolve on this machine").
			WithDetail(fmt.Sprintf("Looking up localhost: %v. The browser cannot follow the redirect to http://localhost:%d.", err, o.Port)).
			WithEvidence("127.0.0.1 and ::1", "no address"))
	}
	var list, bad []string
	v4, v6 := false, false
	for _, a := range addrs {
		list = append(list, a.IP.String())
		switch {
		case !a.IP.IsLoopback():
			bad = append(bad, a.IP.String())
		case a.IP.To4() != nil:
			v4 = true
		default:
			v6 = true
		}
	}
	got := strings.Join(list, ", ")
	if len(bad) > 0 {
		out = append(out, checks.Problem(checks.Fail, catalog.LocalhostResolution, "localhost resolves to "+strings.Join(bad, ", ")+", not only to the loopback").
			WithDetail(fmt.Sprintf("localhost resolves, in this order, to %s. The browser follows the redirect to http://localhost:%d there, and the desktop app, which listens on the loopback, never gets it. A hosts-file line or a VPN's DNS does this.", got, o.Port)).
			WithEvidence("127.0.0.1 and ::1 only", got))
	} else {
		f := checks.Passf("localhost resolves to %s", got)
		f.Detail = "In this order; families: " + families(v4, v6) + "."
		out = append(out, f)
	}
	return append(out, reachFinding(ctx, o, addrs))
}

func families(v4, v6 bool) string {
	switch {
	case v4 && v6:
		return "IPv4 and IPv6"
	case v4:
		return "IPv4 only"
	case v6:
		return "IPv6 only"
	}
	return "none on the loopback"
}

// hostsFinding reports hosts-file lines that send localhost elsewhere.
func hostsFinding(o *Options) []checks.Finding {
	f, err := os.Open(o.HostsPath)
	if err != nil {
		return []checks.Finding{checks.Skipf("The hosts file %s could not be read: %v", o.HostsPath, err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHostsFile))
	if err != nil {
		return []checks.Finding{checks.Skipf("The hosts file %s could not be read: %v", o.HostsPath, err)}
	}
	var bad []string
	for _, e := range LocalhostEntries(data) {
		if !e.Loopback() {
			bad = append(bad, fmt.Sprintf("line %d: %s", e.Line, e.Text))
		}
	}
	if len(bad) == 0 {
		return []checks.Finding{checks.Passf("The hosts file %s sends localhost nowhere but the loopback", o.HostsPath)}
	}
	return []checks.Finding{checks.Problem(checks.Fail, catalog.LocalhostResolution, "The hosts file sends localhost elsewhere").
		WithDetail(o.HostsPath+":\n"+strings.Join(bad, "\n")).
		WithEvidence("127.0.0.1 localhost and ::1 localhost", strings.Join(bad, "; ")).
		WithFix("Edit " + o.HostsPath + " (as administrator): remove or comment out the line(s) above, and keep 127.0.0.1 localhost and ::1 localhost.")}
}

// reachFinding listens on one ephemeral port of 127.0.0.1 and ::1 and
// dials localhost:port at each address the name resolves to, in order.
func reachFinding(ctx context.Context, o *Options, addrs []net.IPAddr) checks.Finding {
	ls, port, note := listenBoth()
	if len(ls) == 0 {
		return checks.Skipf("No loopback listener could be opened to test reaching localhost: %s", note)
	}
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for _, l := range ls {
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	var reached, failed []string
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			failed = append(failed, a.IP.String()+": not on the loopback (not dialled)")
			continue
		}
		d := net.Dialer{Timeout: dialTimeout}
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a.IP.String(), strconv.Itoa(port)))
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", a.IP, err))
			continue
		}
		c.Close()
		reached = append(reached, a.IP.String())
	}
	detail := fmt.Sprintf("A listener on 127.0.0.1 and ::1 (port %d) was dialled at each address of localhost.", port)
	if note != "" {
		detail += " " + note
	}
	if len(failed) > 0 {
		detail += "\nNot reached: " + strings.Join(failed, "; ")
	}
	if len(reached) == 0 {
		return checks.Problem(checks.Fail, catalog.LocalhostResolution, "A listener on the loopback is not reached by the name localhost").
			WithDetail(detail).
			WithEvidence("localhost:"+strconv.Itoa(port)+" reached", "not reached")
	}
	f := checks.Passf("A loopback listener is reached by the name localhost (at %s)", strings.Join(reached, ", "))
	f.Detail = detail
	return f
}

// listenBoth listens on one port of both loopback addresses (only
// 127.0.0.1 when IPv6 is missing).
func listenBoth() ([]net.Listener, int, string) {
	for range 5 {
		l4, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, 0, err.Error()
		}
		port := l4.Addr().(*net.TCPAddr).Port
		l6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port)))
		if err == nil {
			return []net.Listener{l4, l6}, port, ""
		}
		if !portTaken(err) {
			return []net.Listener{l4}, port, "IPv6 is not available on this machine (" + err.Error() + "): only 127.0.0.1 listens."
		}
		l4.Close()
	}
	l4, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err.Error()
	}
	return []net.Listener{l4}, l4.Addr().(*net.TCPAddr).Port, "No port was free on both addresses: only 127.0.0.1 listens."
}
