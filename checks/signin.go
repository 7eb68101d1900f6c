package checks

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// LiveOptions configure a live sign-in.
type LiveOptions struct {
	// HTTPClient makes the token, userinfo and key-set requests. Nil means
	// NewHTTPClient(HTTPOptions{}).
	HTTPClient *http.Client
	// RequestTimeout bounds each request. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Ready is called once, with the sign-in URL, when the loopback listener
	// is up: the caller opens a browser or shows the URL. It must not block.
	Ready func(signInURL string)
	// Users are the emails provisioned in the account (from list-users); the
	// signed-in email must be one of them, exactly.
	Users []string
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// LiveResult is what a live sign-in found: findings, and the decoded tokens.
type LiveResult struct {
	Findings []Finding
	Token    *TokenReport
	// secrets are the raw values of this sign-in (code, tokens, verifier),
	// for the report's redactor.
	secrets []string
}

// The live sign-in's steps, in order, as check ids for its findings.
const (
	StepListen   = "signin.listen"
	StepRedirect = "signin.redirect"
	StepExchange = "signin.exchange"
	StepIDToken  = "signin.id_token"
	StepEmail    = "signin.email"
	StepUserinfo = "signin.userinfo"
	StepRefresh  = "signin.refresh"
)

// LiveSteps documents the live sign-in's steps, for listings.
var LiveSteps = []*Check{
	{ID: StepListen, Phase: PhaseSignIn, Title: "Port 18080 of both loopback addresses is free",
		Doc: "Listens on 127.0.0.1:18080 and [::1]:18080, as the desktop app does (a browser may try either); a port held by another process fails at once (loopback_unavailable), naming the command that finds the holder."},
	{ID: StepRedirect, Phase: PhaseSignIn, Title: "The IdP redirects back with a code",
		Doc: "Opens the desktop app's authorization request in the browser and waits, bounded by --timeout, for the redirect to http://localhost:18080 with a code and the right state. An error sent back is mapped to its row (invalid_scope, cognito_offline_access, access_denied_policy, consent_required, …)."},
	{ID: StepExchange, Phase: PhaseSignIn, Title: "The token endpoint exchanges the code",
		Doc: "Redeems the code as a public client with the PKCE verifier (Google: the secret in the token URL as entered). Refusals are mapped to their rows: public_client_disabled (AADSTS7000218), pkce_unsupported, google_client_secret_missing, invalid_client."},
	{ID: StepIDToken, Phase: PhaseSignIn, Title: "The ID token validates with the values as entered",
		Doc: "Validates the ID token with go-oidc against the Issuer URL, Client ID and JWKS URI as entered, and the nonce. When it fails, the unverified decode says why: iss is not the issuer (invalid_issuer for Entra's /v2.0, else token_validation_failure), a kid missing from the entered key set but present in the issuer's (jwks_mismatch), aud (audience_mismatch), expiry with the clock offset against the IdP's Date header (clock_skew), alg none, HS256 or unknown."},
	{ID: StepEmail, Phase: PhaseSignIn, Title: "The ID token's email matches a provisioned user exactly",
		Doc: "The ID token must carry email (email_claim_missing; on Entra, naming the optional claim and the Mail attribute when only preferred_username or upn is there; email_verified false warns). It must equal --email or one of the --users list exactly: email_case_mismatch when only letter case differs, else email_not_provisioned."},
	{ID: StepUserinfo, Phase: PhaseSignIn, Title: "Userinfo accepts the access token",
		Doc: "Calls discovery's userinfo endpoint with the access token; 401 means the endpoints belong to different authorization servers (userinfo_unauthorized)."},
	{ID: StepRefresh, Phase: PhaseSignIn, Title: "A refresh token is issued and refreshing returns an ID token with email",
		Doc: "Runs the refresh grant as the app does to keep sessions: a refresh token must be issued (refresh_token_missing, with the IdP's own fix), and the refresh must return a new ID token (refresh_id_token_missing) for the same sub, still with email (refresh_email_missing)."},
}

// SignIn signs in exactly as the desktop app does, through the user's
// browser, and reports what the app would make of it. It returns when the
// sign-in is done, or when ctx ends (the --timeout, or Ctrl-C), having
// released the loopback port.
func SignIn(ctx context.Context, cfg Config, opts LiveOptions) *LiveResult {
	res := &LiveResult{}
	idp := cfg.ResolvedIdP()
	add := func(step string, fs ...Finding) {
		for _, f := range fs {
			f.Check = step
			if f.Status == Skip && f.Detail == "" {
				f.Detail = f.Title
				f.Title = stepTitle(step)
			}
			f.Complete(idp)
			res.Findings = append(res.Findings, f)
		}
	}
	client := orDefaultClient(opts.HTTPClient)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	clock := &dateRecorder{base: client.Transport}
	if clock.base == nil {
		clock.base = http.DefaultTransport
	}
	hc := *client
	hc.Transport = clock
	fetch := &Fetcher{Client: &hc, Timeout: opts.RequestTimeout}

	if clean(cfg.AuthorizationEndpoint) == "" || clean(cfg.TokenEndpoint) == "" || clean(cfg.ClientID) == "" {
		add(StepListen, Skipf("Not run: the authorization endpoint, token endpoint and Client ID are all needed"))
		return res
	}
	// Only a web address is opened in a browser (see values.urls for the rest).
	for _, v := range []string{cfg.AuthorizationEndpoint, cfg.TokenEndpoint} {
		if u := parsed(v); u == nil || (u.Scheme != "https" && u.Scheme != "http") {
			add(StepListen, Skipf("Not run: the authorization and token endpoints must be http(s) URLs (see values.urls)"))
			return res
		}
	}

	lb, f := listenLoopback()
	add(StepListen, f)
	if lb == nil {
		return res
	}
	defer lb.close()

	req := NewAuthRequest(cfg, idp)
	res.secrets = append(res.secrets, req.Verifier)
	if opts.Ready != nil {
		opts.Ready(req.URL)
	}

	var cb *callback
	select {
	case cb = <-lb.callbacks:
	case <-ctx.Done():
		add(StepRedirect, waitEnded(ctx, lb.visits()))
		return res
	}
	page := signInPage{Title: "Sign-in reached quickdiag"}
	defer func() { cb.reply <- page }()

	q := cb.query
	switch {
	case q.Get("state") != req.State:
		add(StepRedirect, Problem(Fail, "idp_error", "The redirect carried another state than the one sent").
			WithDetail("quickdiag refused this response: it does not belong to this sign-in (an old tab, or a forged redirect).").
			WithEvidence("the state sent with this sign-in", "state "+orNone(q.Get("state"))))
		page.fail(res.Findings)
		return res
	case q.Get("error") != "":
		code, desc := q.Get("error"), q.Get("error_description")
		add(StepRedirect, Problem(Fail, oauthErrorRow(idp, code, desc), "The IdP refused the sign-in: "+code).
			WithDetail(desc).WithEvidence("a code", "error="+code+orEmpty(", error_description=", desc)))
		page.fail(res.Findings)
		return res
	case q.Get("code") == "":
		add(StepRedirect, Problem(Fail, "idp_error", "The redirect carried neither a code nor an error").WithEvidence("code", "(none)"))
		page.fail(res.Findings)
		return res
	}
	code := q.Get("code")
	res.secrets = append(res.secrets, code)
	add(StepRedirect, Passf("The IdP redirected back to %s with a code and the right state", RedirectURI))

	// Exchange, as a public client with the PKCE verifier.
	oc := OAuth2Config(cfg, idp)
	octx := context.WithValue(ctx, oauth2.HTTPClient, &hc)
	xctx, cancel := context.WithTimeout(octx, fetch.timeout())
	tok, err := oc.Exchange(xctx, code, oauth2.VerifierOption(req.Verifier))
	if err != nil {
		add(StepExchange, tokenFailure(xctx, "The token endpoint refused the code", idp, oc.Endpoint.TokenURL, fetch.timeout(), err))
		cancel()
		page.fail(res.Findings)
		return res
	}
	cancel()
	res.secrets = append(res.secrets, tok.AccessToken, tok.RefreshToken)
	rawID, _ := tok.Extra("id_token").(string)
	res.secrets = append(res.secrets, rawID)
	res.Token = &TokenReport{Issued: map[string]bool{"id_token": rawID != "", "access_token": tok.AccessToken != "", "refresh_token": tok.RefreshToken != ""}}
	add(StepExchange, Passf("The token endpoint exchanged the code (public client, PKCE S256)"))
	if rawID == "" {
		add(StepIDToken, Problem(Fail, "token_validation_failure", "The token response has no ID token").
			WithEvidence("id_token in the token response", "(none)").WithFix("Make sure the openid scope is granted to the application."))
		page.fail(res.Findings)
		return res
	}

	// Validate with the values as entered.
	var disc *Discovery
	var discJWKS *KeySet
	jwks, jerr := FetchKeySet(ctx, fetch, clean(cfg.JWKSURI))
	if d, err := FetchDiscovery(ctx, fetch, cfg.Issuer); err == nil {
		disc = d
		if d.JWKSURI == clean(cfg.JWKSURI) {
			discJWKS = jwks
		} else if d.JWKSURI != "" {
			discJWKS, _ = FetchKeySet(ctx, fetch, d.JWKSURI)
		}
	}
	tc := TokenCheck{Issuer: cfg.Issuer, ClientID: cfg.ClientID, Nonce: req.Nonce, JWKS: jwks, DiscoveryJWKS: discJWKS, IdPDate: clock.last(), Now: now}
	if jerr != nil {
		tc.JWKS = nil
	}
	dec, fs := ValidateIDToken(ctx, rawID, tc, "ID token ")
	add(StepIDToken, fs...)
	if dec == nil {
		page.fail(res.Findings)
		return res
	}
	res.Token.IDToken = dec
	add(StepEmail, emailFindings(idp, dec.Claims, cfg.Email, opts.Users)...)

	// Userinfo, with the access token.
	add(StepUserinfo, userinfo(ctx, fetch, disc, tok, res.Token)...)

	// Refresh, as the app does to keep the session.
	add(StepRefresh, refresh(octx, fetch, oc, tok, tc, dec, idp, res)...)

	page.done(res.Findings)
	return res
}

func orEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func stepTitle(id string) string {
	for _, s := range LiveSteps {
		if s.ID == id {
			return s.Title
		}
	}
	return id
}

// waitEnded reports a wait for the redirect that ended without one.
func waitEnded(ctx context.Context, visits int) Finding {
	reached := "The browser never came back to " + RedirectURI + "."
	if visits > 0 {
		reached = fmt.Sprintf("The browser reached %s %d time(s), but never with a sign-in response.", RedirectURI, visits)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Problem(Fail, "idp_error", "No redirect came back before the time limit").
			WithDetail(reached+" An IdP that refuses the request (redirect URI not registered, client unknown, user not assigned) shows its own error page and never redirects: read that page, or paste its text into quickdiag triage.").
			WithEvidence("a redirect to "+RedirectURI, "none within the time limit").
			WithFix("Read the IdP's page in the browser tab; re-run with a longer --timeout if the sign-in itself took long.")
	}
	return Skipf("Stopped before the redirect came back. %s", reached)
}

// tokenFailure turns a token-endpoint error into a finding.
//
// ctx is the request's: when its deadline has passed, the answer was cut
// short (oauth2 then reports a read or JSON error, not the deadline), and
// the finding says so.
func tokenFailure(ctx context.Context, title string, idp IdP, tokenURL string, timeout time.Duration, err error) Finding {
	if ctx.Err() != nil {
		fe := &FetchError{Kind: ErrTimeout, URL: tokenURL, Timeout: timeout, Err: err}
		return Problem(Fail, fe.Row(), "The token endpoint gave no complete answer").WithEvidence("tokens", fe.Error()).
			WithFix("Check that the token endpoint is reachable from this machine (proxy, firewall) and answers promptly.")
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code, desc := re.ErrorCode, re.ErrorDescription
		got := "an error response"
		if re.Response != nil {
			got = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		}
		if code != "" {
			got += ", error=" + code
		}
		if desc != "" {
			got += ", error_description=" + desc
		}
		if code == "" {
			got += ": " + truncate(pageText(re.Body), 300)
		}
		return Problem(Fail, tokenErrorRow(idp, code, desc+" "+string(re.Body)), title+orEmpty(": ", code)).WithDetail(desc).WithEvidence("tokens", got)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		fe := classify(context.Background(), ue.URL, err, 0)
		return Problem(Fail, fe.Row(), title).WithEvidence("tokens", fe.Error())
	}
	return Problem(Fail, "idp_error", title).WithEvidence("tokens", err.Error())
}

// tokenErrorRow maps a token endpoint's error to a row: the same words mean
// other things here than at the authorization endpoint.
func tokenErrorRow(idp IdP, code, text string) string {
	lower := strings.ToLower(text)
	if s, _, ok := matchSign(text, idp); ok && s.Row != "invalid_client" && s.Row != "invalid_scope" {
		return s.Row
	}
	switch {
	case strings.Contains(lower, "client_secret is missing"):
		return "google_client_secret_missing"
	case strings.Contains(lower, "code_verifier") || strings.Contains(lower, "pkce") || strings.Contains(lower, "code challenge"):
		return "pkce_unsupported"
	case strings.Contains(lower, "client_assertion") || strings.Contains(lower, "client authentication") || strings.Contains(lower, "client_secret"):
		return "public_client_disabled"
	}
	switch code {
	case "invalid_client":
		if idp == IdPGoogle {
			return "google_client_secret_missing"
		}
		return "invalid_client"
	case "unauthorized_client", "unsupported_grant_type":
		return "access_denied_policy"
	case "invalid_grant":
		if strings.Contains(lower, "redirect") {
			return "redirect_mismatch"
		}
		return "idp_error"
	}
	return oauthErrorRow(idp, code, text)
}

// emailFindings checks the ID token's email claim against the account.
func emailFindings(idp IdP, claims map[string]any, email string, users []string) []Finding {
	got, _ := claims["email"].(string)
	if got == "" {
		f := Problem(Fail, "email_claim_missing", "The ID token has no email claim").
			WithDetail("The desktop app maps the user by the ID token's email; without it the user sees \"User not found\".").
			WithEvidence("an email claim", "claims: "+strings.Join(slices.Sorted(maps.Keys(claims)), ", "))
		if idp == IdPEntra || claims["preferred_username"] != nil || claims["upn"] != nil {
			if u, _ := firstString(claims, "preferred_username", "upn"); u != "" {
				f.Detail += " The token carries " + u + " as preferred_username/upn, which is not enough: Entra puts email in the ID token only with the optional claim, and only when the user's Mail attribute is filled in."
			}
		}
		return []Finding{f}
	}
	var out []Finding
	if v, ok := claims["email_verified"].(bool); ok && !v {
		out = append(out, Problem(Warn, "email_claim_missing", "The IdP marks the email as unverified").
			WithDetail("email_verified is false for "+got+"; make sure it is the address provisioned in the account.").WithEvidence("email_verified true", "false"))
	}
	switch {
	case len(users) > 0:
		out = append(out, matchEmail(got, users, "among the account's users"))
	case email != "":
		out = append(out, matchEmail(got, []string{email}, "as the provisioned email"))
	default:
		f := Passf("The ID token carries email %s", got)
		f.Detail = "Give --email or --users to check it against the account's users, exactly."
		out = append(out, f)
	}
	return out
}

func matchEmail(got string, provisioned []string, where string) Finding {
	for _, p := range provisioned {
		if p == got {
			return Passf("The ID token's email %s matches %s exactly", got, where)
		}
	}
	for _, p := range provisioned {
		if strings.EqualFold(p, got) {
			return Problem(Fail, "email_case_mismatch", "The email differs from the provisioned one only in letter case").
				WithDetail("Matching is exact, so the user sees \"User not found\".").WithEvidence(p, got)
		}
	}
	expected := provisioned[0]
	if len(provisioned) > 1 {
		expected = fmt.Sprintf("one of the %d provisioned emails", len(provisioned))
	}
	return Problem(Fail, "email_not_provisioned", "No provisioned user has the ID token's email").
		WithDetail("The email "+got+" is not "+where+".").WithEvidence(expected, got)
}

func firstString(m map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s, true
		}
	}
	return "", false
}

