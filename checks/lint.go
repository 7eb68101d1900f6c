package checks

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// fieldRow is the catalog row for a problem with one console value.
func fieldRow(key string) string {
	switch key {
	case "issuer":
		return "token_validation_failure"
	case "jwks_uri":
		return "jwks_mismatch"
	case "client_id":
		return "invalid_client"
	}
	return "endpoint_mismatch"
}

// pasteProblems reports what a careless paste leaves in a value: surrounding
// white space, invisible characters, quotes, placeholders.
func pasteProblems(f Field) []Finding {
	v := f.Value
	row := fieldRow(f.Key)
	var out []Finding
	if v == "" {
		return []Finding{Problem(Fail, row, f.Label+" is empty").WithEvidence("the "+f.Label, "(empty)").
			WithFix("Enter the " + f.Label + "; all five values are required and cannot be added later.")}
	}
	if strings.TrimFunc(v, unicode.IsSpace) != v {
		out = append(out, Problem(Fail, row, f.Label+" has white space before or after it").
			WithDetail("The console stores the value exactly as pasted, spaces included, and the entry cannot be edited later.").
			WithEvidence(strings.TrimFunc(v, unicode.IsSpace), fmt.Sprintf("%q", v)).
			WithFix("Remove the surrounding white space before saving the extension access."))
	}
	if strings.ContainsAny(v, invisible) {
		out = append(out, Problem(Fail, row, f.Label+" contains an invisible character").
			WithDetail("A zero-width or byte-order-mark character came along with the paste; the IdP will not recognise the value.").
			WithEvidence(clean(strings.Map(dropInvisible, v)), fmt.Sprintf("%+q", v)).
			WithFix("Type the value again, or paste it through a plain-text editor."))
	}
	t := strings.TrimFunc(v, unicode.IsSpace)
	if len(t) >= 2 && (t[0] == '"' || t[0] == '\'' || t[len(t)-1] == '"' || t[len(t)-1] == '\'') {
		out = append(out, Problem(Fail, row, f.Label+" is wrapped in quotes").
			WithEvidence(clean(v), v).WithFix("Remove the quotes: paste the bare value."))
	}
	if m := placeholderRE.FindString(v); m != "" {
		out = append(out, Problem(Fail, row, f.Label+" still holds a placeholder").
			WithDetail(fmt.Sprintf("%q is template text from the documentation, not your value.", m)).
			WithEvidence("your own value", v).
			WithFix("Replace the placeholder with the value from your IdP."))
	}
	return out
}

func dropInvisible(r rune) rune {
	if strings.ContainsRune(invisible, r) {
		return -1
	}
	return r
}

// saasIdPs are providers whose hosts are public: a host without a domain
// cannot be theirs.
var saasIdPs = map[IdP]bool{IdPEntra: true, IdPGoogle: true, IdPOkta: true, IdPPingOne: true, IdPCognito: true, IdPAuth0: true}

// lintURL reports what is wrong with one URL value as a URL.
func lintURL(f Field, idp IdP) []Finding {
	out := pasteProblems(f)
	if f.Value == "" {
		return out
	}
	row := fieldRow(f.Key)
	v := clean(f.Value)
	u, err := url.Parse(v)
	if err != nil {
		return append(out, Problem(Fail, row, f.Label+" is not a valid URL").WithDetail(unwrapMsg(err)).WithEvidence("an absolute https URL", v))
	}
	if u.Scheme == "" || u.Host == "" {
		return append(out, Problem(Fail, row, f.Label+" is not an absolute URL").
			WithEvidence("https://"+strings.TrimPrefix(v, "//"), v).WithFix("Enter the full URL, starting with https://."))
	}
	if strings.ContainsAny(v, " \t\n") {
		out = append(out, Problem(Fail, row, f.Label+" contains white space").WithEvidence("a URL without spaces", v))
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if isLoopback(host) {
			out = append(out, Problem(Warn, row, f.Label+" uses plain http").
				WithDetail("Acceptable only for a test IdP on this machine; the desktop app's users need https.").WithEvidence("https://"+u.Host+u.RequestURI(), v).
				WithFix("Use the IdP's https URL."))
		} else {
			out = append(out, Problem(Fail, row, f.Label+" uses plain http").
				WithDetail("OIDC endpoints must be https; tokens would cross the network in clear text, and IdPs do not serve OIDC over http.").
				WithEvidence("https://"+u.Host+u.RequestURI(), v).WithFix("Use https://."))
		}
	default:
		return append(out, Problem(Fail, row, f.Label+" has the scheme "+u.Scheme+":, not https:").WithEvidence("an https URL", v))
	}
	if u.User != nil {
		out = append(out, Problem(Fail, row, f.Label+" carries a user name or password").WithEvidence("https://"+u.Host+u.EscapedPath(), "(credentials in the URL)"))
	}
	if u.Fragment != "" || strings.HasSuffix(v, "#") {
		out = append(out, Problem(Fail, row, f.Label+" has a #fragment").WithEvidence(strings.SplitN(v, "#", 2)[0], v))
	}
	if u.RawQuery != "" && f.Key != "token_endpoint" && f.Key != "authorization_endpoint" {
		out = append(out, Problem(Fail, row, f.Label+" has a query string").WithEvidence(stripQuery(v), v))
	}
	if host != "" && net.ParseIP(strings.Trim(host, "[]")) == nil && !strings.Contains(host, ".") && !isLoopback(host) {
		st := Warn
		if saasIdPs[idp] {
			st = Fail
		}
		ff := Problem(st, "dns_unresolved", f.Label+" has a host name without a domain").
			WithDetail(fmt.Sprintf("%q is a single-label name: it resolves at best inside one network, and users' browsers fail with DNS_PROBE_FINISHED_NXDOMAIN.", host)).
			WithEvidence(host+".<domain>", host)
		if idp == IdPOkta {
			ff = ff.WithFix(fmt.Sprintf("Use the full Okta domain, e.g. https://%s.okta.com, as the discovery document shows it.", host))
		}
		out = append(out, ff)
	}
	return out
}

