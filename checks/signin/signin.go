// Package signin signs in exactly as the desktop app does, through the
// user's browser, and reports what the app would make of it: the loopback
// listener on port 18080 (one sign-in at a time), the code exchange, the ID
// token validated with the values as entered, the email against the
// account's users, userinfo and the refresh grant.
package signin

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/triage"
	"golang.org/x/oauth2"
)

// Options configure a live sign-in.
type Options struct {
	// IdP is the identity provider the values are for. Nil means Generic's
	// behaviour: no quirks.
	IdP *checks.IdP
	// Preflight holds the inputs a preflight of the same values loaded (the
	// discovery document, the key sets): reused instead of fetched again.
	// Nil means fetch them.
	Preflight *checks.Target
	// HTTPClient makes the token, userinfo and key-set requests. Nil means
	// oidc.NewHTTPClient(oidc.HTTPOptions{}).
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

// Steps documents the live sign-in's steps, for listings.
var Steps = []*checks.Check{
	{ID: StepListen, Phase: checks.PhaseSignIn, Title: "Port 18080 of both loopback addresses is free",
		Doc: "Listens on 127.0.0.1:18080 and [::1]:18080, as the desktop app does (a browser may try either); a port held by another process fails at once (loopback_unavailable), naming the command that finds the holder."},
	{ID: StepRedirect, Phase: checks.PhaseSignIn, Title: "The IdP redirects back with a code",
		Doc: "Opens the desktop app's authorization request in the browser and waits, bounded by --timeout, for the redirect to http://localhost:18080 with a code and the right state. An error sent back is mapped to its row (invalid_scope, cognito_offline_access, access_denied_policy, consent_required, …)."},
	{ID: StepExchange, Phase: checks.PhaseSignIn, Title: "The token endpoint exchanges the code",
		Doc: "Redeems the code as a public client with the PKCE verifier (Google: the secret in the token URL as entered). Refusals are mapped to their rows: public_client_disabled (AADSTS7000218), pkce_unsupported, google_client_secret_missing, invalid_client."},
	{ID: StepIDToken, Phase: checks.PhaseSignIn, Title: "The ID token validates with the values as entered",
		Doc: "Validates the ID token with go-oidc against the Issuer URL, Client ID and JWKS URI as entered, and the nonce. When it fails, the unverified decode says why: iss is not the issuer (invalid_issuer for Entra's /v2.0, else token_validation_failure), a kid missing from the entered key set but present in the issuer's (jwks_mismatch), aud (audience_mismatch), expiry with the clock offset against the IdP's Date header (clock_skew), alg none, HS256 or unknown."},
	{ID: StepEmail, Phase: checks.PhaseSignIn, Title: "The ID token's email matches a provisioned user exactly",
		Doc: "The ID token must carry email (email_claim_missing; on Entra, naming the optional claim and the Mail attribute when only preferred_username or upn is there; email_verified false warns). It must equal --email or one of the --users list exactly: email_case_mismatch when only letter case differs, else email_not_provisioned."},
	{ID: StepUserinfo, Phase: checks.PhaseSignIn, Title: "Userinfo accepts the access token",
		Doc: "Calls discovery's userinfo endpoint with the access token; 401 means the endpoints belong to different authorization servers (userinfo_unauthorized)."},
	{ID: StepRefresh, Phase: checks.PhaseSignIn, Title: "A refresh token is issued and refreshing returns an ID token with email",
		Doc: "Runs the refresh grant as the app does to keep sessions: a refresh token must be issued (refresh_token_missing, with the IdP's own fix), and the refresh must return a new ID token (refresh_id_token_missing) for the same sub, still with email (refresh_email_missing)."},
}

// Run signs in exactly as the desktop app does, through the user's
// browser, and reports what the app would make of it. It returns when the
// sign-in is done, or when ctx ends (the --timeout, or Ctrl-C), having
// released the loopback port.
func Run(ctx context.Context, cfg checks.Config, opts Options) *checks.SignInResult {
	res := &checks.SignInResult{}
	idp := opts.IdP
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	defer func() { res.Ended = now() }()
	add := func(step string, fs ...checks.Finding) {
		for _, f := range fs {
			f.Check, f.Phase = step, checks.PhaseSignIn
			if f.Status == checks.Skip && f.Detail == "" {
				f.Detail = f.Title
				f.Title = stepTitle(step)
			}
			f.Complete(idp)
			res.Findings = append(res.Findings, f)
		}
	}
	client := opts.HTTPClient
	if client == nil {
		if c, err := oidc.NewHTTPClient(oidc.HTTPOptions{}); err == nil {
			client = c
		} else {
			client = http.DefaultClient
		}
	}
	clock := &dateRecorder{base: client.Transport}
	if clock.base == nil {
		clock.base = http.DefaultTransport
	}
	hc := *client
	hc.Transport = clock
	fetch := &oidc.Fetcher{Client: &hc, Timeout: opts.RequestTimeout}

	if checks.Clean(cfg.AuthorizationEndpoint) == "" || checks.Clean(cfg.TokenEndpoint) == "" || checks.Clean(cfg.ClientID) == "" {
		add(StepListen, checks.Skipf("Not run: the authorization endpoint, token endpoint and Client ID are all needed"))
		return res
	}
	// Only a web address is opened in a browser (see values.urls for the rest).
	for _, v := range []string{cfg.AuthorizationEndpoint, cfg.TokenEndpoint} {
		if u := checks.ParseURL(v); u == nil || (u.Scheme != "https" && u.Scheme != "http") {
			add(StepListen, checks.Skipf("Not run: the authorization and token endpoints must be http(s) URLs (see values.urls)"))
			return res
		}
	}

	lb, f := listenLoopback()
	add(StepListen, f)
	if lb == nil {
		return res
	}
	defer lb.close()

	req := oidc.NewAuthRequest(cfg, idp)
	res.Secrets = append(res.Secrets, req.Verifier)
	lb.expect(req.State)
	defer func() { add(StepRedirect, strayWarning(lb.strayRequests())...) }()
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
	case q.Get("error") != "":
		code, desc := q.Get("error"), q.Get("error_description")
		add(StepRedirect, checks.Problem(checks.Fail, triage.OAuthErrorRow(idp, code, desc), "The IdP refused the sign-in: "+code).
			WithDetail(desc).WithEvidence("a code", "error="+code+orEmpty(", error_description=", desc)))
		page.fail(res.Findings)
		return res
	case q.Get("code") == "":
		add(StepRedirect, checks.Problem(checks.Fail, catalog.IdPError, "The redirect carried neither a code nor an error").WithEvidence("code", "(none)"))
		page.fail(res.Findings)
		return res
	}
	code := q.Get("code")
	res.Secrets = append(res.Secrets, code)
	add(StepRedirect, checks.Passf("The IdP redirected back to %s with a code and the right state", checks.RedirectURI))

	// Exchange, as a public client with the PKCE verifier.
	oc := oidc.OAuth2Config(cfg, idp)
	// The token, refresh and userinfo requests never follow a redirect: a
	// 307 or 308 would re-send the code, the verifier or the token to
	// another host. The desktop app posts the code once.
	once := hc
	once.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	octx := context.WithValue(ctx, oauth2.HTTPClient, &once)
	xctx, cancel := context.WithTimeout(octx, fetch.RequestTimeout())
	tok, err := oc.Exchange(xctx, code, oauth2.VerifierOption(req.Verifier))
	if err != nil {
		add(StepExchange, tokenFailure(xctx, "The token endpoint refused the code", idp, oc.Endpoint.TokenURL, fetch.RequestTimeout(), err))
		cancel()
		page.fail(res.Findings)
		return res
	}
	cancel()
	res.Secrets = append(res.Secrets, tok.AccessToken, tok.RefreshToken)
	rawID, _ := tok.Extra("id_token").(string)
	res.Secrets = append(res.Secrets, rawID)
	res.Token = &checks.TokenReport{Issued: map[string]bool{"id_token": rawID != "", "access_token": tok.AccessToken != "", "refresh_token": tok.RefreshToken != ""}}
	add(StepExchange, checks.Passf("The token endpoint exchanged the code (public client, PKCE S256)"))
	if rawID == "" {
		add(StepIDToken, checks.Problem(checks.Fail, catalog.TokenValidationFailure, "The token response has no ID token").
			WithEvidence("id_token in the token response", "(none)").WithFix("Make sure the openid scope is granted to the application."))
		page.fail(res.Findings)
		return res
	}

	// Validate with the values as entered.
	disc, jwks, discJWKS, jerr := inputs(ctx, fetch, cfg, opts.Preflight)
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
	add(StepUserinfo, userinfo(ctx, &oidc.Fetcher{Client: &once, Timeout: opts.RequestTimeout}, disc, tok, res.Token)...)

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
	for _, s := range Steps {
		if s.ID == id {
			return s.Title
		}
	}
	return id
}

