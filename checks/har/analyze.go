package har

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// Param is one parameter of the authorization request, compared with
// what the desktop app must send.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Want  string `json:"want"`
	OK    bool   `json:"ok"`
	// Row is the catalog row a wrong value points at.
	Row catalog.ID `json:"row,omitempty"`
}

// Request is one request of the export that matters to the outcome: the
// authorization request, or an IdP answer that decided it.
type Request struct {
	// Kind is "authorize" (the app's authorization request), "answer" (an
	// IdP's error page or error response), "redirect" (the IdP sending the
	// browser back to the app) or "network" (a request that got no answer).
	Kind   string `json:"kind"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	// Params are the authorization request's parameters, compared.
	Params []Param `json:"params,omitempty"`
	// Said is what the answer said (an error and its description, a page's
	// text), redacted and bounded.
	Said string `json:"said,omitempty"`
	// Row is the row this answer points at.
	Row catalog.ID `json:"row,omitempty"`
}

// Analysis is what a HAR export says about a sign-in.
type Analysis struct {
	Matches  []triage.Match `json:"matches"`
	Requests []Request      `json:"requests"`
	// Entries is how many requests the export holds.
	Entries int `json:"entries"`
}

// Loopback is the desktop app's redirect URI.
const Loopback = "http://localhost:18080"

// appScopes are the scopes the desktop app requests.
var appScopes = []string{"openid", "email", "profile", "offline_access"}

// Analyze finds the desktop app's authorization request and the answers
// that decided the sign-in, and ranks the rows they point at: the
// parameters that differ from the app's first, then the IdP's answers.
func Analyze(entries []Entry) *Analysis {
	a := &Analysis{Entries: len(entries), Requests: []Request{}}
	red := &checks.Redactor{}
	start := authorizeIndex(entries)
	found := start
	var texts []string
	var paramMatches []triage.Match
	var provider *checks.IdP
	if start >= 0 {
		e := entries[start]
		u, _ := url.Parse(e.URL)
		provider = idp.Of(e.URL)
		q := u.Query()
		req := Request{Kind: "authorize", Method: e.Method, URL: red.String(e.URL), Status: e.Status, Params: compareParams(q, provider)}
		for _, p := range req.Params {
			if !p.OK && p.Row != "" {
				paramMatches = append(paramMatches, paramMatch(p, provider))
			}
		}
		a.Requests = append(a.Requests, req)
	} else {
		start = 0
	}
	var network []string
	hosts := idpHosts(entries, found)
	for _, e := range entries[start:] {
		if asset(e.URL) || hosts != nil && !hosts[hostOf(e.URL)] && !loopbackURL(e.URL) {
			continue
		}
		if r, text, ok := answer(e, red); ok {
			a.Requests = append(a.Requests, r)
			switch {
			case text == "":
			case r.Kind == "network":
				network = append(network, text)
			default:
				texts = append(texts, text)
			}
		}
	}
	// The browser failing to reach localhost:18080 after the IdP answered
	// with an error is not the cause: it is only when the IdP sent a code
	// back (or nothing else failed).
	if len(texts) == 0 {
		texts = network
	}
	matches := triage.Rank(strings.Join(texts, "\n"))
	a.Matches = append(paramMatches, matches...)
	a.Matches = dedupe(a.Matches)
	// Each answer names the row its own text points at.
	for i := range a.Requests {
		if r := &a.Requests[i]; r.Kind != "authorize" && r.Said != "" && r.Row == "" {
			if ms := triage.Rank(r.Said); len(ms) > 0 {
				r.Row = ms[0].Row
			}
		}
	}
	return a
}

// authorizeIndex returns the index of the app's authorization request:
// the first with response_type and client_id whose redirect_uri is a
// loopback address, else the first with both; -1 when there is none.
func authorizeIndex(entries []Entry) int {
	first := -1
	for i, e := range entries {
		u, err := url.Parse(e.URL)
		if err != nil {
			continue
		}
		q := u.Query()
		if q.Get("client_id") == "" || q.Get("response_type") == "" {
			continue
		}
		if first < 0 {
			first = i
		}
		if ru, err := url.Parse(q.Get("redirect_uri")); err == nil && checks.IsLoopback(ru.Hostname()) {
			return i
		}
	}
	return first
}

// compareParams compares the authorization request's parameters with the
// desktop app's.
func compareParams(q url.Values, provider *checks.IdP) []Param {
	var out []Param
	add := func(name, want string, ok bool, row catalog.ID) {
		p := Param{Name: name, Value: q.Get(name), Want: want, OK: ok}
		if !ok {
			p.Row = row
		}
		out = append(out, p)
	}
	clientOK := strings.TrimSpace(q.Get("client_id")) == q.Get("client_id") && q.Get("client_id") != ""
	if clientOK && provider != nil && provider.LintClientID != nil {
		clientOK = len(provider.LintClientID(q.Get("client_id"), checks.Config{ClientID: q.Get("client_id")})) == 0
	}
	add("client_id", "the application's client ID, as the IdP shows it", clientOK, catalog.InvalidClient)
	add("redirect_uri", Loopback, q.Get("redirect_uri") == Loopback, catalog.RedirectMismatch)
	add("response_type", "code", q.Get("response_type") == "code", catalog.IdPError)
	scopes := strings.Fields(q.Get("scope"))
	missing := []string{}
	for _, s := range appScopes {
		if !slices.Contains(scopes, s) {
			missing = append(missing, s)
		}
	}
	scopeRow := catalog.EmailClaimMissing
	if len(missing) == 1 && missing[0] == "offline_access" {
		scopeRow = catalog.RefreshTokenMissing
	}
	add("scope", strings.Join(appScopes, " "), len(missing) == 0, scopeRow)
	add("code_challenge_method", "S256", q.Get("code_challenge_method") == "S256" && q.Get("code_challenge") != "", catalog.PKCEUnsupported)
	return out
}

// paramMatch is the triage match for a parameter that differs.
func paramMatch(p Param, provider *checks.IdP) triage.Match {
	r, _ := catalog.Lookup(p.Row)
	got := p.Value
	if got == "" {
		got = "(absent)"
	}
	return triage.Match{Row: p.Row, Score: 0.99, Title: r.Title, Cause: r.Cause, Fix: provider.FixFor(p.Row),
		Matched: p.Name + "=" + checks.Truncate(got, 200),
		Context: "The authorization request sent " + p.Name + "=" + checks.Truncate(got, 200) + "; the desktop app sends " + p.Want + "."}
}

// answer reports whether an entry is an answer that decided the sign-in:
// an error redirect to the app, the code sent back, an IdP error page or
// error response, or a request the browser could not make.
func answer(e Entry, red *checks.Redactor) (Request, string, bool) {
	r := Request{Method: e.Method, URL: red.String(e.URL), Status: e.Status}
	if loc := e.Location; loc != "" {
		if u, err := url.Parse(loc); err == nil && checks.IsLoopback(u.Hostname()) {
			q := u.Query()
			if u.Fragment != "" {
				if fq, err := url.ParseQuery(u.Fragment); err == nil {
					for k, v := range fq {
						q[k] = v
					}
				}
			}
			r.Kind = "redirect"
			switch {
			case q.Get("error") != "":
				text := "error=" + q.Get("error") + " error_description=" + q.Get("error_description")
				r.Said = red.String(checks.Truncate(text, 600))
				return r, text, true
			case q.Get("code") != "":
				r.Said = "The IdP sent the browser back to " + u.Scheme + "://" + u.Host + " with an authorization code: the sign-in itself succeeded at the IdP."
				return r, "", true
			}
		}
	}
	if e.Error != "" || e.Status == 0 && e.Method != "" {
		if u, err := url.Parse(e.URL); err == nil && checks.IsLoopback(u.Hostname()) {
			r.Kind = "network"
			msg := e.Error
			if msg == "" {
				msg = "no answer"
			}
			text := u.Host + " " + msg
			if strings.Contains(msg, "REFUSED") {
				r.Row = catalog.LoopbackUnavailable
			}
			r.Said = red.String(checks.Truncate(text, 300))
			return r, text, true
		}
		return r, "", false
	}
	if e.Status >= 400 || strings.Contains(e.Post, "grant_type=") && strings.Contains(e.Body, `"error"`) {
		text := bodyMessage(e)
		if text == "" {
			text = "HTTP " + strconv.Itoa(e.Status)
		}
		r.Kind = "answer"
		r.Said = red.String(checks.Truncate(text, 600))
		return r, text, true
	}
	// An IdP error page served with HTTP 200 (Okta's, Entra's): it answers
	// only if triage recognises it.
	if e.Status == 200 && strings.Contains(e.MimeType, "html") && e.Body != "" {
		text := checks.PageText([]byte(e.Body))
		if ms := triage.Rank(text); len(ms) > 0 && ms[0].Score >= 0.8 {
			r.Kind = "answer"
			r.Said = red.String(checks.Truncate(ms[0].Context+" "+ms[0].Matched, 600))
			return r, text, true
		}
	}
	return r, "", false
}

// bodyMessage is the readable part of an error response: JSON as is, an
// HTML page's text.
func bodyMessage(e Entry) string {
	b := strings.TrimSpace(e.Body)
	if b == "" {
		return ""
	}
	if strings.Contains(e.MimeType, "html") || strings.HasPrefix(b, "<") {
		return checks.PageText([]byte(b))
	}
	return b
}

// idpHosts returns the hosts that answer for the IdP: the authorization
// request's, and each host an IdP host sent the browser on to (a
// federated IdP, a login page elsewhere). nil when there is no
// authorization request: every host may be the IdP's then.
func idpHosts(entries []Entry, start int) map[string]bool {
	if start < 0 || start >= len(entries) {
		return nil
	}
	hosts := map[string]bool{hostOf(entries[start].URL): true}
	for _, e := range entries[start:] {
		if hosts[hostOf(e.URL)] && e.Location != "" && !loopbackURL(e.Location) {
			hosts[hostOf(e.Location)] = true
		}
		// The token request may go to another host (a proxy, a token service).
		if strings.Contains(e.Post, "grant_type=") {
			hosts[hostOf(e.URL)] = true
		}
	}
	return hosts
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && checks.IsLoopback(u.Hostname())
}

// asset reports whether a URL is a page's asset (an icon, a style sheet,
// a script, a font, an image), which never decides a sign-in.
func asset(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	for _, ext := range []string{".ico", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".css", ".js", ".woff", ".woff2", ".ttf", ".map"} {
		if strings.HasSuffix(strings.ToLower(u.Path), ext) {
			return true
		}
	}
	return false
}

// dedupe keeps the first match of each row.
func dedupe(ms []triage.Match) []triage.Match {
	seen := map[catalog.ID]bool{}
	out := ms[:0]
	for _, m := range ms {
		if !seen[m.Row] {
			seen[m.Row] = true
			out = append(out, m)
		}
	}
	if out == nil {
		return []triage.Match{}
	}
	return out
}
