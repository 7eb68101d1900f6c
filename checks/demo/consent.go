package demo

import (
	"html"
	"net/http"
	"net/url"
	"strings"
)

// consentPage is how an IdP asks a user to consent to a new application,
// in its words, and what it answers when the user declines. IdPs whose
// consent is off by default (Okta, Keycloak, PingFederate…) have none.
type consentPage struct {
	Title, Text     string
	Accept, Decline string
	Declined        OAuthError
}

// consentPages are the vendors' consent pages for the desktop app's scopes.
var consentPages = map[string]consentPage{
	"entra": {Title: "Permissions requested",
		Text: "Amazon Quick (unverified). This app would like to: Sign you in and read your profile; Maintain access to data you have given it access to; View your email address. " +
			"Accepting these permissions means that you allow this app to use your data as specified in their terms of service and privacy statement.",
		Accept: "Accept", Decline: "Cancel",
		Declined: OAuthError{"access_denied", "AADSTS65004: User declined to consent to access the app."}},
	"google": {Title: "Sign in to Amazon Quick",
		Text:   "Amazon Quick wants to access your Google Account. This will allow Amazon Quick to: Associate you with your personal info on Google; See your primary Google Account email address. Make sure that you trust Amazon Quick.",
		Accept: "Continue", Decline: "Cancel",
		Declined: OAuthError{"access_denied", ""}},
	"auth0": {Title: "Authorize App",
		Text:   "Amazon Quick is requesting access to your acme account: openid, email, profile, offline_access.",
		Accept: "Accept", Decline: "Decline",
		Declined: OAuthError{"access_denied", "User did not authorize the request"}},
}

const callbackPath = "/auth/callback"

// withConsent sends a successful login to the IdP's consent page instead
// of straight back to the application, where the vendor has one and the
// scenario has no refusal after the login.
func (p *Provider) withConsent(loc string) string {
	if _, ok := consentPages[p.shape.IdP]; !ok || p.Scenario.Faults.AfterLogin != nil {
		return loc
	}
	u, err := url.Parse(loc)
	if err != nil || u.Path != callbackPath || u.Query().Get("id") == "" {
		return loc
	}
	return "/consent?id=" + url.QueryEscape(u.Query().Get("id"))
}

// consent shows the consent page (GET) and takes the user's answer (POST):
// accepted, the login ends with the code; declined, with the vendor's
// error at the application's redirect URI.
func (p *Provider) consent(w http.ResponseWriter, r *http.Request) {
	c, ok := consentPages[p.shape.IdP]
	id := r.FormValue("id")
	if !ok || id == "" {
		page(w, http.StatusBadRequest, "Bad request", "There is no sign-in waiting for consent.")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString("<!doctype html><html><head><title>" + html.EscapeString(c.Title) + "</title></head><body><h1>" + html.EscapeString(c.Title) + "</h1><p>" + html.EscapeString(c.Text) + "</p>")
		b.WriteString(`<form method="post" action="/consent"><input type="hidden" name="id" value="` + html.EscapeString(id) + `"><input type="hidden" name="prompt" value="consent">`)
		b.WriteString(`<button type="submit" name="answer" value="accept">` + html.EscapeString(c.Accept) + `</button> <button type="submit" name="answer" value="decline">` + html.EscapeString(c.Decline) + `</button></form>`)
		b.WriteString("<p><small>quickdiag practice IdP</small></p></body></html>")
		w.Write([]byte(b.String()))
		return
	}
	r2 := r.Clone(r.Context())
	r2.Method, r2.Body, r2.URL.Path, r2.URL.RawQuery = http.MethodGet, http.NoBody, callbackPath, "id="+url.QueryEscape(id)
	r2.Form, r2.PostForm = nil, nil
	var refuse *OAuthError
	if r.PostFormValue("answer") != "accept" {
		refuse = &c.Declined
	}
	p.finish(w, r2, refuse)
}