// waitEnded reports a wait for the redirect that ended without one.
func waitEnded(ctx context.Context, visits int) checks.Finding {
	reached := "The browser never came back to " + checks.RedirectURI + "."
	if visits > 0 {
		reached = fmt.Sprintf("The browser reached %s %d time(s), but never with a sign-in response.", checks.RedirectURI, visits)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		f := checks.Unfinished("No redirect came back before the time limit")
		f.Detail = reached + " Nothing after the authorization request is verified. An IdP that refuses the request (redirect URI not registered, client unknown, user not assigned) shows its own error page and never redirects: read that page, or paste its text into quickdiag triage."
		return f.WithEvidence("a redirect to "+checks.RedirectURI, "none within the time limit").
			WithFix("Read the IdP's page in the browser tab; re-run with a longer --timeout if the sign-in itself took long.")
	}
	f := checks.Unfinished("Stopped before the redirect came back")
	f.Detail = reached + " Nothing after the authorization request is verified."
	return f
}

// tokenFailure turns a token-endpoint error into a finding.
//
// ctx is the request's: when its deadline has passed, the answer was cut
// short (oauth2 then reports a read or JSON error, not the deadline), and
// the finding says so.
func tokenFailure(ctx context.Context, title string, idp *checks.IdP, tokenURL string, timeout time.Duration, err error) checks.Finding {
	if ctx.Err() != nil {
		fe := &oidc.FetchError{Kind: oidc.ErrTimeout, URL: tokenURL, Timeout: timeout, Err: err}
		return checks.Problem(checks.Fail, fe.Row(), "The token endpoint gave no complete answer").WithEvidence("tokens", fe.Error()).
			WithFix("checks.Check that the token endpoint is reachable from this machine (proxy, firewall) and answers promptly.")
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 300 && re.Response.StatusCode < 400 {
		loc := checks.Truncate(checks.StripQuery(re.Response.Header.Get("Location")), 300)
		return checks.Problem(checks.Fail, catalog.EndpointRedirects, "The token endpoint answered with a redirect").
			WithDetail(fmt.Sprintf("HTTP %d to %s. quickdiag did not follow it: it would send the code and the PKCE verifier to another address, and the desktop app posts the code to the token endpoint once.", re.Response.StatusCode, checks.OrNone(loc))).
			WithEvidence("tokens from "+checks.StripQuery(tokenURL), fmt.Sprintf("HTTP %d, Location %s", re.Response.StatusCode, checks.OrNone(checks.Truncate(loc, 300)))).
			WithFix("Paste the token endpoint from the IdP's discovery document, where it answers without a redirect.")
	}
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
			got += ": " + checks.Truncate(checks.PageText(re.Body), 300)
		}
		row := tokenErrorRow(idp, code, desc+" "+string(re.Body))
		detail := desc
		if code == "invalid_client" && row == catalog.PublicClientDisabled {
			detail = strings.TrimSpace("The authorization endpoint accepted this Client ID (it sent a code back), so invalid_client here means the token endpoint wants the client to authenticate: the application is registered as a confidential client. " + desc)
		}
		return checks.Problem(checks.Fail, row, title+orEmpty(": ", code)).WithDetail(detail).WithEvidence("tokens", got)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		fe := oidc.ClassifyError(context.Background(), ue.URL, err, 0)
		return checks.Problem(checks.Fail, fe.Row(), title).WithEvidence("tokens", fe.Error())
	}
	return checks.Problem(checks.Fail, catalog.IdPError, title).WithEvidence("tokens", err.Error())
}

