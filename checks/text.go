package checks

import (
	"html"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Invisible are characters that paste along with a value and cannot be seen.
const Invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

// Clean returns a value as a careful person would have pasted it: without
// surrounding white space (visible or not) and quotes.
func Clean(s string) string {
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(Invisible, r) })
	}
	s = trim(s)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '<' && s[len(s)-1] == '>' && !Placeholder.MatchString(s)) {
		s = trim(s[1 : len(s)-1])
	}
	return s
}

// StripQuery removes a URL's query string.
func StripQuery(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

var (
	scriptRE = regexp.MustCompile(`(?is)<(script|style|noscript)\b.*?</(script|style|noscript)>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE  = regexp.MustCompile(`\s+`)
)

// PageText returns the readable text of an HTML page or any body, with
// white space collapsed.
func PageText(body []byte) string {
	s := string(body)
	if len(s) > 256<<10 {
		s = s[:256<<10]
	}
	s = scriptRE.ReplaceAllString(s, " ")
	s = tagRE.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}

// IsLoopback reports whether host (without port) names this machine.
func IsLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Placeholder matches template placeholders left in a pasted value.
var Placeholder = regexp.MustCompile(`<[A-Za-z_ -]+>|\{[A-Za-z_ -]+\}|\[[A-Z_ -]+\]|\$\{[^}]*\}|\b(TENANT_ID|TENANT-ID|OKTA_DOMAIN|ENV_ID|CLIENT_SECRET|CLIENT_ID|PINGFEDERATE_HOST|YOUR[_-][A-Z_-]+|your-org|yourOktaDomain|your-tenant)\b`)

// UsableURL reports whether a URL value, cleaned of paste noise (surrounding
// white space, quotes), is one checks may derive from: an absolute http or
// https URL with a host, without a placeholder or white space inside.
func UsableURL(v string) bool {
	c := Clean(v)
	u := ParseURL(c)
	return u != nil && (u.Scheme == "https" || u.Scheme == "http") && !Placeholder.MatchString(c) && !strings.ContainsAny(c, " \t\r\n")
}

// ParseURL returns the value's URL, or nil when it does not parse as an
// absolute URL (values.urls reports that).
func ParseURL(v string) *url.URL {
	u, err := url.Parse(Clean(v))
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// Segments returns the non-empty path segments of a URL value.
func Segments(v string) []string {
	u := ParseURL(v)
	if u == nil {
		return nil
	}
	var out []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// HostOf returns the lower-case host (and port) of a URL value, or "".
func HostOf(v string) string {
	if u := ParseURL(v); u != nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

// Truncate cuts s to at most n bytes, on a character boundary, marking the cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// OrNone returns s, or "(none)" when it is empty, for evidence.
func OrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// HasAnySuffix reports whether s ends with one of the suffixes.
func HasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// StandIn returns the vendor URL expected as it would be on the host of
// entered when entered is on this machine's loopback (a practice or test
// IdP standing in for the vendor's): vendor checks then compare URL shapes,
// not host names. Otherwise it returns expected.
func StandIn(entered, expected string) string {
	e, x := ParseURL(entered), ParseURL(expected)
	if e == nil || x == nil || !IsLoopback(e.Hostname()) {
		return expected
	}
	x.Scheme, x.Host = e.Scheme, e.Host
	return x.String()
}

// OnLoopback reports whether a URL value is on this machine's loopback.
func OnLoopback(v string) bool {
	u := ParseURL(v)
	return u != nil && IsLoopback(u.Hostname())
}