var checkValuesURLs = &Check{
	ID:    "values.urls",
	Title: "The four URLs are clean, absolute https URLs",
	Doc:   "Checks the Issuer URL, authorization and token endpoints and JWKS URI as typed: present, no surrounding white space, invisible characters, quotes or documentation placeholders, absolute https (plain http only for a loopback test IdP, as a warning), no fragment, no host without a domain.",
	Phase: PhaseValues,
	Run: func(ctx context.Context, p *Target) []Finding {
		var out []Finding
		for _, f := range p.Config.Fields() {
			if f.Key == "client_id" {
				continue
			}
			out = append(out, lintURL(f, p.IdP)...)
		}
		if len(out) == 0 {
			return []Finding{Passf("The four URLs are clean, absolute https URLs")}
		}
		return out
	},
}

var (
	guidRE       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	oktaClientRE = regexp.MustCompile(`^0oa[0-9A-Za-z]{14,}$`)
)

var checkValuesClientID = &Check{
	ID:    "values.client_id",
	Title: "Client ID looks like one this IdP issues",
	Doc:   "Checks the Client ID as typed: present, cleanly pasted, not a URL, and of the shape the IdP issues (Okta's start with the digit 0, Entra's and PingOne's are GUIDs distinct from the tenant or environment ID, Google's end in .apps.googleusercontent.com).",
	Phase: PhaseValues,
	Run: func(ctx context.Context, p *Target) []Finding {
		f := p.Config.Fields()[4]
		out := pasteProblems(f)
		id := clean(f.Value)
		if id == "" {
			return out
		}
		bad := func(title, expected string) Finding {
			return Problem(Fail, "invalid_client", title).WithEvidence(expected, f.Value)
		}
		switch {
		case strings.Contains(id, "://"):
			out = append(out, bad("Client ID is a URL", "the application's client ID"))
		case strings.ContainsAny(id, " \t"):
			out = append(out, bad("Client ID contains white space", "a client ID without spaces"))
		}
		switch p.IdP {
		case IdPOkta:
			switch {
			case strings.HasPrefix(id, "Ooa") || strings.HasPrefix(id, "OOA") || strings.HasPrefix(id, "O"):
				out = append(out, bad("Okta client ID starts with the letter O", "0"+id[1:]).
					WithDetail("Okta client IDs start with the digit zero (0oa…); with the letter O Okta answers 400 Bad Request at once.").
					WithFix("Copy the Client ID again from the app's General tab: it starts with the digit 0."))
			case !oktaClientRE.MatchString(id):
				out = append(out, Problem(Warn, "invalid_client", "Client ID does not look like an Okta client ID").
					WithDetail("Okta client IDs are 20 characters starting with 0oa.").WithEvidence("0oa…", id))
			}
		case IdPEntra:
			switch {
			case !guidRE.MatchString(id):
				out = append(out, bad("Entra client ID is not a GUID", "the Application (client) ID, a GUID").
					WithFix("Copy the Application (client) ID from the app registration's Overview page."))
			case strings.EqualFold(id, entraTenant(p.Config.Issuer)):
				out = append(out, bad("Client ID is the tenant ID", "the Application (client) ID").
					WithDetail("The value entered is the Directory (tenant) ID that also appears in the issuer.").
					WithFix("Copy the Application (client) ID, not the Directory (tenant) ID, from the Overview page."))
			}
		case IdPPingOne:
			switch {
			case !guidRE.MatchString(id):
				out = append(out, Problem(Warn, "invalid_client", "PingOne client ID is not a GUID").WithEvidence("the application's Client ID, a GUID", id))
			case strings.EqualFold(id, pingOneEnv(p.Config.Issuer)):
				out = append(out, bad("Client ID is the environment ID", "the application's Client ID").
					WithFix("Copy the Client ID from the application's Configuration tab, not the Environment ID."))
			}
		case IdPGoogle:
			if !strings.HasSuffix(id, ".apps.googleusercontent.com") {
				out = append(out, bad("Google client ID is incomplete", "<number>-<id>.apps.googleusercontent.com").
					WithFix("Copy the whole Client ID of the Desktop OAuth client, ending in .apps.googleusercontent.com."))
			}
		}
		if len(out) == 0 {
			return []Finding{Passf("Client ID is cleanly pasted and of the expected shape")}
		}
		return out
	},
}
