package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// maxPageScan bounds how much of a page's raw HTML the wordings are looked
// for in (its text is read up to checks.PageText's bound): a 2 MiB page
// must not cost seconds.
const maxPageScan = 256 << 10

// maxProbeHops bounds the redirects the probe follows inside the IdP.
const maxProbeHops = 10

// Probe sends the desktop app's authorization request.
var Probe = &checks.Check{
	ID:    "probe.authorize",
	Title: "The IdP accepts the desktop app's authorization request",
	Doc: "Sends the authorization request exactly as the desktop app does (public client, PKCE S256, state, nonce, redirect_uri=http://localhost:18080, scopes openid email profile offline_access; Google: access_type=offline), " +
		"follows redirects within the IdP but never into the loopback, and reads what comes back: a sign-in page (client and redirect URI accepted; only with positive evidence, a login form or the IdP's own sign-in page), an error sent back to the redirect URI, the IdP's own error page, or a page it cannot classify (a warning, never a pass). No one signs in.",
	Phase:  checks.PhaseProbe,
	Values: []checks.FieldKey{checks.AuthorizationEndpoint, checks.ClientID},
	Run:    runProbe,
}

// Hop is one response the probe received.
type Hop struct {
	URL    string
	Status int
}

func runProbe(ctx context.Context, p *checks.Target) []checks.Finding {
	start := checks.ParseURL(p.Config.AuthorizationEndpoint)
	if start == nil || (start.Scheme != "https" && start.Scheme != "http") {
		return []checks.Finding{checks.Skipf("Not run: the authorization endpoint is not a URL (see values.urls)")}
	}
	if checks.Clean(p.Config.ClientID) == "" {
		return []checks.Finding{checks.Skipf("Not run: no Client ID")}
	}
	req := NewAuthRequest(p.Config, p.IdP)
	jar, _ := cookiejar.New(nil)
	client := *p.Client
	client.Jar = jar
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	f := &Fetcher{Client: &client, Timeout: p.RequestTimeout, MaxBody: 2 << 20}

	next := req.URL
	var hops []Hop
	for range maxProbeHops {
		resp, err := f.Get(ctx, next, "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8")
		if err != nil {
			return []checks.Finding{FetchFailure("The authorization endpoint could not be reached", err).
				WithEvidence("a sign-in page from "+checks.HostOf(next), err.Error())}
		}
		hops = append(hops, Hop{URL: checks.StripQuery(resp.URL), Status: resp.Status})
		loc := resp.Header.Get("Location")
		if resp.Status < 300 || resp.Status > 399 || loc == "" {
			return classifyPage(p, resp, hops)
		}
		cur, _ := url.Parse(resp.URL)
		target, err := cur.Parse(loc)
		if err != nil {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.IdPError, "The IdP redirected to an invalid URL").WithEvidence("a valid redirect", checks.Truncate(loc, 300))}
		}
		if IsRedirectTarget(target) {
			return classifyCallback(p, req, target, hops)
		}
		if Internal(target.Hostname()) && !Internal(start.Hostname()) {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.EndpointRedirects, "The IdP redirected into this machine or its network").
				WithDetail("An IdP on the internet does not send the browser to an address of this machine or its private network; quickdiag did not follow. Hops: "+hopList(hops)).
				WithEvidence("redirects within the IdP", checks.Truncate(checks.StripQuery(target.String()), 300))}
		}
		if target.Scheme != "https" && !(target.Scheme == "http" && checks.IsLoopback(target.Hostname())) {
			return []checks.Finding{checks.Problem(checks.Warn, catalog.IdPError, "The IdP redirected outside https").
				WithDetail("The probe stops at "+target.Scheme+": redirects; a browser may continue.").WithEvidence("https redirects", checks.StripQuery(target.String()))}
		}
		next = target.String()
	}
	return []checks.Finding{checks.Problem(checks.Warn, catalog.IdPError, "The IdP redirected more than 10 times").
		WithDetail("The probe stopped following redirects; the sign-in may loop. Hops: " + hopList(hops))}
}

func hopList(hops []Hop) string {
	var b strings.Builder
	for i, h := range hops {
		if i > 0 {
			b.WriteString(" → ")
		}
		fmt.Fprintf(&b, "%d %s", h.Status, h.URL)
	}
	return b.String()
}

// classifyCallback reads a redirect to the loopback listener.
func classifyCallback(p *checks.Target, req *AuthRequest, target *url.URL, hops []Hop) []checks.Finding {
	q := target.Query()
	if q.Get("error") == "" && target.Fragment != "" {
		if fq, err := url.ParseQuery(target.Fragment); err == nil {
			q = fq
		}
	}
	got := "redirect to " + checks.RedirectURI + " with error=" + q.Get("error")
	if d := q.Get("error_description"); d != "" {
		got += ", error_description=" + d
	}
	switch {
	case q.Get("error") != "":
		code, desc := q.Get("error"), q.Get("error_description")
		row := triage.OAuthErrorRow(p.IdP, code, desc)
		f := checks.Problem(checks.Fail, row, "The IdP refused the request: "+code).
			WithDetail("The IdP sent the error back to the app's redirect URI before anyone signed in. "+desc).
			WithEvidence("a sign-in page", got)
		if row == catalog.InvalidScope {
			f = f.WithDetail("The desktop app asks for " + strings.Join(OAuth2Config(p.Config, p.IdP).Scopes, " ") + "; the IdP refused a scope. " + desc)
		}
		if row == catalog.CognitoOfflineAccess {
			f = f.WithDetail("Cognito has no offline_access scope; the desktop app always sends it. " + desc)
		}
		return []checks.Finding{f}
	case q.Get("code") != "":
		if q.Get("state") != req.State {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.IdPError, "The IdP returned a code with the wrong state").
				WithEvidence("state as sent", "another state")}
		}
		return []checks.Finding{checks.Passf("The IdP accepted the request and redirected back at once (a session already existed)")}
	}
	return []checks.Finding{checks.Problem(checks.Warn, catalog.IdPError, "The IdP redirected back with neither a code nor an error").WithEvidence("code or error", "redirect to "+checks.RedirectURI)}
}

