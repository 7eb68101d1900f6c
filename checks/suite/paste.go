package suite

import (
	"net/url"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/oidc"
)

// secretPlaceholder stands in a value for a client secret quickdiag was
// not given.
const secretPlaceholder = "<CLIENT_SECRET>"

// paste computes the one consistent set of values to paste from the IdP's
// own sources: the discovery document the preflight read (the authority
// for the four URLs) and what the checks and the sign-in proved. A value is
// verified only with proof, corrected only to what the IdP publishes, and
// otherwise unverified, with the reason; a value that failed is never
// verified.
func paste(cfg checks.Config, p *checks.IdP, t *checks.Target, findings []checks.Finding) checks.PasteValues {
	passed := func(check string) bool {
		ok := false
		for _, f := range findings {
			if f.Check != check {
				continue
			}
			if f.Status != checks.Pass {
				return false
			}
			ok = true
		}
		return ok
	}
	var d *oidc.Discovery
	if v, ok := t.Loaded(oidc.DiscoveryInput); ok {
		d = v.(*oidc.Discovery)
	}
	out := checks.PasteValues{}

	// What the live sign-in proved with the values as entered.
	signedIn := passed("signin.id_token")                                // iss, aud, signature with the entered JWKS URI
	exchanged := passed("signin.exchange")                               // the token endpoint took the code
	redirected := passed("signin.redirect") || passed("probe.authorize") // the authorization endpoint took the request

	for _, f := range cfg.Fields() {
		entered := f.Value
		var published string
		if d != nil {
			published = map[checks.FieldKey]string{
				checks.Issuer: d.Issuer, checks.AuthorizationEndpoint: d.AuthorizationEndpoint,
				checks.TokenEndpoint: d.TokenEndpoint, checks.JWKSURI: d.JWKSURI,
			}[f.Key]
		}
		proved := map[checks.FieldKey]bool{
			checks.Issuer: signedIn, checks.JWKSURI: signedIn, checks.AuthorizationEndpoint: redirected,
			checks.TokenEndpoint: exchanged, checks.ClientID: exchanged && signedIn || passed("probe.authorize"),
		}[f.Key]
		var v *checks.Paste
		switch {
		case f.Key == checks.ClientID:
			v = clientIDPaste(entered, proved, passed("values.client_id"))
		case p.Proxied != nil && (f.Key == checks.AuthorizationEndpoint || f.Key == checks.TokenEndpoint) && p.Proxied(entered):
			// A proxy in front of the IdP (Cognito's): its discovery cannot know it.
			v = &checks.Paste{Value: entered, Status: checks.Unverified,
				Why: "This is the proxy's endpoint, which the IdP's discovery document cannot confirm; the sign-in step proves it."}
			if proved && entered == checks.Clean(entered) {
				v.Status, v.Why = checks.Verified, ""
			}
		case f.Key == checks.TokenEndpoint && p.SecretInTokenURL:
			v = secretURLPaste(entered, published, cfg.ClientSecret, proved)
		case d == nil:
			v = &checks.Paste{Value: entered, Status: checks.Unverified, Why: "The discovery document could not be read to confirm it."}
			if proved {
				v.Status, v.Why = checks.Verified, ""
			}
		case published == "":
			v = &checks.Paste{Value: entered, Status: checks.Unverified, Why: "The discovery document does not publish it."}
			if proved {
				v.Status, v.Why = checks.Verified, ""
			}
		case entered == published:
			v = &checks.Paste{Value: entered, Status: checks.Verified}
			if f.Key == checks.JWKSURI && !passed("jwks.keys") && !signedIn {
				v.Status, v.Why = checks.Unverified, "It is the IdP's own key set URL, but it did not serve usable signing keys (see jwks.keys)."
			}
		default:
			v = &checks.Paste{Value: published, Status: checks.Corrected, Entered: entered,
				Why: "The IdP's discovery document (" + d.URL + ") publishes " + published + "; the value is compared byte for byte."}
		}
		out.Set(f.Key, v)
	}
	return out
}

// clientIDPaste is the Client ID's entry: no document publishes it, so only
// the IdP accepting it proves it.
func clientIDPaste(entered string, proved, shapeOK bool) *checks.Paste {
	switch {
	case proved && entered == checks.Clean(entered):
		return &checks.Paste{Value: entered, Status: checks.Verified}
	case !shapeOK:
		return &checks.Paste{Value: entered, Status: checks.Unverified, Why: "It failed its check (see values.client_id): copy it again from the IdP's application page."}
	}
	return &checks.Paste{Value: entered, Status: checks.Unverified,
		Why: "No document publishes the Client ID: the probe or the sign-in step proves it when the IdP accepts it."}
}

// secretURLPaste is the entry of a token endpoint that carries the client
// secret in its client_secret query (Google's).
func secretURLPaste(entered, published, secret string, proved bool) *checks.Paste {
	clean := checks.Clean(entered)
	base, query, _ := strings.Cut(clean, "?")
	have := ""
	if q, err := url.ParseQuery(query); err == nil {
		have = q.Get("client_secret")
	}
	if checks.Placeholder.MatchString(have) {
		have = ""
	}
	if have == "" {
		have = secret
	}
	want := base
	if published != "" {
		want = published
	}
	v := &checks.Paste{Value: want + "?client_secret=" + url.QueryEscape(have)}
	if have == "" {
		v.Value, v.NeedsSecret = want+"?client_secret="+secretPlaceholder, true
	}
	switch {
	case v.Value == entered && (published == base || proved):
		v.Status = checks.Verified
	case v.Value == entered:
		v.Status, v.Why = checks.Unverified, "The discovery document could not be read to confirm it."
	default:
		v.Status, v.Entered = checks.Corrected, entered
		v.Why = "The token endpoint must be the IdP's (" + want + ") with the OAuth client's secret as its client_secret query: the desktop app sends only what the URL carries."
		if v.NeedsSecret {
			v.Why += " Replace " + secretPlaceholder + " with the secret."
		}
	}
	return v
}