// tokenErrorRow maps a token endpoint's error to a row: the same words mean
// other things here than at the authorization endpoint.
func tokenErrorRow(idp *checks.IdP, code, text string) catalog.ID {
	lower := strings.ToLower(text)
	if row, _, ok := triage.Classify(text, idp, nil); ok && row != catalog.InvalidClient && row != catalog.InvalidScope {
		return row
	}
	switch {
	case strings.Contains(lower, "client_secret is missing"):
		return catalog.GoogleClientSecretMissing
	case strings.Contains(lower, "code_verifier") || strings.Contains(lower, "pkce") || strings.Contains(lower, "code challenge"):
		return catalog.PKCEUnsupported
	case strings.Contains(lower, "client_assertion") || strings.Contains(lower, "client authentication") || strings.Contains(lower, "client_secret"):
		return catalog.PublicClientDisabled
	}
	switch code {
	case "invalid_client":
		// The authorization endpoint accepted this client (it sent a code):
		// the token endpoint refusing it wants client authentication.
		return catalog.PublicClientDisabled
	case "unauthorized_client", "unsupported_grant_type":
		return catalog.AccessDeniedPolicy
	case "invalid_grant":
		if strings.Contains(lower, "redirect") {
			return catalog.RedirectMismatch
		}
		return catalog.IdPError
	}
	return triage.OAuthErrorRow(idp, code, text)
}

