package triage

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Concepts match what a message says rather than how one vendor words it:
// a rule names a few concepts ("issuer" + "mismatch"), and a clause that
// holds a phrase of each, in any order, points at the rule's row. Words are
// compared after folding case, snake_case, camelCase and punctuation
// (redirect_uri, redirectUri and "Redirect URI" are one phrase); a phrase
// word ending in '*' matches any word it begins (expir* is expired,
// expires, expiry), so tense and number do not matter.

// concepts are the phrases that say each thing.
var conceptPhrases = map[string][]string{
	"issuer":       {"issuer", "iss", "issued by", "authority"},
	"mismatch":     {"mismatch*", "does not match", "did not match", "do not match", "doesn t match", "didn t match", "not match", "unexpected", "invalid", "wrong", "differ*", "different", "not valid", "not the expected", "expected", "not equal", "incorrect", "not allowed", "not trusted", "untrusted", "unknown", "rejected", "failed", "failure"},
	"audience":     {"audience", "aud", "azp", "authorized party"},
	"expired":      {"expir*", "exp", "no longer valid", "lifetime", "too old"},
	"future":       {"not yet valid", "not valid yet", "nbf", "iat", "future", "used before issued", "before issued", "not before", "clock", "skew", "time difference", "system time", "out of sync"},
	"certproblem":  {"peer certificate", "server certificate", "invalid certificate", "unknown issuer", "unknownissuer", "x509", "ssl", "tls", "pkix", "self signed", "local issuer", "issuer certificate", "certificate chain", "certificate verify", "certificate authority", "ca cert*", "root certificate", "root ca", "certification path", "certification authority", "trust anchor", "untrustedroot", "sec e untrusted root"},
	"ownstate":     {"user is blocked", "user has been blocked", "account is blocked", "account has been blocked", "blocked user", "is locked", "been locked", "locked out", "too many attempts", "failed login attempts", "incorrect username", "incorrect password", "wrong password", "invalid credentials", "to perform"},
	"skewed":       {"not yet valid", "not valid yet", "not active yet", "nbf", "used before issued", "before issued", "clock skew", "time difference", "system time", "out of sync"},
	"token":        {"token", "jwt", "id token", "assertion"},
	"id token":     {"id token", "idtoken", "identity token"},
	"refresh":      {"refresh*", "offline token", "offline access token"},
	"email":        {"email*", "e mail", "mail"},
	"missing":      {"missing", "not present", "absent", "without", "not included", "not contain*", "does not contain", "null", "empty", "not returned", "not issued", "not provided", "no", "lacks", "lacking", "not found", "not in", "was not", "is not", "isn t", "required", "not available", "undefined", "neither", "nor"},
	"claim":        {"claim*", "attribute*", "field", "property", "scope"},
	"secret":       {"client secret", "secret", "client assertion", "client credentials", "client authentication", "confidential client", "client auth"},
	"required":     {"required", "must", "missing", "not provided", "expected", "need*", "mandatory", "must contain"},
	"redirect":     {"redirect uri*", "redirect url*", "reply url*", "reply address*", "callback url*", "callback uri*", "redirect*", "callback*", "return url", "login redirect", "sign in redirect"},
	"unregistered": {"not registered", "unregistered", "not allowed", "not whitelisted", "not in the list", "not configured", "not valid", "invalid", "mismatch*", "does not match", "not match", "didn t match", "doesn t match", "unknown", "not authorized", "not permitted", "not pre registered", "pre registered", "authorized for", "not on the list", "not an allowed", "disallowed"},
	"client":       {"client", "client id", "application", "app", "application id", "client app"},
	"unknown":      {"unknown", "not found", "does not exist", "doesn t exist", "no such", "not registered", "cannot be found", "could not be found", "can t be found", "was not found", "invalid client id", "not recognized", "unrecognized", "deleted"},
	"scope":        {"scope*", "offline access"},
	"refused":      {"not allowed", "not permitted", "not supported", "refused", "denied", "invalid", "unsupported", "disallowed", "not granted", "not configured", "cannot request", "can t request", "unrecognized", "not enabled", "rejected", "unknown", "not valid"},
	"signature":    {"signature*", "sig"},
	"key":          {"key", "keys", "kid", "jwk*", "key set", "signing key*", "public key*", "certificate"},
	"nokey":        {"no matching", "not found", "unable to find", "could not find", "cannot find", "can t find", "no key*", "unknown", "not in", "missing", "unable to match", "no applicable", "error while resolving", "unable to resolve", "could not resolve", "failed to resolve", "cannot resolve"},
	"failed":       {"fail*", "invalid", "could not", "unable", "cannot", "not verif*", "bad", "error", "incorrect", "not valid"},
	"user":         {"user", "users", "account", "principal", "subject", "member", "person", "username", "login", "signed in user"},
	"unassigned":   {"not assigned", "unassigned", "not granted access", "no access", "blocked", "denied", "not authorized", "not permitted", "forbidden", "not allowed", "policy", "access policy", "does not have access", "doesn t have access", "conditional access", "not entitled", "restricted"},
	"consent":      {"consent required", "consent is required", "admin consent", "administrator consent", "not consented", "has not consented", "requires consent", "needs consent", "need consent", "consent needed", "consent missing", "grant consent", "admin approval", "approval required", "needs approval", "need admin approval"},
	"pkce":         {"pkce", "code challenge*", "code verifier", "proof key"},
	"disabled":     {"disabled", "deactivated", "inactive", "suspended", "not active", "not enabled", "turned off"},
	"revoked":      {"revok*", "expir*", "invalid", "not active", "inactive", "not valid", "malformed", "rejected", "unknown", "not found", "already used", "already redeemed"},
	"case":         {"case", "case sensitive", "letter case", "capitali*", "upper case", "uppercase", "lower case", "lowercase", "mixed case", "casing"},
	"provisioned":  {"not provisioned", "not found", "does not exist", "doesn t exist", "no such", "not a member", "unknown", "not exist", "no user", "not registered", "no matching", "cannot find", "could not find"},
	"tls":          {"connection is not private", "potential security risk", "secure connection", "certificate*", "cert", "x509", "tls", "ssl", "https", "pkix"},
	"untrusted":    {"not private", "security risk", "invalid certificate", "unable to verify the first certificate", "unknown ca", "verify error", "untrusted", "not trusted", "unknown authority", "self signed", "unable to get local issuer", "verify failed", "path building failed", "authority invalid", "unknown issuer", "unable to verify", "not verify", "cannot verify", "trust anchor", "not valid", "pretending to be", "is valid for", "validation procedure", "untrustedroot", "remote certificate is invalid", "errors in the certificate chain", "altnames", "certification path", "path validation failed", "impersonating", "can t verify the identity", "unusual and incorrect credentials"},
	"refused conn": {"connection reset", "err connection reset", "empty response", "err empty response", "sent an invalid response", "couldn t connect to the server", "can t connect to the server", "could not connect to the server", "actively refused", "site can t be reached", "can t reach this page", "unable to connect", "connection refused", "refused to connect", "econnrefused", "can t connect", "cannot connect", "unable to connect", "can t establish a connection", "could not connect", "can t reach", "cannot reach", "failed to connect", "actively refused", "err connection refused", "connection was refused", "connection was reset", "didn t send any data", "unexpectedly closed the connection", "no connection could be made", "err connection closed", "err connection aborted", "err connection failed", "cannot connect to host",
		"拒绝了我们的连接请求", "で接続が拒否されました", "hat die verbindung abgelehnt", "n autorise pas la connexion", "ha rechazado la conexión",
		"die verbindung verweigerte", "expressément refusée", "denegó expresamente"},
	"localhost":    {"local host", "loopback address", "callback server", "local server", "redirect server", "localhost", "127 0 0 1", "loopback", "18080"},
	"in use":       {"in use", "already in use", "eaddrinuse", "only one usage of each socket address", "port is taken", "already bound", "bind"},
	"dns":          {"can t find the server", "couldn t find the server", "trouble finding that site", "server not found", "name resolution", "temporary failure in name resolution", "could not be resolved", "not resolve*", "resolve host", "name not resolved", "nxdomain", "no such host", "getaddrinfo", "ip address could not be found", "name or service not known", "nodename nor servname", "dns", "unknown host", "host not found", "could not resolve", "err name not resolved", "specified hostname could not be found", "no such host is known", "eai again", "can t find the server", "cannot find host"},
	"tenant":       {"tenant", "directory", "realm", "environment", "org"},
	"userinfo":     {"userinfo", "user info", "user info endpoint", "userinfo endpoint"},
	"unauthorized": {"401", "unauthorized", "invalid token", "unauthenticated", "not authenticated", "bearer"},
	"discovery":    {"well known", "openid configuration", "discovery", "metadata", "provider configuration"},
	"unreachable":  {"404", "not found", "failed to get", "failed to fetch", "unable to fetch", "unable to retrieve", "could not retrieve", "error fetching", "timeout", "timed out", "unreachable", "not json", "unexpected token", "html", "bad gateway", "502", "503"},
	"netdown":      {"connect timed out", "connection timed out", "request timed out", "operation timed out", "read timed out", "i o timeout", "deadline exceeded", "client timeout exceeded", "awaiting headers", "did not properly respond", "took too long to respond", "taking too long to respond", "network is unreachable", "no route to host", "host is unreachable", "appears to be offline", "internet disconnected", "tls handshake timeout", "etimedout", "failed to respond", "timed out after", "err connection timed out", "err timed out", "ms timed out"},
	"proxy":        {"proxy", "proxies", "zscaler", "netskope", "bluecoat", "squid", "forcepoint"},
	"proxy auth":   {"407", "proxy authentication required", "proxy authentication"},
	"blocked":      {"blocked", "err blocked by client", "err blocked by administrator", "err access denied", "err network access denied", "local network", "private network", "forbidden by its access permissions", "blocked by your organization", "blocked by your administrator"},
	"https upgrade": {"secure connection failed", "can t provide a secure connection", "hsts", "err ssl protocol error", "ssl error rx record too long", "https only", "record too long", "wrong version number", "https first", "invalid response", "server gave http response to https client", "first record does not look like a tls handshake", "unrecognized ssl message", "can t establish a secure connection", "secure connection to the server cannot be made",
		"strict transport security", "always use secure connections", "upgrade to https", "upgrades to https", "upgraded to https", "upgrades navigations to https", "redirected to https", "changes http to https", "forces https", "force https", "http url with https only enabled"},
}

