package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	psnet "github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// holderTimeout bounds the search for the process that holds the port.
const holderTimeout = 5 * time.Second

// loopbackHosts are where the desktop app listens: localhost may resolve
// to either, and Chromium tries ::1 first.
var loopbackHosts = []string{"127.0.0.1", "::1"}

// Holder is a process listening on a port.
type Holder struct {
	// PID is 0 when the process is another user's and not visible.
	PID int32
	// Name is the program's name; User the account it runs as.
	Name string
	User string
	// Cmdline is the process's command line, secrets redacted, shortened.
	Cmdline string
	// Addr is the address it listens on (127.0.0.1:18080, [::]:18080).
	Addr string
}

// String describes the holder for a person.
func (h Holder) String() string {
	s := fmt.Sprintf("%s (pid %d", orUnknown(h.Name), h.PID)
	if h.User != "" {
		s += ", user " + h.User
	}
	return s + ", listening on " + h.Addr + ")"
}

// LikelyDesktopApp reports whether the holder looks like the Amazon Quick
// desktop app itself (its process name says Quick).
func (h Holder) LikelyDesktopApp() bool {
	return strings.Contains(strings.ToLower(h.Name), "quick") && !strings.Contains(strings.ToLower(h.Name), "quickdiag")
}

func orUnknown(s string) string {
	if s == "" {
		return "(name unknown)"
	}
	return s
}

// FindHolders returns the processes listening on a TCP port of the
// loopback or of every address, through gopsutil (the kernel's tables on
// Linux and Windows, lsof on macOS). A process of another user may show
// without its pid when quickdiag runs unprivileged.
func FindHolders(ctx context.Context, port int, redact func(string) string) ([]Holder, error) {
	conns, err := psnet.ConnectionsWithContext(ctx, "tcp")
	if err != nil {
		return nil, fmt.Errorf("list listening sockets: %w", err)
	}
	var out []Holder
	seen := map[string]bool{}
	for _, c := range conns {
		if c.Status != "LISTEN" || int(c.Laddr.Port) != port {
			continue
		}
		ip := net.ParseIP(c.Laddr.IP)
		if ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
			continue
		}
		h := Holder{PID: c.Pid, Addr: net.JoinHostPort(c.Laddr.IP, strconv.Itoa(port))}
		key := fmt.Sprint(h.PID, h.Addr)
		if seen[key] {
			continue
		}
		seen[key] = true
		if c.Pid > 0 {
			if p, err := process.NewProcessWithContext(ctx, c.Pid); err == nil {
				h.Name, _ = p.NameWithContext(ctx)
				h.User, _ = p.UsernameWithContext(ctx)
				cmd, _ := p.CmdlineWithContext(ctx)
				h.Cmdline = checks.Truncate(redact(cmd), 200)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// portFindings reports whether the desktop app's port is free on both
// loopback addresses, or who holds it; free is true when it is.
func portFindings(ctx context.Context, o *Options) (fs []checks.Finding, free bool) {
	var busy []string
	var notes []string
	var firstErr error
	for _, host := range loopbackHosts {
		addr := net.JoinHostPort(host, strconv.Itoa(o.Port))
		l, err := net.Listen("tcp", addr)
		if err == nil {
			l.Close()
			continue
		}
		if host == "::1" && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)) {
			notes = append(notes, "IPv6 is not available on this machine: only 127.0.0.1 can listen, and browsers reach localhost over IPv4.")
			continue
		}
		busy = append(busy, addr)
		if firstErr == nil {
			firstErr = err
		}
	}
	if len(busy) == 0 {
		f := checks.Passf("Port %d is free on 127.0.0.1 and ::1", o.Port)
		f.Detail = strings.Join(notes, " ")
		return []checks.Finding{f}, true
	}
	hctx, cancel := context.WithTimeout(ctx, holderTimeout)
	defer cancel()
	holders, herr := o.FindHolders(hctx, o.Port, checks.NewRedactor(o.Config).String)
	title := fmt.Sprintf("Port %d is not free on %s", o.Port, strings.Join(busy, " and "))
	var detail []string
	fix := fmt.Sprintf("Stop the program that holds port %d, then sign in again from the desktop app.", o.Port)
	switch {
	case herr != nil:
		detail = append(detail, "The process that holds it could not be found: "+herr.Error()+".")
	case len(holders) == 0:
		detail = append(detail, "No listening process was found: it may belong to another user (run quickdiag as administrator to see it) or be a socket in TIME_WAIT.")
	default:
		h := holders[0]
		title = fmt.Sprintf("Port %d is held by %s", o.Port, h)
		for _, h := range holders {
			line := "Held by " + h.String()
			if h.Cmdline != "" {
				line += ": " + h.Cmdline
			}
			detail = append(detail, line+".")
		}
		if h.LikelyDesktopApp() {
			title = fmt.Sprintf("Port %d is held by %s: probably the desktop app mid-login", o.Port, h)
			fix = "The desktop app is waiting for a sign-in: finish or cancel it in the app (or quit the app), then run quickdiag doctor again."
		} else if h.PID > 0 {
			fix = fmt.Sprintf("Stop %s (pid %d) or move it off port %d, then sign in again from the desktop app.", orUnknown(h.Name), h.PID, o.Port)
		}
	}
	detail = append(detail, "The desktop app must listen on http://localhost:"+strconv.Itoa(o.Port)+" for the IdP's redirect.")
	detail = append(detail, notes...)
	f := checks.Problem(checks.Fail, catalog.LoopbackUnavailable, title).
		WithDetail(strings.Join(detail, "\n")).
		WithEvidence(fmt.Sprintf("port %d free on 127.0.0.1 and ::1", o.Port), firstErr.Error()).
		WithFix(fix)
	return []checks.Finding{f}, false
}
