// Package lint holds the checks that read the five values alone, as typed,
// whatever the IdP: paste noise, URL shape, the Client ID's shape (with the
// IdP's own rule), a trailing slash. An IdP's own lints live with it in
// package idp.
package lint

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// pasteProblems reports what a careless paste leaves in a value: surrounding
// white space, invisible characters, quotes, placeholders.
func pasteProblems(f checks.Field) []checks.Finding {
	v := f.Value
	row := f.Row
	var out []checks.Finding
	if v == "" {
		return []checks.Finding{checks.Problem(checks.Fail, row, f.Label+" is empty").WithEvidence("the "+f.Label, "(empty)").
			WithFix("Enter the " + f.Label + "; all five values are required and cannot be added later.")}
	}
	if strings.TrimFunc(v, unicode.IsSpace) != v {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" has white space before or after it").
			WithDetail("The console stores the value exactly as pasted, spaces included, and the entry cannot be edited later.").
			WithEvidence(strings.TrimFunc(v, unicode.IsSpace), fmt.Sprintf("%q", v)).
			WithFix("Remove the surrounding white space before saving the extension access."))
	}
	if strings.ContainsAny(v, checks.Invisible) {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" contains an invisible character").
			WithDetail("A zero-width or byte-order-mark character came along with the paste; the IdP will not recognise the value.").
			WithEvidence(checks.Clean(strings.Map(dropInvisible, v)), fmt.Sprintf("%+q", v)).
			WithFix("Type the value again, or paste it through a plain-text editor."))
	}
	t := strings.TrimFunc(v, unicode.IsSpace)
	if len(t) >= 2 && (t[0] == '"' || t[0] == '\'' || t[len(t)-1] == '"' || t[len(t)-1] == '\'') {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" is wrapped in quotes").
			WithEvidence(checks.Clean(v), v).WithFix("Remove the quotes: paste the bare value."))
	}
	if m := checks.Placeholder.FindString(v); m != "" {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" still holds a placeholder").
			WithDetail(fmt.Sprintf("%q is template text from the documentation, not your value.", m)).
			WithEvidence("your own value", v).
			WithFix("Replace the placeholder with the value from your IdP."))
	}
	return out
}

func dropInvisible(r rune) rune {
	if strings.ContainsRune(checks.Invisible, r) {
		return -1
	}
	return r
}

// lintURL reports what is wrong with one URL value as a URL.
func lintURL(f checks.Field, idp *checks.IdP) []checks.Finding {
	out := pasteProblems(f)
	if f.Value == "" {
		return out
	}
	row := f.Row
	v := checks.Clean(f.Value)
	u, err := url.Parse(v)
	if err != nil {
		return append(out, checks.Problem(checks.Fail, row, f.Label+" is not a valid URL").WithDetail(urlErrorMsg(err)).WithEvidence("an absolute https URL", v))
	}
	if u.Scheme == "" || u.Host == "" {
		return append(out, checks.Problem(checks.Fail, row, f.Label+" is not an absolute URL").
			WithEvidence("https://"+strings.TrimPrefix(v, "//"), v).WithFix("Enter the full URL, starting with https://."))
	}
	if strings.ContainsAny(v, " \t\n") {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" contains white space").WithEvidence("a URL without spaces", v))
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if !checks.IsLoopback(host) {
			out = append(out, checks.Problem(checks.Fail, row, f.Label+" uses plain http").
				WithDetail("OIDC endpoints must be https; tokens would cross the network in clear text, and IdPs do not serve OIDC over http.").
				WithEvidence("https"+v[len(u.Scheme):], v).WithFix("Use https://."))
		}
	default:
		return append(out, checks.Problem(checks.Fail, row, f.Label+" has the scheme "+u.Scheme+":, not https:").WithEvidence("an https URL", v))
	}
	if u.User != nil {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" carries a user name or password").WithEvidence("https://"+u.Host+u.EscapedPath(), "(credentials in the URL)"))
	}
	if u.Fragment != "" || strings.HasSuffix(v, "#") {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" has a #fragment").WithEvidence(strings.SplitN(v, "#", 2)[0], v))
	}
	if u.RawQuery != "" && f.Key != checks.TokenEndpoint && f.Key != checks.AuthorizationEndpoint {
		out = append(out, checks.Problem(checks.Fail, row, f.Label+" has a query string").WithEvidence(checks.StripQuery(v), v))
	}
	if host != "" && net.ParseIP(strings.Trim(host, "[]")) == nil && !strings.Contains(host, ".") && !checks.IsLoopback(host) {
		st := checks.Warn
		if idp.Hosted {
			st = checks.Fail
		}
		ff := checks.Problem(st, catalog.DNSUnresolved, f.Label+" has a host name without a domain").
			WithDetail(fmt.Sprintf("%q is a single-label name: it resolves at best inside one network, and users' browsers fail with DNS_PROBE_FINISHED_NXDOMAIN.", host)).
			WithEvidence(host+".<domain>", host)
		if idp.ShortHostFix != nil {
			ff = ff.WithFix(idp.ShortHostFix(host))
		}
		out = append(out, ff)
	}
	return out
}