// Rule points at a row when one clause names every one of its concepts.
type Rule struct {
	Row      catalog.ID
	Concepts []string
	// Example is a message the rule matches, from the corpus the knowledge
	// may be written from.
	Example string
	// Weight is how surely the rule means the row; zero means by the number
	// of concepts (more concepts, more specific, more weight).
	Weight float64
	// Unless names concepts that, in the same clause, mean the words are
	// about something else: a certificate "issued by an authority that is
	// not trusted" is no issuer mismatch of a token.
	Unless []string
}

// rules are checked in order; every rule that matches counts.
var rules = []Rule{
	{Row: catalog.TokenValidationFailure, Concepts: []string{"issuer", "mismatch"}, Unless: []string{"certproblem"}, Example: "unexpected iss value, expected https://acme.okta.com/oauth2/default"},
	{Row: catalog.AudienceMismatch, Concepts: []string{"audience", "mismatch"}, Example: "Invalid audience in id_token"},
	{Row: catalog.ClockSkew, Concepts: []string{"token", "expired"}, Example: "JWT expired"},
	{Row: catalog.ClockSkew, Concepts: []string{"token", "future"}, Example: "iat is in the future"},
	{Row: catalog.ClockSkew, Concepts: []string{"skewed"}, Weight: 0.7, Example: "token used before issued"},
	{Row: catalog.ClockSkew, Concepts: []string{"expired", "claim"}, Example: `"exp" claim timestamp check failed`},
	{Row: catalog.TLSUntrusted, Concepts: []string{"tls", "expired", "failed"}, Example: "x509: certificate has expired or is not yet valid: the verification failed"},
	{Row: catalog.RefreshTokenRejected, Concepts: []string{"refresh", "token", "revoked"}, Example: "The refresh token has expired due to inactivity"},
	{Row: catalog.RefreshTokenMissing, Concepts: []string{"refresh", "token", "missing"}, Example: "no refresh token was returned"},
	{Row: catalog.RefreshIDTokenMissing, Concepts: []string{"refresh", "id token", "missing"}, Example: "refresh response contains no id_token"},
	{Row: catalog.RefreshIDTokenMissing, Concepts: []string{"id token", "missing"}, Weight: 0.7, Example: "no id_token in the response"},
	{Row: catalog.RefreshEmailMissing, Concepts: []string{"refresh", "email", "missing"}, Example: "Missing email claim after refresh"},
	{Row: catalog.EmailClaimMissing, Concepts: []string{"email", "claim", "missing"}, Example: "email claim not present in the ID token"},
	{Row: catalog.EmailClaimMissing, Concepts: []string{"id token", "email", "missing"}, Example: "the id_token does not contain an email"},
	{Row: catalog.EmailClaimMissing, Concepts: []string{"email", "missing"}, Weight: 0.7, Example: "the email is missing from the response"},
	{Row: catalog.EmailCaseMismatch, Concepts: []string{"email", "case"}, Example: "emails differ in letter case"},
	{Row: catalog.EmailNotProvisioned, Concepts: []string{"user", "email", "provisioned"}, Example: "no user with this email exists in the account"},
	{Row: catalog.PublicClientDisabled, Concepts: []string{"secret", "required"}, Example: "client_secret is required for this client"},
	{Row: catalog.RedirectMismatch, Concepts: []string{"redirect", "unregistered"}, Example: "redirect_uri is not registered for this client"},
	{Row: catalog.InvalidClient, Concepts: []string{"client", "unknown"}, Example: "Client not found"},
	{Row: catalog.InvalidScope, Concepts: []string{"scope", "refused"}, Example: "scope offline_access is not allowed"},
	{Row: catalog.JWKSMismatch, Concepts: []string{"key", "nokey"}, Unless: []string{"certproblem"}, Example: "no applicable key found in the JSON Web Key Set"},
	{Row: catalog.IDTokenSignatureInvalid, Concepts: []string{"signature", "failed"}, Unless: []string{"expired", "nokey"}, Example: "signature verification failed"},
	// The account's own state (blocked, locked, a wrong password) or an IAM
	// action denied is not an assignment or a policy.
	{Row: catalog.AccessDeniedPolicy, Concepts: []string{"user", "unassigned"}, Unless: []string{"ownstate"}, Example: "the user is not assigned to this application"},
	{Row: catalog.ConsentRequired, Concepts: []string{"consent"}, Weight: 0.72, Example: "admin consent is required"},
	{Row: catalog.PKCEUnsupported, Concepts: []string{"pkce", "failed"}, Example: "code_verifier is invalid"},
	{Row: catalog.AppNotEnabled, Concepts: []string{"client", "disabled"}, Unless: []string{"skewed"}, Example: "The application is disabled"},
	{Row: catalog.TLSUntrusted, Concepts: []string{"tls", "untrusted"}, Example: "SSL certificate problem: unable to get local issuer certificate"},
	{Row: catalog.LoopbackUnavailable, Concepts: []string{"localhost", "refused conn"}, Example: "Firefox can't establish a connection to the server at localhost:18080"},
	{Row: catalog.LoopbackUnavailable, Concepts: []string{"localhost", "in use"}, Example: "bind: address already in use 127.0.0.1:18080"},
	{Row: catalog.DNSUnresolved, Concepts: []string{"dns"}, Weight: 0.8, Example: "getaddrinfo ENOTFOUND acme.okta.com"},
	{Row: catalog.UnknownTenant, Concepts: []string{"tenant", "unknown"}, Unless: []string{"client"}, Example: "Tenant 'contoso.example' not found"},
	{Row: catalog.UserinfoUnauthorized, Concepts: []string{"userinfo", "unauthorized"}, Example: "userinfo endpoint returned 401"},
	{Row: catalog.DiscoveryUnreachable, Concepts: []string{"discovery", "unreachable"}, Example: "failed to fetch the openid-configuration"},
	{Row: catalog.DiscoveryUnreachable, Concepts: []string{"netdown"}, Weight: 0.7, Example: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"},
	{Row: catalog.LoopbackUnavailable, Concepts: []string{"localhost", "netdown"}, Weight: 0.8, Example: "This site can't be reached localhost took too long to respond."},
	{Row: catalog.BrowserBlocksLoopback, Concepts: []string{"localhost", "blocked"}, Example: "localhost is blocked: ERR_BLOCKED_BY_CLIENT"},
	{Row: catalog.LoopbackHTTPSUpgrade, Concepts: []string{"localhost", "https upgrade"}, Weight: 0.8, Example: "localhost sent an invalid response. ERR_SSL_PROTOCOL_ERROR"},
	{Row: catalog.ProxyInterceptsLoopback, Concepts: []string{"proxy", "refused conn"}, Weight: 0.7, Example: "The proxy server is refusing connections"},
	{Row: catalog.ProxyInterceptsLoopback, Concepts: []string{"proxy", "localhost"}, Example: "the proxy answered for localhost:18080"},
	{Row: catalog.DiscoveryUnreachable, Concepts: []string{"proxy auth"}, Weight: 0.7, Example: "407 Proxy Authentication Required"},
}

// phrase is one phrase of a concept, as folded words.
type phrase struct {
	concept int
	words   []string
}

// conceptIndex finds phrases by their first word (or its first three
// letters, for a prefix).
type conceptIndex struct {
	names  []string
	exact  map[string][]phrase
	prefix map[string][]phrase
	rules  [][]int // each rule's concepts, as indexes into names
	unless [][]int // each rule's Unless concepts
}

var concepts = sync.OnceValue(func() *conceptIndex {
	ix := &conceptIndex{exact: map[string][]phrase{}, prefix: map[string][]phrase{}}
	id := map[string]int{}
	for name := range conceptPhrases {
		ix.names = append(ix.names, name)
	}
	slices.Sort(ix.names)
	for i, n := range ix.names {
		id[n] = i
		for _, p := range conceptPhrases[n] {
			ws := strings.Fields(p)
			ph := phrase{concept: i, words: ws}
			if first := ws[0]; strings.HasSuffix(first, "*") {
				key := first[:min(3, len(first)-1)]
				ix.prefix[key] = append(ix.prefix[key], ph)
			} else {
				ix.exact[first] = append(ix.exact[first], ph)
			}
		}
	}
	indexes := func(r Rule, names []string) []int {
		var cs []int
		for _, c := range names {
			i, ok := id[c]
			if !ok {
				panic("triage: rule for " + string(r.Row) + " names no concept " + c)
			}
			cs = append(cs, i)
		}
		return cs
	}
	for _, r := range rules {
		ix.rules = append(ix.rules, indexes(r, r.Concepts))
		ix.unless = append(ix.unless, indexes(r, r.Unless))
	}
	return ix
})

// word is one folded word of a text and where it is in that text.
type word struct {
	w          string
	start, end int
	clause     int
}

// hasUpper reports whether s may have a letter strings.ToLower changes.
func hasUpper(s string) bool {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= 0x80 {
			return true
		}
	}
	return false
}

