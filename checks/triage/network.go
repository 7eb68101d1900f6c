package triage

import (
	"regexp"
	"slices"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// connectFailure is a connection that failed after the name resolved, in the
// words of browsers, OSes and runtimes (refused, reset, timed out,
// unreachable). Which row it is depends on the host it failed on.
var connectFailure = regexp.MustCompile(`(?i)` + refusedTranslated + `|refused to connect|connection (was )?refused|actively refused|\bECONNREFUSED\b|\bECONNRESET\b|\bETIMEDOUT\b|\bEHOSTUNREACH\b|\bENETUNREACH\b|took too long to respond|taking too long to respond|connection (timed out|was reset|reset by peer)|connect timed out|can.t establish a connection to the server|\bUnable to connect\b|\bFailed to connect to\b|could(n.t| not) connect to|No connection could be made|no route to host|network is unreachable|\bi/o timeout\b|\bERR_CONNECTION_(REFUSED|RESET|CLOSED|TIMED_OUT|FAILED)\b|\bERR_ADDRESS_UNREACHABLE\b|\bERR_TIMED_OUT\b|\bERR_SOCKET_CONNECTION_TIMEOUT\b|\bResponse time-out\b|\b(Socket|Connect)TimeoutException\b|\bRead timed out\b|\bconnect(ion)? timeout\b`)

// failureHost is a host a message names: a lower-case DNS name with a dot,
// an IPv4 or bracketed IPv6 address, or localhost, with an optional port.
// Upper case is left out on purpose: System.Net.Http is a namespace.
var failureHost = regexp.MustCompile(`\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|localhost)(:\d{1,5})?`)

// codeSuffixes end names that look like hosts but are code or files
// (java.net, index.js, main.go).
var codeSuffixes = map[string]bool{"js": true, "ts": true, "go": true, "py": true, "java": true, "cs": true, "json": true,
	"html": true, "htm": true, "exe": true, "dll": true, "log": true, "txt": true, "har": true, "xml": true, "jsx": true, "tsx": true, "rb": true, "php": true}

// hostNear is how far (in bytes) from the failure wording its host may be.
const hostNear = 120

// connectFailureHits finds connection failures and the host each failed
// on, the one named nearest the wording. A failure on a host other than
// this machine is the IdP (or whatever stands between) out of reach —
// discovery_unreachable — however much the same browser error on
// localhost:18080 means the loopback. A failure on this machine, or one
// naming no host, is left to the loopback wordings. holds and match are
// connectFailureLocs's.
func connectFailureHits(text, lower string, holds func(anchor int) bool, match func(string) []int) []hit {
	for _, loc := range connectFailureLocs(text, lower, holds, match) {
		from, to := max(loc[0]-hostNear, 0), min(loc[1]+hostNear, len(text))
		best, bestDist := "", hostNear+1
		for _, h := range failureHost.FindAllStringSubmatchIndex(text[from:to], 16) {
			hs, he := from+h[2], from+h[3]
			end := from + h[1]
			if !isHost(text, hs, he, end) {
				continue
			}
			host := text[hs:he]
			dist := max(loc[0]-end, 0)
			if hs >= loc[1] {
				dist = hs - loc[1]
			}
			if dist < bestDist {
				best, bestDist = host, dist
			}
		}
		if best == "" || checks.IsLoopback(best) || strings.HasSuffix(best, ".localhost") {
			continue
		}
		return []hit{{row: catalog.DiscoveryUnreachable, score: 0.9, start: loc[0], end: loc[1], host: true}}
	}
	return nil
}

// connectAnchors are literal parts of every connectFailure wording, lower
// case: the regular expression runs only around them (a 1 MiB log would
// take a second otherwise).
var connectAnchors = []string{"refused", "reset", "timed out", "timedout", "unreach", "too long to respond", "establish a connection",
	"unable to connect", "failed to connect", "connect to", "timeout", "time-out", "no connection could be made", "no route to host", "i/o timeout", "err_connection", "err_timed_out",
	"拒绝了我们的连接请求", "で接続が拒否されました", "verbindung abgelehnt", "pas la connexion", "rechazado la conexión",
	"积极拒绝", "verbindung verweigerte", "expressément refusée", "拒否されたため", "denegó expresamente"}

// connectFailureLocs returns where connectFailure matches in text, at most
// eight places, looking only around the anchors found in lower (the text
// lower-cased offset for offset: alignedLower). holds, when not nil, says
// which of connectAnchors the text may hold (from the prefilter's pass):
// the others are not searched for. match, when not nil, is
// connectFailure's FindStringIndex (the prefilter's split of it).
func connectFailureLocs(text, lower string, holds func(anchor int) bool, match func(string) []int) [][]int {
	if match == nil {
		match = connectFailure.FindStringIndex
	}
	var out [][]int
	for ai, a := range connectAnchors {
		if holds != nil && !holds(ai) {
			continue
		}
		for off, n := 0, 0; n < 8 && off < len(lower); n++ {
			i := strings.Index(lower[off:], a)
			if i < 0 {
				break
			}
			i += off
			off = i + len(a)
			from, to := max(i-40, 0), min(i+len(a)+40, len(text))
			if from >= to {
				break
			}
			if loc := match(text[from:to]); loc != nil {
				out = append(out, []int{from + loc[0], from + loc[1]})
			}
			if len(out) >= 8 {
				return out
			}
		}
	}
	return out
}

// isHost reports whether text[start:end] (a failureHost match ending, port
// included, at matchEnd) is a host, not a name in code or a file's:
// java.net.ConnectException and index.js are not hosts.
func isHost(text string, start, end, matchEnd int) bool {
	if matchEnd < len(text) && (text[matchEnd] == '.' && matchEnd+1 < len(text) && isLetter(text[matchEnd+1]) || isLetter(text[matchEnd])) {
		return false
	}
	host := text[start:end]
	i := strings.LastIndexByte(host, '.')
	return i < 0 || !codeSuffixes[host[i+1:]]
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// namesLoopback reports whether a text names this machine's loopback (the
// redirect to localhost), in any of the ways people write it.
var namesLoopback = regexp.MustCompile(`(?i)\blocalhost\b|\b127\.0\.0\.1\b|\[::1\]|\bloopback\b|:18080\b|\bredirect_uri=https?%3a%2f%2flocalhost`)

// proxyUnreached is a client that could not reach its proxy: a name that
// did not resolve, a connection refused, is then the proxy's, and the IdP
// out of reach through it is discovery_unreachable (the fix is the proxy
// setting, not the IdP's name or the loopback).
var proxyUnreached = regexp.MustCompile(`(?i)Cannot connect to proxy|\bProxyError\b|Unable to connect to (the )?proxy|\bproxyconnect\b`)

// viaProxy moves the DNS and refused-connection hits of a text whose
// client could not reach its proxy to discovery_unreachable (lower is the
// text lower-cased: without "proxy" in it the expression need not run).
func viaProxy(text, lower string, hits []hit) []hit {
	if !strings.Contains(lower, "proxy") || !proxyUnreached.MatchString(text) {
		return hits
	}
	for i := range hits {
		if r := hits[i].row; r == catalog.DNSUnresolved || r == catalog.LoopbackUnavailable || r == catalog.LocalhostResolution {
			hits[i].row = catalog.DiscoveryUnreachable
		}
	}
	return hits
}

// proxyOnTheWay decides whose traffic a proxy's failure was. The
// catalog's proxy row is the redirect to localhost:18080 ending at the
// proxy (its 403 or 502 page, often pasted with no host at all); when the
// text names another host and not the loopback, the proxy stood between
// this machine and that host — the IdP out of reach, discovery_unreachable.
func proxyOnTheWay(text string, hits []hit) []hit {
	if !slices.ContainsFunc(hits, func(h hit) bool { return h.row == catalog.ProxyInterceptsLoopback }) ||
		namesLoopback.MatchString(text) || !namesOtherHost(text) {
		return hits
	}
	for i := range hits {
		if hits[i].row == catalog.ProxyInterceptsLoopback {
			hits[i].row = catalog.DiscoveryUnreachable
		}
	}
	return hits
}

// namesOtherHost reports whether text names a host that is not this
// machine (names of code and files aside), among its first 64 host-like
// names.
func namesOtherHost(text string) bool {
	for _, h := range failureHost.FindAllStringSubmatchIndex(text, 64) {
		if !isHost(text, h[2], h[3], h[1]) {
			continue
		}
		if host := text[h[2]:h[3]]; !checks.IsLoopback(host) && !strings.HasSuffix(host, ".localhost") {
			return true
		}
	}
	return false
}

// idpPaths are the IdP's own endpoints as a URL names them.
var idpPaths = []string{".well-known/openid-configuration", "/.well-known/", "/oauth2/token", "/oauth/token", "/protocol/openid-connect/", "/jwks", "/keys"}

// httpsToTheIdP moves an https request answered in plain http (the
// loopback upgraded to https, in the browser's words) to the IdP when the
// request was the IdP's: its discovery, token or key URL near the wording,
// or a host near it that is not this machine — an IdP endpoint entered
// with https that serves http (a local Dex or Keycloak too). lower is the
// text lower-cased offset for offset (alignedLower).
func httpsToTheIdP(text, lower string, hits []hit) []hit {
	for i := range hits {
		h := &hits[i]
		if h.row != catalog.LoopbackHTTPSUpgrade || h.clue || h.nearest {
			continue
		}
		from, to := max(h.start-hostNear, 0), min(h.end+hostNear, len(text))
		if containsAny(lower[from:to], idpPaths) {
			h.row = catalog.DiscoveryUnreachable
			continue
		}
		for _, m := range failureHost.FindAllStringSubmatchIndex(text[from:to], 8) {
			host := text[from+m[2] : from+m[3]]
			if isHost(text, from+m[2], from+m[3], from+m[1]) && !checks.IsLoopback(host) && !strings.HasSuffix(host, ".localhost") {
				h.row = catalog.DiscoveryUnreachable
				break
			}
		}
	}
	return hits
}