// emailFindings checks the ID token's email claim against the account.
func emailFindings(idp *checks.IdP, claims map[string]any, email string, users []string) []checks.Finding {
	got, _ := claims["email"].(string)
	if got == "" {
		f := checks.Problem(checks.Fail, catalog.EmailClaimMissing, "The ID token has no email claim").
			WithDetail("The desktop app maps the user by the ID token's email; without it the user sees \"User not found\".").
			WithEvidence("an email claim", "claims: "+strings.Join(slices.Sorted(maps.Keys(claims)), ", "))
		if idp != nil && idp.EmailHint != nil {
			if hint := idp.EmailHint(claims); hint != "" {
				f.Detail += " " + hint
			}
		} else if u, _ := firstString(claims, "preferred_username", "upn"); u != "" {
			f.Detail += " The token carries " + u + " as preferred_username/upn, which is not the email claim."
		}
		return []checks.Finding{f}
	}
	var out []checks.Finding
	if v, ok := claims["email_verified"].(bool); ok && !v {
		out = append(out, checks.Problem(checks.Warn, catalog.EmailClaimMissing, "The IdP marks the email as unverified").
			WithDetail("email_verified is false for "+got+"; make sure it is the address provisioned in the account.").WithEvidence("email_verified true", "false"))
	}
	switch {
	case len(users) > 0:
		out = append(out, matchEmail(got, users, "among the account's users"))
	case email != "":
		out = append(out, matchEmail(got, []string{email}, "as the provisioned email"))
	default:
		f := checks.Passf("The ID token carries email %s", got)
		f.Detail = "Give --email or --users to check it against the account's users, exactly."
		out = append(out, f)
	}
	return out
}