// userinfo calls discovery's userinfo endpoint with the access token.
func userinfo(ctx context.Context, f *Fetcher, d *Discovery, tok *oauth2.Token, tr *TokenReport) []Finding {
	switch {
	case d == nil:
		return []Finding{Skipf("Not run: the discovery document is not available (see discovery.fetch)")}
	case d.UserinfoEndpoint == "":
		return []Finding{Skipf("Not run: the discovery document names no userinfo endpoint")}
	case tok.AccessToken == "":
		return []Finding{Skipf("Not run: no access token was issued")}
	}
	req, err := http.NewRequest(http.MethodGet, d.UserinfoEndpoint, nil)
	if err != nil {
		return []Finding{Problem(Warn, "endpoint_mismatch", "The userinfo endpoint is not a URL").WithEvidence("a URL", d.UserinfoEndpoint)}
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := f.Do(ctx, req)
	if err != nil {
		return []Finding{fetchFailure("The userinfo endpoint could not be reached", err).WithEvidence("HTTP 200", err.Error())}
	}
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return []Finding{Problem(Fail, "userinfo_unauthorized", fmt.Sprintf("Userinfo refused the access token (HTTP %d)", resp.Status)).
			WithDetail("The access token is not accepted by the issuer's userinfo endpoint: the token endpoint belongs to another authorization server. "+resp.Header.Get("WWW-Authenticate")).
			WithEvidence("HTTP 200 from "+d.UserinfoEndpoint, fmt.Sprintf("HTTP %d", resp.Status))}
	case resp.Status != http.StatusOK:
		return []Finding{Problem(Warn, "idp_error", fmt.Sprintf("Userinfo answered HTTP %d", resp.Status)).
			WithEvidence("HTTP 200 from "+d.UserinfoEndpoint, fmt.Sprintf("HTTP %d: %s", resp.Status, truncate(pageText(resp.Body), 200)))}
	}
	var claims map[string]any
	if de := decodeJSONDoc(resp, &claims, "userinfo claims"); de == nil {
		tr.Userinfo = claims
	}
	return []Finding{Passf("Userinfo accepted the access token")}
}

