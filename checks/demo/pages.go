package demo

import (
	"net/http"
	"net/url"
	"strings"
)

// vendorPages are how each IdP refuses an authorization request on its own
// page, in its words (the wordings quickdiag's knowledge holds, from the
// vendors' documentation): an unknown client and an unregistered redirect
// URI.
var vendorPages = map[string]map[string]Page{
	"entra": {
		"invalid_client":    {http.StatusBadRequest, "Sign in to your account", "Sorry, but we're having trouble signing you in. AADSTS700016: Application with identifier '{client_id}' was not found in the directory 'Acme'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."},
		"redirect_mismatch": {http.StatusBadRequest, "Sign in to your account", "Sorry, but we're having trouble signing you in. AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."},
	},
	"okta": {
		"invalid_client":    {http.StatusBadRequest, "400 Bad Request", "Your request resulted in an error. Invalid value for 'client_id' parameter."},
		"redirect_mismatch": {http.StatusBadRequest, "400 Bad Request", "Your request resulted in an error. The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"},
	},
	"google": {
		"invalid_client":    {http.StatusUnauthorized, "Access blocked: Authorization Error", "The OAuth client was not found. Error 401: invalid_client"},
		"redirect_mismatch": {http.StatusBadRequest, "Access blocked: This app's request is invalid", "You can't sign in because this app sent an invalid request. Error 400: redirect_uri_mismatch"},
	},
	"keycloak": {
		"invalid_client":    {http.StatusBadRequest, "We are sorry...", "We are sorry... Client not found."},
		"redirect_mismatch": {http.StatusBadRequest, "We are sorry...", "We are sorry... Invalid parameter: redirect_uri"},
	},
	"auth0": {
		"invalid_client":    {http.StatusBadRequest, "Oops!, something went wrong", "Oops!, something went wrong. invalid_request: Unknown client: {client_id}"},
		"redirect_mismatch": {http.StatusBadRequest, "Oops!, something went wrong", "Oops!, something went wrong. Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs."},
	},
	"adfs": {
		"invalid_client":    {http.StatusBadRequest, "An error occurred", "MSIS9223: Received invalid OAuth authorization request. The received 'client_id' is invalid as no registered client was found with this client identifier."},
		"redirect_mismatch": {http.StatusBadRequest, "An error occurred", "MSIS9224: Received invalid OAuth authorization request. The received 'redirect_uri' parameter is not a valid registered redirect URI for the client identifier"},
	},
	"pingfederate": {
		"invalid_client":    {http.StatusBadRequest, "Error", "unknown or invalid client_id"},
		"redirect_mismatch": {http.StatusBadRequest, "Error", "Invalid Redirect URI"},
	},
	"pingone": {
		"invalid_client":    {http.StatusBadRequest, "The request could not be completed", "The request could not be completed. The requested resource was not found. Client not found"},
		"redirect_mismatch": {http.StatusBadRequest, "The request could not be completed", "The request could not be completed. One or more validation errors were in the request. Redirect URI mismatch"},
	},
	"generic": {
		"invalid_client":    {http.StatusBadRequest, "Error", "invalid_client: client not found"},
		"redirect_mismatch": {http.StatusBadRequest, "Error", "invalid_request: redirect_uri did not match any of the client's registered redirect_uris"},
	},
}

// pageOf returns the IdP's page for a refusal, with the request's values
// filled in. Cognito refuses on its /error page by redirecting to it.
func pageOf(idp, kind string, q url.Values) *Page {
	pages, ok := vendorPages[idp]
	if !ok {
		pages = vendorPages["generic"]
	}
	if idp == "cognito" {
		code := map[string]string{"invalid_client": "invalid_request", "redirect_mismatch": "redirect_mismatch"}[kind]
		return &Page{http.StatusBadRequest, "Error", "An error was encountered with the requested page. error=" + code + " client_id=" + q.Get("client_id")}
	}
	p := pages[kind]
	r := strings.NewReplacer("{client_id}", q.Get("client_id"), "{redirect_uri}", q.Get("redirect_uri"))
	return &Page{Status: p.Status, Title: p.Title, Text: r.Replace(p.Text)}
}
