package checks

import (
	"html"
	"net"
	"regexp"
	"strings"
	"unicode"
)

// invisible are characters that paste along with a value and cannot be seen.
const invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

// clean returns a value as a careful person would have pasted it: without
// surrounding white space (visible or not) and quotes.
func clean(s string) string {
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(invisible, r) })
	}
	s = trim(s)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '<' && s[len(s)-1] == '>' && !placeholderRE.MatchString(s)) {
		s = trim(s[1 : len(s)-1])
	}
	return s
}

// stripQuery removes a URL's query string.
func stripQuery(s string) string {
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

// pageText returns the readable text of an HTML page or any body, with
// white space collapsed.
func pageText(body []byte) string {
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

// isLoopback reports whether host (without port) names this machine.
func isLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// placeholderRE matches template placeholders left in a pasted value.
var placeholderRE = regexp.MustCompile(`<[A-Za-z_ -]+>|\{[A-Za-z_ -]+\}|\[[A-Z_ -]+\]|\$\{[^}]*\}|\b(TENANT_ID|TENANT-ID|OKTA_DOMAIN|ENV_ID|CLIENT_SECRET|CLIENT_ID|PINGFEDERATE_HOST|YOUR[_-][A-Z_-]+|your-org|yourOktaDomain|your-tenant)\b`)