// foldWords splits text into lower-case words: letters and digits, with
// snake_case and camelCase split; a sentence end (., !, ?, ;) followed by
// a space, or a line break between fields, starts a new clause.
func foldWords(text string, limit int) []word {
	out := make([]word, 0, min(limit, len(text)/6+1)) // about a word per six bytes
	clause := 0
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 {
			w := text[start:end]
			if hasUpper(w) {
				w = strings.ToLower(w)
			}
			out = append(out, word{w: w, start: start, end: end, clause: clause})
			start = -1
		}
	}
	for i, r := range text {
		if len(out) >= limit {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// camelCase: a lower-case letter followed by an upper-case one.
			if start >= 0 && unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush(i)
			}
			if start < 0 {
				start = i
			}
		default:
			flush(i)
			// A field's label ("state:", "iss:") starts a clause too.
			next := byte(0)
			if i+1 < len(text) {
				next = text[i+1]
			}
			if r == ';' || r == '|' || r == '&' || ((r == '.' || r == '!' || r == '?' || r == ':') && (next == ' ' || next == '"')) {
				clause++
			}
		}
		prev = r
	}
	if len(out) < limit {
		flush(len(text))
	}
	return out
}

// ruleHit is one rule matched in one clause: its span in the text.
type ruleHit struct {
	rule       int
	start, end int
}