func matchEmail(got string, provisioned []string, where string) checks.Finding {
	for _, p := range provisioned {
		if p == got {
			return checks.Passf("The ID token's email %s matches %s exactly", got, where)
		}
	}
	for _, p := range provisioned {
		if strings.EqualFold(p, got) {
			return checks.Problem(checks.Fail, catalog.EmailCaseMismatch, "The email differs from the provisioned one only in letter case").
				WithDetail("Matching is exact, so the user sees \"User not found\".").WithEvidence(p, got)
		}
	}
	expected := provisioned[0]
	if len(provisioned) > 1 {
		expected = fmt.Sprintf("one of the %d provisioned emails", len(provisioned))
	}
	return checks.Problem(checks.Fail, catalog.EmailNotProvisioned, "No provisioned user has the ID token's email").
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
func userinfo(ctx context.Context, f *oidc.Fetcher, d *oidc.Discovery, tok *oauth2.Token, tr *checks.TokenReport) []checks.Finding {
	switch {
	case d == nil:
		return []checks.Finding{checks.Skipf("Not run: the discovery document is not available (see discovery.fetch)")}
	case d.UserinfoEndpoint == "":
		return []checks.Finding{checks.Skipf("Not run: the discovery document names no userinfo endpoint")}
	case tok.AccessToken == "":
		return []checks.Finding{checks.Skipf("Not run: no access token was issued")}
	}
	req, err := http.NewRequest(http.MethodGet, d.UserinfoEndpoint, nil)
	if err != nil {
		return []checks.Finding{checks.Problem(checks.Warn, catalog.EndpointMismatch, "The userinfo endpoint is not a URL").WithEvidence("a URL", d.UserinfoEndpoint)}
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := f.Do(ctx, req)
	if err != nil {
		return []checks.Finding{oidc.FetchFailure("The userinfo endpoint could not be reached", err).WithEvidence("HTTP 200", err.Error())}
	}
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return []checks.Finding{checks.Problem(checks.Fail, catalog.UserinfoUnauthorized, fmt.Sprintf("Userinfo refused the access token (HTTP %d)", resp.Status)).
			WithDetail("The access token is not accepted by the issuer's userinfo endpoint: the token endpoint belongs to another authorization server. "+checks.Truncate(resp.Header.Get("WWW-Authenticate"), 300)).
			WithEvidence("HTTP 200 from "+d.UserinfoEndpoint, fmt.Sprintf("HTTP %d", resp.Status))}
	case resp.Status >= 300 && resp.Status < 400:
		return []checks.Finding{checks.Problem(checks.Warn, catalog.EndpointRedirects, fmt.Sprintf("Userinfo answered with a redirect (HTTP %d)", resp.Status)).
			WithDetail("quickdiag did not follow it, so as not to send the access token elsewhere.").
			WithEvidence("HTTP 200 from "+d.UserinfoEndpoint, fmt.Sprintf("HTTP %d, Location %s", resp.Status, checks.OrNone(checks.StripQuery(resp.Header.Get("Location")))))}
	case resp.Status != http.StatusOK:
		return []checks.Finding{checks.Problem(checks.Warn, catalog.IdPError, fmt.Sprintf("Userinfo answered HTTP %d", resp.Status)).
			WithEvidence("HTTP 200 from "+d.UserinfoEndpoint, fmt.Sprintf("HTTP %d: %s", resp.Status, checks.Truncate(checks.PageText(resp.Body), 200)))}
	}
	var claims map[string]any
	if de := oidc.DecodeJSON(resp, &claims, "userinfo claims"); de == nil {
		tr.Userinfo = claims
	}
	return []checks.Finding{checks.Passf("Userinfo accepted the access token")}
}

// refresh runs the refresh grant and checks the new ID token.
func refresh(ctx context.Context, f *oidc.Fetcher, oc *oauth2.Config, tok *oauth2.Token, tc TokenCheck, first *checks.DecodedJWT, idp *checks.IdP, res *checks.SignInResult) []checks.Finding {
	if tok.RefreshToken == "" {
		return []checks.Finding{checks.Problem(checks.Fail, catalog.RefreshTokenMissing, "No refresh token was issued").
			WithDetail("Without one the desktop app asks users to sign in again whenever the ID token expires (\"Session expires frequently\").").
			WithEvidence("a refresh token in the token response", "(none)")}
	}
	rctx, cancel := context.WithTimeout(ctx, f.RequestTimeout())
	defer cancel()
	nt, err := oc.TokenSource(rctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		fi := tokenFailure(rctx, "The refresh grant failed", idp, oc.Endpoint.TokenURL, f.RequestTimeout(), err)
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			switch re.ErrorCode {
			case "invalid_grant":
				fi.Row = catalog.RefreshTokenRejected
			case "unauthorized_client", "unsupported_grant_type":
				fi.Row = catalog.RefreshTokenMissing
				fi.Detail = "The refresh token was issued, but the client may not use the refresh_token grant. " + fi.Detail
			}
		}
		return []checks.Finding{fi}
	}
	res.Secrets = append(res.Secrets, nt.AccessToken, nt.RefreshToken)
	rawID, _ := nt.Extra("id_token").(string)
	if rawID == "" {
		return []checks.Finding{checks.Problem(checks.Fail, catalog.RefreshIDTokenMissing, "The refresh grant returned no ID token").
			WithDetail("The desktop app needs a fresh ID token with current claims when it refreshes the session.").
			WithEvidence("id_token in the refresh response", "(none)")}
	}
	res.Secrets = append(res.Secrets, rawID)
	tc.Nonce = ""
	dec, out := ValidateIDToken(ctx, rawID, tc, "Refreshed ID token ")
	if dec == nil {
		return out
	}
	res.Token.Refresh = &checks.RefreshReport{IDToken: dec}
	if s1, s2 := first.Claims["sub"], dec.Claims["sub"]; fmt.Sprint(s1) != fmt.Sprint(s2) {
		out = append(out, checks.Problem(checks.Fail, catalog.TokenValidationFailure, "The refreshed ID token is for another subject").
			WithEvidence(fmt.Sprint(s1), fmt.Sprint(s2)))
	}
	if e, _ := dec.Claims["email"].(string); e == "" && first.Claims["email"] == nil {
		// The first ID token had none either: email_claim_missing says so.
		out = append(out, checks.Skipf("The refreshed ID token has no email claim either (see signin.email)"))
	} else if e == "" {
		out = append(out, checks.Problem(checks.Fail, catalog.RefreshEmailMissing, "The refreshed ID token has no email claim").
			WithDetail("The first ID token carried email; the one from the refresh grant does not, so the session breaks at the first refresh (\"Missing email claim after refresh\").").
			WithEvidence("an email claim", "claims: "+strings.Join(slices.Sorted(maps.Keys(dec.Claims)), ", ")))
	} else if first.Claims["email"] != nil && e != first.Claims["email"] {
		out = append(out, checks.Problem(checks.Warn, catalog.EmailNotProvisioned, "The refreshed ID token carries another email").
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

// RoundTrip sends r and records the response's Date.
func (d *dateRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err == nil {
		// oauth2 reads token responses itself: a body its deadline cut
		// short must fail, not parse (see deadlineBody).
		resp.Body = oidc.DeadlineBody{ReadCloser: resp.Body, Ctx: r.Context()}
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

// inputs returns the discovery document and the key sets the validation
// needs: the preflight's where it loaded them, fetched otherwise. A key set
// that cannot be read leaves jwks nil, with the error.
func inputs(ctx context.Context, f *oidc.Fetcher, cfg checks.Config, pre *checks.Target) (disc *oidc.Discovery, jwks, discJWKS *oidc.KeySet, jerr error) {
	if v, ok := pre.Loaded(oidc.JWKSInput); ok {
		jwks = v.(*oidc.KeySet)
	} else {
		jwks, jerr = oidc.FetchKeySet(ctx, f, checks.Clean(cfg.JWKSURI))
	}
	if v, ok := pre.Loaded(oidc.DiscoveryInput); ok {
		disc = v.(*oidc.Discovery)
	} else if d, err := oidc.FetchDiscovery(ctx, f, cfg.Issuer); err == nil {
		disc = d
	}
	switch {
	case disc == nil:
	case disc.JWKSURI == checks.Clean(cfg.JWKSURI):
		discJWKS = jwks
	case disc.JWKSURI != "":
		if v, ok := pre.Loaded(oidc.DiscoveryJWKSInput); ok {
			discJWKS = v.(*oidc.KeySet)
		} else {
			discJWKS, _ = oidc.FetchKeySet(ctx, f, disc.JWKSURI)
		}
	}
	return disc, jwks, discJWKS, jerr
}

// strayWarning reports the requests that reached the listener with a
// sign-in response of another state (an old tab, or a page forging one).
func strayWarning(strays []string) []checks.Finding {
	if len(strays) == 0 {
		return nil
	}
	return []checks.Finding{checks.Problem(checks.Warn, catalog.IdPError, fmt.Sprintf("%d request(s) reached %s without this sign-in's state", len(strays), checks.RedirectURI)).
		WithDetail("quickdiag answered them with an error and kept waiting; they did not end the sign-in. An old tab of an earlier sign-in, or a web page sending requests to localhost, does this.").
		WithEvidence("only the IdP's redirect with this sign-in's state", strings.Join(strays, ", "))}
}
