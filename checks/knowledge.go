package checks

import (
	"regexp"
	"strings"
)

// Sign is one way an IdP, a browser or a library words a failure: a pattern
// that, found in an error page, an error_description or a pasted message,
// points at a catalog row. The table is the one place this knowledge lives.
type Sign struct {
	Row string
	// IdP is the provider that words it so; empty for any.
	IdP IdP
	// Pattern is matched case-insensitively.
	Pattern *regexp.Regexp
	// Example is a real message the pattern matches.
	Example string
}

func sign(row string, idp IdP, pattern, example string) Sign {
	return Sign{Row: row, IdP: idp, Pattern: regexp.MustCompile(`(?i)` + pattern), Example: example}
}

// signs are checked in order; the first match wins, so specific wordings
// (vendor codes) come before generic OAuth error codes.
var signs = []Sign{
	// Entra: match the AADSTS code, not the sentence, which Microsoft rewords.
	sign("redirect_mismatch", IdPEntra, `AADSTS50011\b`, "AADSTS50011: The redirect URI 'http://localhost:18080' specified in the request does not match the redirect URIs configured for the application"),
	sign("redirect_mismatch", IdPEntra, `AADSTS500113\b`, "AADSTS500113: No reply address is registered for the application."),
	sign("redirect_mismatch", IdPEntra, `AADSTS9002327\b`, "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."),
	sign("invalid_client", IdPEntra, `AADSTS700016\b`, "AADSTS700016: Application with identifier '…' was not found in the directory '…'."),
	sign("unknown_tenant", IdPEntra, `AADSTS(90002|50194|900023|90072)\b`, "AADSTS90002: Tenant '…' not found."),
	sign("consent_required", IdPEntra, `AADSTS(65001|90094|90008|65004)\b`, "AADSTS65001: The user or administrator has not consented to use the application"),
	sign("access_denied_policy", IdPEntra, `AADSTS(50105|53003|50097|50076)\b`, "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted ('assigned') access to the application."),
	sign("app_not_enabled", IdPEntra, `AADSTS7000112\b`, "AADSTS7000112: Application '…' is disabled."),
	sign("public_client_disabled", IdPEntra, `AADSTS7000218\b`, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
	sign("invalid_scope", IdPEntra, `AADSTS(70011|650053)\b`, "AADSTS70011: The provided request must include a 'scope' input parameter."),
	sign("pkce_unsupported", IdPEntra, `AADSTS(50148|501491|50149)\b`, "AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."),
	sign("refresh_token_rejected", IdPEntra, `AADSTS(700082|50173|70008|700084)\b`, "AADSTS700082: The refresh token has expired due to inactivity."),

	// Okta.
	sign("redirect_mismatch", IdPOkta, `redirect_uri'? parameter must be a Login redirect URI`, "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"),
	sign("invalid_client", IdPOkta, `Invalid value for 'client_id' parameter`, "Invalid value for 'client_id' parameter."),
	sign("access_denied_policy", IdPOkta, `Policy evaluation failed`, "Policy evaluation failed for this request, please check the policy configurations."),
	sign("access_denied_policy", IdPOkta, `User is not assigned to the client application`, "User is not assigned to the client application."),
	sign("invalid_scope", IdPOkta, `scopes are not configured for the authorization server`, "One or more scopes are not configured for the authorization server resource."),
	sign("public_client_disabled", IdPOkta, `Client authentication failed`, "Client authentication failed. Either the client or the client credentials are invalid."),
	sign("refresh_token_rejected", IdPOkta, `refresh token is invalid or expired`, "The refresh token is invalid or expired."),

	// Google.
	sign("redirect_mismatch", IdPGoogle, `redirect_uri_mismatch`, "Error 400: redirect_uri_mismatch"),
	sign("redirect_mismatch", IdPGoogle, `doesn.t comply with Google.s OAuth 2\.0 policy`, "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy for keeping apps secure."),
	sign("invalid_client", IdPGoogle, `OAuth client was not found|Error 401: invalid_client`, "The OAuth client was not found. Error 401: invalid_client"),
	sign("google_client_secret_missing", IdPGoogle, `client_secret is missing`, "client_secret is missing."),
	sign("access_denied_policy", IdPGoogle, `org_internal|admin_policy_enforced`, "Error 403: org_internal"),
	sign("invalid_scope", IdPGoogle, `invalid=\[offline_access\]`, "Error 400: invalid_scope Some requested scopes were invalid. {valid=[openid, …], invalid=[offline_access]}"),
	sign("refresh_token_rejected", IdPGoogle, `Token has been expired or revoked`, "Token has been expired or revoked."),

	// Ping.
	sign("app_not_enabled", IdPPingOne, `application is (not enabled|disabled)`, "The application is disabled."),
	sign("redirect_mismatch", IdPPingOne, `redirect[_ ]uri (mismatch|is not valid|does not match)`, "Redirect URI mismatch"),
	sign("invalid_client", IdPPingFederate, `unknown or invalid client_id|client_id .* is (unknown|invalid)`, "unknown or invalid client_id"),
	sign("redirect_mismatch", IdPPingFederate, `redirect_uri .* (is not|not) (valid|allowed|registered)|Invalid Redirect URI`, "Invalid Redirect URI"),

	// panva's oidc-provider (and the many services built on it).
	sign("redirect_mismatch", "", `redirect_uri did not match any of the client'?s registered redirect_uris`, "redirect_uri did not match any of the client's registered redirect_uris"),
	sign("invalid_scope", "", `requested scope is not allowed`, "requested scope is not allowed"),
	sign("pkce_unsupported", "", `PKCE verification failed|code_challenge_method .*not supported|not supported value of code_challenge_method`, "PKCE verification failed"),

	// Generic OAuth error codes, last.
	sign("redirect_mismatch", "", `\bredirect_mismatch\b|\binvalid_redirect_uri\b|\bredirect_uri_mismatch\b`, "error=redirect_mismatch"),
	sign("google_client_secret_missing", "", `client_secret is missing`, "client_secret is missing."),
	sign("invalid_client", "", `\binvalid_client\b|\bclient is invalid\b|\bunknown client\b`, "error: invalid_client error_description: client is invalid"),
	sign("invalid_scope", "", `\binvalid_scope\b`, "error=invalid_scope"),
	sign("access_denied_policy", "", `\baccess_denied\b|\bunauthorized_client\b`, "error=access_denied"),
	sign("consent_required", "", `\bconsent_required\b`, "error=consent_required"),
}

// matchSign returns the first sign whose pattern occurs in text, trying the
// given IdP's own wordings first, then everyone's, and the text it matched.
func matchSign(text string, idp IdP) (Sign, string, bool) {
	try := func(keep func(Sign) bool) (Sign, string, bool) {
		for _, s := range signs {
			if !keep(s) {
				continue
			}
			if loc := s.Pattern.FindStringIndex(text); loc != nil {
				return s, excerpt(text, loc[0], loc[1]), true
			}
		}
		return Sign{}, "", false
	}
	if s, m, ok := try(func(s Sign) bool { return s.IdP != "" && s.IdP == idp }); ok {
		return s, m, ok
	}
	return try(func(s Sign) bool { return s.IdP == "" || s.IdP != idp })
}

// excerpt returns the matched part of text with some context, cut at spaces.
func excerpt(text string, start, end int) string {
	from, to := max(0, start-80), min(len(text), end+160)
	if from > 0 {
		if i := strings.IndexByte(text[from:start], ' '); i >= 0 {
			from += i + 1
		}
	}
	if to < len(text) {
		if i := strings.LastIndexByte(text[end:to], ' '); i >= 0 {
			to = end + i
		}
	}
	s := strings.TrimSpace(text[from:to])
	if from > 0 {
		s = "…" + s
	}
	if to < len(text) {
		s += "…"
	}
	return s
}

// oauthErrorRow maps an RFC 6749 error code (with its description) to a row.
func oauthErrorRow(idp IdP, code, desc string) string {
	if code == "invalid_scope" && idp == IdPCognito {
		return "cognito_offline_access"
	}
	if s, _, ok := matchSign(code+" "+desc, idp); ok {
		return s.Row
	}
	switch code {
	case "invalid_scope":
		if idp == IdPCognito {
			return "cognito_offline_access"
		}
		return "invalid_scope"
	case "access_denied", "unauthorized_client":
		return "access_denied_policy"
	case "consent_required", "interaction_required":
		return "consent_required"
	case "invalid_client":
		return "invalid_client"
	case "invalid_grant":
		return "refresh_token_rejected"
	case "temporarily_unavailable", "server_error":
		return "discovery_unreachable"
	}
	if strings.Contains(strings.ToLower(desc), "redirect") {
		return "redirect_mismatch"
	}
	return "idp_error"
}