// loginFormRE is positive evidence of a sign-in page: a password field,
// or an input for the user's name, email or login.
var loginFormRE = regexp.MustCompile(`(?i)type=["']?password|<input\b[^>]*\b(name|id|autocomplete)=["']?(user(name)?|login(fmt)?|e-?mail|identifier(id)?|pf\.username|j_username)\b`)

// classifyPage reads the page the IdP finally showed.
func classifyPage(p *checks.Target, resp *Response, hops []Hop) []checks.Finding {
	text := checks.PageText(resp.Body)
	where := checks.HostOf(resp.URL)
	// An OAuth error as JSON.
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if strings.Contains(resp.ContentType, "json") && json.Unmarshal(resp.Body, &oe) == nil && oe.Error != "" {
		return []checks.Finding{checks.Problem(checks.Fail, triage.OAuthErrorRow(p.IdP, oe.Error, oe.Description), "The IdP refused the request: "+oe.Error).
			WithDetail(oe.Description).WithEvidence("a sign-in page", fmt.Sprintf("HTTP %d from %s: %s", resp.Status, where, checks.Truncate(text, 300)))}
	}
	// Vendor codes may sit in the page's script data, so look at the raw
	// body too, as far as an error page's data goes (maxPageScan).
	raw := resp.Body
	if len(raw) > maxPageScan {
		raw = raw[:maxPageScan]
	}
	for _, hay := range []string{text, string(raw)} {
		if row, m, ok := triage.Classify(hay, p.IdP, onAuthorizePage); ok {
			return []checks.Finding{checks.Problem(checks.Fail, row, "The IdP showed an error page").
				WithDetail("Instead of a sign-in page the IdP answered with an error; it matches the wording of this row.").
				WithEvidence("a sign-in page", fmt.Sprintf("HTTP %d from %s: %s", resp.Status, where, checks.Truncate(m, 400)))}
		}
	}
	switch {
	case resp.Status == http.StatusNotFound && strings.Contains(where, "-admin."):
		return []checks.Finding{checks.Problem(checks.Fail, catalog.OktaAdminHost, "The -admin host has no authorization endpoint").
			WithEvidence("a sign-in page", fmt.Sprintf("HTTP 404 from %s", where))}
	case resp.Status == http.StatusNotFound || resp.Status == http.StatusMethodNotAllowed:
		return []checks.Finding{checks.Problem(checks.Fail, catalog.EndpointMismatch, "The authorization endpoint does not exist").
			WithDetail("The URL answered HTTP "+fmt.Sprint(resp.Status)+": it is not this IdP's authorization endpoint.").
			WithEvidence("a sign-in page", fmt.Sprintf("HTTP %d from %s: %s", resp.Status, checks.StripQuery(resp.URL), checks.Truncate(text, 200)))}
	case resp.Status >= 500:
		return []checks.Finding{checks.Problem(checks.Warn, catalog.DiscoveryUnreachable, "The IdP answered with a server error").
			WithEvidence("a sign-in page", fmt.Sprintf("HTTP %d from %s: %s", resp.Status, where, checks.Truncate(text, 200)))}
	case resp.Status >= 400:
		return []checks.Finding{checks.Problem(checks.Fail, catalog.IdPError, "The IdP refused the request").
			WithDetail("The IdP's page names none of the known causes; its text is in the evidence.").
			WithEvidence("a sign-in page", fmt.Sprintf("HTTP %d from %s: %s", resp.Status, where, checks.Truncate(text, 400)))}
	}
	// A pass needs positive evidence: a login form, or the IdP's own sign-in
	// page. Several providers answer an unknown client or an unregistered
	// redirect URI with an ordinary HTTP 200 page.
	if loginFormRE.Match(resp.Body) || (p.IdP.LoginPage != nil && p.IdP.LoginPage.Match(resp.Body)) {
		f := checks.Passf("The IdP showed its sign-in page: client ID and redirect URI accepted")
		f.Detail = "Reached " + checks.StripQuery(resp.URL) + " after " + hopList(hops) + "."
		return []checks.Finding{f}
	}
	return []checks.Finding{checks.Problem(checks.Warn, catalog.IdPError, "The IdP answered with a page quickdiag cannot classify").
		WithDetail("The page is neither a sign-in form nor an error quickdiag knows: the client ID and redirect URI are not verified. Open the URL in a browser and read the page; paste its text into quickdiag triage.").
		WithEvidence("a sign-in page", fmt.Sprintf("HTTP %d from %s: %s", resp.Status, where, checks.Truncate(text, 400))).
		WithFix("Read the IdP's page in a browser; the sign-in step shows whether the IdP accepts the request.")}
}

// onAuthorizePage keeps the rows an IdP's page can show in answer to an
// authorization request: sign-in rows and an unknown tenant, not the
// wordings of tokens, accounts or the network.
func onAuthorizePage(id catalog.ID) bool {
	r, ok := catalog.Lookup(id)
	switch {
	case !ok:
		return false
	case id == catalog.UnknownTenant || id == catalog.OktaAdminHost:
		return true
	case id == catalog.LoopbackUnavailable || id == catalog.PKCEUnsupported:
		return false
	}
	return r.Group == catalog.GroupSignIn
}