// URLs checks the four URL values as typed.
var URLs = &checks.Check{
	ID:    "values.urls",
	Title: "The four URLs are clean, absolute https URLs",
	Doc:   "Checks the Issuer URL, authorization and token endpoints and JWKS URI as typed: present, no surrounding white space, invisible characters, quotes or documentation placeholders, absolute https (plain http only for a practice or test IdP on this machine's loopback, said in the pass), no fragment, no host without a domain.",
	Phase: checks.PhaseValues,
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		var out []checks.Finding
		for _, f := range p.Config.Fields() {
			if !f.URL {
				continue
			}
			out = append(out, lintURL(f, p.IdP)...)
		}
		if len(out) == 0 {
			if u := checks.ParseURL(p.Config.Issuer); u != nil && u.Scheme == "http" && checks.IsLoopback(u.Hostname()) {
				return []checks.Finding{checks.Passf("The four URLs are clean; plain http is taken as a practice or test IdP on this machine's loopback (a real IdP's need https)")}
			}
			return []checks.Finding{checks.Passf("The four URLs are clean, absolute https URLs")}
		}
		return out
	},
}

// ClientID checks the Client ID as typed.
var ClientID = &checks.Check{
	ID:    "values.client_id",
	Title: "Client ID looks like one this IdP issues",
	Doc:   "Checks the Client ID as typed: present, cleanly pasted, not a URL, and of the shape the IdP issues (Okta's start with the digit 0, Entra's and PingOne's are GUIDs distinct from the tenant or environment ID, Google's end in .apps.googleusercontent.com).",
	Phase: checks.PhaseValues,
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		f := p.Config.Field(checks.ClientID)
		out := pasteProblems(f)
		id := checks.Clean(f.Value)
		if id == "" {
			return out
		}
		bad := func(title, expected string) checks.Finding {
			return checks.Problem(checks.Fail, catalog.InvalidClient, title).WithEvidence(expected, f.Value)
		}
		switch {
		case strings.Contains(id, "://"):
			out = append(out, bad("Client ID is a URL", "the application's client ID"))
		case strings.ContainsAny(id, " \t"):
			out = append(out, bad("Client ID contains white space", "a client ID without spaces"))
		}
		if p.IdP.LintClientID != nil {
			out = append(out, p.IdP.LintClientID(id, p.Config)...)
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Client ID is cleanly pasted and of the expected shape")}
		}
		return out
	},
}

// IssuerSlash fails an issuer with a trailing slash, for the providers
// whose issuers never end with one.
var IssuerSlash = &checks.Check{
	ID:      "values.issuer_slash",
	Title:   "Issuer URL has no trailing slash",
	Doc:     "Entra, Google, Okta, PingOne, PingFederate, Cognito, Keycloak and AD FS issuers do not end with a slash; issuer comparison is exact, so a trailing slash is a different issuer. (Auth0's does end with one; other providers are compared with discovery.)",
	Phase:   checks.PhaseValues,
	Values:  []checks.FieldKey{checks.Issuer},
	Applies: func(p *checks.IdP) bool { return p != nil && p.IssuerNoSlash },
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		iss := checks.Clean(p.Config.Issuer)
		if strings.HasSuffix(iss, "/") {
			return []checks.Finding{checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL ends with a slash").
				WithDetail(p.IdP.Name+" issues tokens whose iss has no trailing slash; the comparison is exact.").
				WithEvidence(strings.TrimRight(iss, "/"), p.Config.Issuer)}
		}
		return []checks.Finding{checks.Passf("Issuer URL has no trailing slash")}
	},
}

// urlErrorMsg returns a URL parse error's message without the value, which
// the evidence shows.
func urlErrorMsg(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