// refresh runs the refresh grant and checks the new ID token.
func refresh(ctx context.Context, f *Fetcher, oc *oauth2.Config, tok *oauth2.Token, tc TokenCheck, first *DecodedJWT, idp IdP, res *LiveResult) []Finding {
	if tok.RefreshToken == "" {
		return []Finding{Problem(Fail, "refresh_token_missing", "No refresh token was issued").
			WithDetail("Without one the desktop app asks users to sign in again whenever the ID token expires (\"Session expires frequently\").").
			WithEvidence("a refresh token in the token response", "(none)")}
	}
	rctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	nt, err := oc.TokenSource(rctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		fi := tokenFailure(rctx, "The refresh grant failed", idp, oc.Endpoint.TokenURL, f.timeout(), err)
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			switch re.ErrorCode {
			case "invalid_grant":
				fi.Row = "refresh_token_rejected"
			case "unauthorized_client", "unsupported_grant_type":
				fi.Row = "refresh_token_missing"
				fi.Detail = "The refresh token was issued, but the client may not use the refresh_token grant. " + fi.Detail
			}
		}
		return []Finding{fi}
	}
	res.secrets = append(res.secrets, nt.AccessToken, nt.RefreshToken)
	rawID, _ := nt.Extra("id_token").(string)
	if rawID == "" {
		return []Finding{Problem(Fail, "refresh_id_token_missing", "The refresh grant returned no ID token").
			WithDetail("The desktop app needs a fresh ID token with current claims when it refreshes the session.").
			WithEvidence("id_token in the refresh response", "(none)")}
	}
	res.secrets = append(res.secrets, rawID)
	tc.Nonce = ""
	dec, out := ValidateIDToken(ctx, rawID, tc, "Refreshed ID token ")
	if dec == nil {
		return out
	}
	res.Token.Refresh = &RefreshReport{IDToken: dec}
	if s1, s2 := first.Claims["sub"], dec.Claims["sub"]; fmt.Sprint(s1) != fmt.Sprint(s2) {
		out = append(out, Problem(Fail, "token_validation_failure", "The refreshed ID token is for another subject").
			WithEvidence(fmt.Sprint(s1), fmt.Sprint(s2)))
	}
	if e, _ := dec.Claims["email"].(string); e == "" {
		out = append(out, Problem(Fail, "refresh_email_missing", "The refreshed ID token has no email claim").
			WithDetail("The first ID token carried email; the one from the refresh grant does not, so the session breaks at the first refresh (\"Missing email claim after refresh\").").
			WithEvidence("an email claim", "claims: "+strings.Join(slices.Sorted(maps.Keys(dec.Claims)), ", ")))
	} else if first.Claims["email"] != nil && e != first.Claims["email"] {
		out = append(out, Problem(Warn, "email_not_provisioned", "The refreshed ID token carries another email").
			WithEvidence(fmt.Sprint(first.Claims["email"]), e))
	}
	return out
}