// maxClauseSpan bounds how far apart (in words) a rule's phrases may be.
const maxClauseSpan = 12

// matchRules returns the rules whose concepts one clause of ws holds.
func matchRules(ws []word) []ruleHit {
	ix := concepts()
	type at struct{ first, last, wordFirst, wordLast int }
	// hits[clause][concept] = the concept's first phrase in the clause.
	var hits []ruleHit
	clauseStart := 0
	for clauseStart < len(ws) {
		c := ws[clauseStart].clause
		end := clauseStart
		for end < len(ws) && ws[end].clause == c {
			end++
		}
		found := map[int]at{}
		for i := clauseStart; i < end; i++ {
			w := ws[i].w
			try := func(phs []phrase) {
				for _, ph := range phs {
					if n := matchPhrase(ws[i:end], ph.words); n > 0 {
						if _, seen := found[ph.concept]; !seen {
							found[ph.concept] = at{ws[i].start, ws[i+n-1].end, i, i + n - 1}
						}
					}
				}
			}
			try(ix.exact[w])
			if len(w) >= 3 {
				try(ix.prefix[w[:3]])
			} else if len(w) > 0 {
				try(ix.prefix[w])
			}
		}
		if len(found) > 0 {
		rule:
			for ri, cs := range ix.rules {
				s, e, wf, wl := -1, -1, len(ws), -1
				for _, ci := range cs {
					a, ok := found[ci]
					if !ok {
						continue rule
					}
					if s < 0 || a.first < s {
						s = a.first
					}
					e = max(e, a.last)
					wf, wl = min(wf, a.wordFirst), max(wl, a.wordLast)
				}
				if wl-wf > maxClauseSpan {
					continue
				}
				for _, ci := range ix.unless[ri] {
					if _, ok := found[ci]; ok {
						continue rule
					}
				}
				hits = append(hits, ruleHit{rule: ri, start: s, end: e})
			}
		}
		clauseStart = end
	}
	return hits
}

// matchPhrase returns how many words of ws the phrase matches at their
// start, or 0.
func matchPhrase(ws []word, p []string) int {
	if len(p) > len(ws) {
		return 0
	}
	for i, pw := range p {
		w := ws[i].w
		if pre, ok := strings.CutSuffix(pw, "*"); ok {
			if !strings.HasPrefix(w, pre) {
				return 0
			}
		} else if w != pw {
			return 0
		}
	}
	return len(p)
}

// ruleWeight is how surely a rule's match means its row.
func ruleWeight(r Rule) float64 {
	if r.Weight != 0 {
		return r.Weight
	}
	return min(0.72+0.05*float64(len(r.Concepts)-2), 0.85)
}

// Rules returns the concept rules, for listings and tests.
func Rules() []Rule { return append([]Rule(nil), rules...) }
