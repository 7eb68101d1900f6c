package doctor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// MaxPACSize is the largest PAC script read; real ones are a few KiB.
const MaxPACSize = 1 << 20

// DefaultPACTimeout bounds one run of a PAC script.
const DefaultPACTimeout = 2 * time.Second

// pacDNSTimeout bounds one name resolution made by a PAC script.
const pacDNSTimeout = time.Second

// ErrPACTimeout is the error of a PAC script that ran past its time limit.
var ErrPACTimeout = errors.New("the PAC script ran past its time limit")

// PACError is a PAC script that cannot be used: it could not be fetched,
// is not JavaScript, has no FindProxyForURL, or failed while running.
type PACError struct {
	// Stage is what failed: "fetch", "compile", "run" or "timeout".
	Stage string
	Err   error
}

// Error says what failed.
func (e *PACError) Error() string {
	switch e.Stage {
	case "fetch":
		return "fetch the PAC script: " + e.Err.Error()
	case "compile":
		return "the PAC script is not JavaScript: " + e.Err.Error()
	case "timeout":
		return e.Err.Error()
	}
	return "run the PAC script: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *PACError) Unwrap() error { return e.Err }

// Resolver resolves host names; *net.Resolver is one.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// PACOptions configure a PAC script's run.
type PACOptions struct {
	// Timeout bounds each run of the script; zero means DefaultPACTimeout.
	Timeout time.Duration
	// Resolver serves dnsResolve, isResolvable and isInNet; nil means net.DefaultResolver.
	Resolver Resolver
	// Now is the clock of weekdayRange, dateRange and timeRange; nil means time.Now.
	Now func() time.Time
	// MyIP is what myIpAddress returns; nil means this machine's first
	// non-loopback IPv4 address (no packet is sent to learn it).
	MyIP func() string
}

// PAC is a compiled proxy auto-config script with the standard helper
// functions implemented in Go. It is safe for concurrent use: calls take
// turns on one JavaScript runtime, as in a browser.
type PAC struct {
	mu   sync.Mutex
	vm   *goja.Runtime
	find goja.Callable
	opts PACOptions
}

// FetchPAC reads a PAC script from an http://, https:// or file:// URL, at
// most MaxPACSize bytes. The client makes the http(s) request; it must be
// bounded.
func FetchPAC(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &PACError{"fetch", err}
	}
	var r io.ReadCloser
	switch u.Scheme {
	case "file":
		path := u.Path
		if u.Host != "" && u.Host != "localhost" { // file://server/share (Windows UNC)
			path = `\\` + u.Host + strings.ReplaceAll(u.Path, "/", `\`)
		} else if len(path) > 2 && path[0] == '/' && path[2] == ':' { // file:///C:/x.pac
			path = path[1:]
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, &PACError{"fetch", err}
		}
		r = f
	case "http", "https":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, &PACError{"fetch", err}
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, &PACError{"fetch", err}
		}
		if res.StatusCode != http.StatusOK {
			res.Body.Close()
			return nil, &PACError{"fetch", fmt.Errorf("HTTP %d from %s", res.StatusCode, u.Redacted())}
		}
		r = res.Body
	default:
		return nil, &PACError{"fetch", fmt.Errorf("%q is not an http://, https:// or file:// URL", rawURL)}
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxPACSize+1))
	if err != nil {
		return nil, &PACError{"fetch", err}
	}
	if len(data) > MaxPACSize {
		return nil, &PACError{"fetch", fmt.Errorf("larger than %d KiB: a PAC script is a few KiB of JavaScript", MaxPACSize>>10)}
	}
	return data, nil
}

// NewPAC compiles a PAC script and runs its top level, within the time limit.
func NewPAC(name string, src []byte, opts PACOptions) (*PAC, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultPACTimeout
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MyIP == nil {
		opts.MyIP = myIPAddress
	}
	prog, err := goja.Compile(name, string(src), false)
	if err != nil {
		return nil, &PACError{"compile", err}
	}
	p := &PAC{vm: goja.New(), opts: opts}
	p.install()
	if _, err := p.bounded(func() (goja.Value, error) { return p.vm.RunProgram(prog) }); err != nil {
		return nil, err
	}
	find, ok := goja.AssertFunction(p.vm.Get("FindProxyForURL"))
	if !ok {
		return nil, &PACError{"compile", errors.New("it defines no function FindProxyForURL(url, host)")}
	}
	p.find = find
	return p, nil
}

// FindProxy returns the script's answer for a URL ("PROXY host:port;
// DIRECT"). As browsers do, an https URL is passed without path and query.
func (p *PAC) FindProxy(u *url.URL) (string, error) {
	arg := u.String()
	if u.Scheme == "https" {
		arg = u.Scheme + "://" + u.Host + "/"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, err := p.bounded(func() (goja.Value, error) {
		return p.find(goja.Undefined(), p.vm.ToValue(arg), p.vm.ToValue(strings.ToLower(u.Hostname())))
	})
	if err != nil {
		return "", err
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "", &PACError{"run", errors.New("FindProxyForURL returned nothing")}
	}
	return v.String(), nil
}

// bounded runs f with the script's time limit.
func (p *PAC) bounded(f func() (goja.Value, error)) (goja.Value, error) {
	t := time.AfterFunc(p.opts.Timeout, func() { p.vm.Interrupt(ErrPACTimeout) })
	v, err := f()
	t.Stop()
	p.vm.ClearInterrupt()
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return nil, &PACError{"timeout", fmt.Errorf("%w (%s): it loops or waits", ErrPACTimeout, p.opts.Timeout)}
	}
	if err != nil {
		return nil, &PACError{"run", err}
	}
	return v, nil
}

// install defines the PAC helper functions.
func (p *PAC) install() {
	vm := p.vm
	set := func(name string, f any) { _ = vm.Set(name, f) }
	set("isPlainHostName", isPlainHostName)
	set("dnsDomainIs", dnsDomainIs)
	set("localHostOrDomainIs", localHostOrDomainIs)
	set("dnsDomainLevels", dnsDomainLevels)
	set("shExpMatch", shExpMatch)
	set("convert_addr", convertAddr)
	set("isResolvable", func(host string) bool { return p.resolve4(host) != "" })
	set("dnsResolve", func(host string) goja.Value {
		if ip := p.resolve4(host); ip != "" {
			return vm.ToValue(ip)
		}
		return goja.Null()
	})
	set("isInNet", func(host, pattern, mask string) bool {
		ip := host
		if net.ParseIP(host) == nil {
			ip = p.resolve4(host)
		}
		return isInNet(ip, pattern, mask)
	})
	set("myIpAddress", func() string { return p.opts.MyIP() })
	set("weekdayRange", func(c goja.FunctionCall) goja.Value { return vm.ToValue(weekdayRange(p.opts.Now(), jsArgs(c))) })
	set("dateRange", func(c goja.FunctionCall) goja.Value { return vm.ToValue(dateRange(p.opts.Now(), jsArgs(c))) })
	set("timeRange", func(c goja.FunctionCall) goja.Value { return vm.ToValue(timeRange(p.opts.Now(), jsArgs(c))) })
	set("alert", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
}

func jsArgs(c goja.FunctionCall) []string {
	out := make([]string, len(c.Arguments))
	for i, a := range c.Arguments {
		out[i] = a.String()
	}
	return out
}

// resolve4 returns the first IPv4 address of host (else the first
// address), or "" when it does not resolve within pacDNSTimeout.
func (p *PAC) resolve4(host string) string {
	if ip := net.ParseIP(host); ip != nil {
		return ip.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), pacDNSTimeout)
	defer cancel()
	addrs, err := p.opts.Resolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return ""
	}
	for _, a := range addrs {
		if a.IP.To4() != nil {
			return a.IP.String()
		}
	}
	return addrs[0].IP.String()
}

// myIPAddress returns this machine's first non-loopback IPv4 address, or
// 127.0.0.1.
func myIPAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
				return n.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

func isPlainHostName(host string) bool { return !strings.Contains(host, ".") }

func dnsDomainIs(host, domain string) bool {
	return strings.HasSuffix(strings.ToLower(host), strings.ToLower(domain))
}

func localHostOrDomainIs(host, hostdom string) bool {
	host, hostdom = strings.ToLower(host), strings.ToLower(hostdom)
	return host == hostdom || !strings.Contains(host, ".") && strings.HasPrefix(hostdom, host+".")
}

func dnsDomainLevels(host string) int { return strings.Count(host, ".") }

// shExpMatch matches a shell expression: * any run of characters (slashes
// too), ? one character.
func shExpMatch(s, exp string) bool {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range exp {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}

// convertAddr returns the 32-bit value of a dotted IPv4 address (0 when
// it is not one).
func convertAddr(ip string) uint32 {
	v4 := net.ParseIP(ip).To4()
	if v4 == nil {
		return 0
	}
	return binary.BigEndian.Uint32(v4)
}

func isInNet(ip, pattern, mask string) bool {
	a, p, m := net.ParseIP(ip).To4(), net.ParseIP(pattern).To4(), net.ParseIP(mask).To4()
	if a == nil || p == nil || m == nil {
		return false
	}
	for i := range 4 {
		if a[i]&m[i] != p[i]&m[i] {
			return false
		}
	}
	return true
}

// gmt strips a trailing "GMT" argument and returns now in UTC when it was there.
func gmt(now time.Time, args []string) (time.Time, []string) {
	if n := len(args); n > 0 && strings.EqualFold(args[n-1], "GMT") {
		return now.UTC(), args[:n-1]
	}
	return now, args
}

var weekdays = map[string]time.Weekday{"SUN": time.Sunday, "MON": time.Monday, "TUE": time.Tuesday, "WED": time.Wednesday, "THU": time.Thursday, "FRI": time.Friday, "SAT": time.Saturday}

// weekdayRange(wd1 [, wd2] [, "GMT"]): today is wd1, or in wd1..wd2
// (which may wrap past Saturday).
func weekdayRange(now time.Time, args []string) bool {
	now, args = gmt(now, args)
	if len(args) < 1 || len(args) > 2 {
		return false
	}
	w1, ok1 := weekdays[strings.ToUpper(args[0])]
	w2, ok2 := w1, true
	if len(args) == 2 {
		w2, ok2 = weekdays[strings.ToUpper(args[1])]
	}
	if !ok1 || !ok2 {
		return false
	}
	return inCycle(int(now.Weekday()), int(w1), int(w2))
}

// inCycle reports whether v is in lo..hi, wrapping when lo > hi.
func inCycle(v, lo, hi int) bool {
	if lo <= hi {
		return lo <= v && v <= hi
	}
	return v >= lo || v <= hi
}

var months = map[string]time.Month{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

// dateArg classifies one dateRange argument: a day (1–31), a month name,
// or a year (a number above 31).
func dateArg(s string) (kind byte, v int) {
	if m, ok := months[strings.ToUpper(s)]; ok {
		return 'm', int(m)
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || n < 1:
		return 0, 0
	case n <= 31:
		return 'd', n
	}
	return 'y', n
}

// dateRange follows Netscape's forms: (day), (month), (year), two of one
// kind, (d1, m1, d2, m2), (m1, y1, m2, y2), (d1, m1, y1, d2, m2, y2), each
// optionally with "GMT" last. Ranges without years may wrap past December.
func dateRange(now time.Time, args []string) bool {
	now, args = gmt(now, args)
	n := len(args)
	if n == 0 || n == 3 || n == 5 || n > 6 {
		return false
	}
	half := max(n/2, 1)
	var kinds [2]string
	var vals [2]map[byte]int
	for h := range 2 {
		vals[h] = map[byte]int{}
		part := args[:half]
		if h == 1 {
			if n == 1 {
				part = args
			} else {
				part = args[half:]
			}
		}
		for _, a := range part {
			k, v := dateArg(a)
			if k == 0 {
				return false
			}
			if _, dup := vals[h][k]; dup {
				return false
			}
			kinds[h] += string(k)
			vals[h][k] = v
		}
	}
	if kinds[0] != kinds[1] {
		return false
	}
	loc := now.Location()
	y, m, _ := now.Date()
	bound := func(v map[byte]int, end bool) time.Time {
		yy, mm, dd := y, m, 1
		if d, ok := v['d']; ok {
			dd = d
		} else if end {
			dd = 0 // the last day of the month: day 0 of the next
		}
		if mo, ok := v['m']; ok {
			mm = time.Month(mo)
		} else if _, ok := v['d']; !ok { // years only
			mm = 1
			if end {
				mm = 12
			}
		}
		if yr, ok := v['y']; ok {
			yy = yr
		}
		if end {
			if dd == 0 {
				return time.Date(yy, mm+1, 1, 0, 0, 0, 0, loc).Add(-time.Second)
			}
			return time.Date(yy, mm, dd, 23, 59, 59, 0, loc)
		}
		return time.Date(yy, mm, dd, 0, 0, 0, 0, loc)
	}
	start, end := bound(vals[0], false), bound(vals[1], true)
	_, years := vals[0]['y']
	if !start.After(end) {
		return !now.Before(start) && !now.After(end)
	}
	if years {
		return false
	}
	return !now.Before(start) || !now.After(end)
}

// timeRange follows Netscape's forms: (hour), (h1, h2), (h1, m1, h2, m2),
// (h1, m1, s1, h2, m2, s2), optionally with "GMT" last; the end is
// inclusive (timeRange(9, 17) holds until 17:59:59) and a range may wrap
// past midnight.
func timeRange(now time.Time, args []string) bool {
	now, args = gmt(now, args)
	nums := make([]int, len(args))
	for i, a := range args {
		v, err := strconv.Atoi(a)
		if err != nil || v < 0 {
			return false
		}
		nums[i] = v
	}
	t := now.Hour()*3600 + now.Minute()*60 + now.Second()
	var lo, hi int
	switch len(nums) {
	case 1:
		return now.Hour() == nums[0]
	case 2:
		lo, hi = nums[0]*3600, nums[1]*3600+3599
	case 4:
		lo, hi = nums[0]*3600+nums[1]*60, nums[2]*3600+nums[3]*60+59
	case 6:
		lo, hi = nums[0]*3600+nums[1]*60+nums[2], nums[3]*3600+nums[4]*60+nums[5]
	default:
		return false
	}
	return inCycle(t, lo, hi)
}

// ProxyChoice is one entry of a PAC answer.
type ProxyChoice struct {
	// Kind is DIRECT, PROXY, HTTPS, SOCKS, SOCKS4 or SOCKS5.
	Kind string
	// Addr is host:port; empty for DIRECT.
	Addr string
}

// String returns the entry as a PAC writes it.
func (c ProxyChoice) String() string {
	if c.Kind == "DIRECT" {
		return "DIRECT"
	}
	return c.Kind + " " + c.Addr
}

// URL returns the proxy's URL for an http.Transport, or nil for DIRECT.
func (c ProxyChoice) URL() *url.URL {
	switch c.Kind {
	case "DIRECT":
		return nil
	case "HTTPS":
		return &url.URL{Scheme: "https", Host: c.Addr}
	case "SOCKS", "SOCKS4", "SOCKS5":
		return &url.URL{Scheme: "socks5", Host: c.Addr}
	}
	return &url.URL{Scheme: "http", Host: c.Addr}
}

// ParsePACResult parses a PAC answer ("PROXY a:1; DIRECT") into its entries.
func ParsePACResult(s string) ([]ProxyChoice, error) {
	var out []ProxyChoice
	for _, part := range strings.Split(s, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		kind := strings.ToUpper(f[0])
		switch {
		case kind == "DIRECT" && len(f) == 1:
			out = append(out, ProxyChoice{Kind: kind})
		case (kind == "PROXY" || kind == "HTTPS" || kind == "HTTP" || strings.HasPrefix(kind, "SOCKS")) && len(f) == 2:
			if kind == "HTTP" {
				kind = "PROXY"
			}
			out = append(out, ProxyChoice{Kind: kind, Addr: f[1]})
		default:
			return nil, fmt.Errorf("%q is not DIRECT, PROXY host:port, HTTPS host:port or SOCKS host:port", strings.TrimSpace(part))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty answer")
	}
	return out, nil
}