// dateRecorder remembers the Date header of the latest response, to
// measure the clock offset against the IdP, and bounds response bodies by
// their request's deadline.
type dateRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	date time.Time
}

func (d *dateRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err == nil {
		// oauth2 reads token responses itself: a body its deadline cut
		// short must fail, not parse (see deadlineBody).
		resp.Body = deadlineBody{resp.Body, r.Context()}
		if t, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			d.mu.Lock()
			d.date = t
			d.mu.Unlock()
		}
	}
	return resp, err
}

func (d *dateRecorder) last() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.date
}

// The loopback listener.

// callback is one sign-in response delivered to the listener.
type callback struct {
	query url.Values
	reply chan signInPage
}

type loopback struct {
	listeners []net.Listener
	servers   []*http.Server
	callbacks chan *callback
	mu        sync.Mutex
	taken     bool
	hits      int
}

// loopbackAddrs are where the desktop app listens: localhost may resolve
// to either, and Chromium tries [::1] first.
var loopbackAddrs = []string{"127.0.0.1", "::1"}

// listenLoopback binds port 18080 of both loopback addresses, or reports at
// once why it cannot. It never waits for the port.
func listenLoopback() (*loopback, Finding) {
	lb := &loopback{callbacks: make(chan *callback, 1)}
	var listeners []net.Listener
	var notes []string
	for _, host := range loopbackAddrs {
		addr := net.JoinHostPort(host, strconv.Itoa(LoopbackPort))
		l, err := net.Listen("tcp", addr)
		if err == nil {
			listeners = append(listeners, l)
			continue
		}
		if host == "::1" && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)) {
			notes = append(notes, "IPv6 is not available on this machine, so only 127.0.0.1 listens.")
			continue
		}
		for _, l := range listeners {
			l.Close()
		}
		f := Problem(Fail, "loopback_unavailable", "Port 18080 is not free on "+addr).
			WithDetail("The desktop app must listen on http://localhost:18080 for the redirect; something else holds it. Find it with: lsof -nP -iTCP:18080 -sTCP:LISTEN (macOS, Linux) or netstat -ano | findstr :18080 (Windows).").
			WithEvidence("port 18080 free on "+addr, unwrapMsg(err))
		return nil, f
	}
	lb.listeners = listeners
	for _, l := range listeners {
		srv := &http.Server{Handler: lb, ReadHeaderTimeout: 10 * time.Second}
		lb.servers = append(lb.servers, srv)
		go srv.Serve(l)
	}
	f := Passf("Listening on %s", RedirectURI)
	f.Detail = strings.Join(notes, " ")
	return lb, f
}

// ServeHTTP takes the first sign-in response and answers the browser with
// the verdict; everything else gets a short page.
func (lb *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, port, _ := net.SplitHostPort(r.Host)
	if port != strconv.Itoa(LoopbackPort) || !isLoopback(host) {
		http.Error(w, "quickdiag's sign-in listener answers only on localhost:18080", http.StatusMisdirectedRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	lb.mu.Lock()
	lb.hits++
	lb.mu.Unlock()
	if r.URL.Path != "/" || r.Method != http.MethodGet || (q.Get("code") == "" && q.Get("error") == "" && q.Get("state") == "") {
		w.WriteHeader(http.StatusNotFound)
		writePage(w, signInPage{Title: "quickdiag is waiting for the sign-in", Lines: []string{"This address receives the IdP's redirect; there is nothing else here."}})
		return
	}
	lb.mu.Lock()
	first := !lb.taken
	lb.taken = true
	lb.mu.Unlock()
	if !first {
		w.WriteHeader(http.StatusConflict)
		writePage(w, signInPage{Title: "This sign-in was already received", Lines: []string{"Return to quickdiag."}})
		return
	}
	cb := &callback{query: q, reply: make(chan signInPage, 1)}
	lb.callbacks <- cb
	select {
	case p := <-cb.reply:
		writePage(w, p)
	case <-r.Context().Done():
	}
}

func (lb *loopback) visits() int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.hits
}

// close stops listening and lets a response in progress finish (two
// seconds at most). The port is free when it returns: the listeners are
// closed here, not left to a Serve goroutine that may not have started yet.
func (lb *loopback) close() {
	for _, l := range lb.listeners {
		l.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range lb.servers {
		if s.Shutdown(ctx) != nil {
			s.Close()
		}
	}
}
