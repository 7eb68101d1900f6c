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
	// Weight is how surely the wording means the row, from 0 to 1: a vendor
	// code is near 1, a generic OAuth error code lower.
	Weight float64
	// anchors rule out texts that cannot match (see anchors).
	anchors []string
}

// sign makes a sign; vendor-specific wordings weigh 0.9, generic ones 0.75.
func sign(row string, idp IdP, pattern, example string) Sign {
	w := 0.75
	if idp != "" {
		w = 0.9
	}
	return signW(row, idp, w, pattern, example)
}

// signW makes a sign with an explicit weight.
func signW(row string, idp IdP, weight float64, pattern, example string) Sign {
	return Sign{Row: row, IdP: idp, Pattern: regexp.MustCompile(`(?is)` + pattern), Example: example, Weight: weight, anchors: anchors(`(?is)` + pattern)}
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

	// The desktop app's and the account's own messages (seeds 000, 001, 002, 003).
	signW("extension_not_created", "", 0.98, `Enterprise sign-in for Quick Desktop has not been configured`, "Enterprise sign-in for Quick Desktop has not been configured for this account."),
	signW("userinfo_timeout", "", 0.98, `User info request failed \(HTTP 504\)`, "User info request failed (HTTP 504)"),
	signW("userinfo_unauthorized", "", 0.98, `User info request failed \(HTTP 401\)`, "User info request failed (HTTP 401)"),
	signW("refresh_email_missing", "", 0.98, `Missing email claim after refresh`, "Missing email claim after refresh"),
	signW("quick_index_region", "", 0.98, `Unable to initialize Quick index`, "Failed to create space: Unable to initialize Quick index in this region."),
	signW("identity_region_endpoint", "", 0.98, `Operation is being called from endpoint .{1,80}? but your identity region is`, "Operation is being called from endpoint ap-south-1, but your identity region is us-east-1."),
	signW("kms_decrypt_sso", "", 0.98, `sso\.amazonaws\.com is not authorized to perform:? kms:Decrypt`, "Service: sso.amazonaws.com is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext"),
	signW("kms_decrypt_quicksight", "", 0.97, `(quicksight|identitystore)\.amazonaws\.com is not authorized to perform:? kms:Decrypt`, "quicksight.amazonaws.com is not authorized to perform: kms:Decrypt (Service: Identitystoreinternal, Status Code: 400)"),
	signW("kms_decrypt_quicksight", "", 0.9, `Identitystoreinternal`, "(Service: Identitystoreinternal, Status Code: 400)"),
	signW("saml_permission_needed", "", 0.9, `Permission needed`, "Permission needed"),
	signW("proxy_forbidden", "", 0.95, `not authorized to perform:? execute-api:Invoke`, "User: anonymous is not authorized to perform: execute-api:Invoke on resource"),
	signW("proxy_forbidden", "", 0.8, `403 Forbidden.{0,120}(proxy|execute-api|api ?gateway)|(proxy|execute-api|api ?gateway).{0,120}\b403\b`, "403 Forbidden from https://a1b2c3.execute-api.us-east-1.amazonaws.com/prod/oauth2/authorize"),
	signW("subscription_conflict", "", 0.9, `subscription already exists|already (has|have) an? (Amazon )?Quick(Sight)? (account|subscription)|ResourceExistsException.{0,120}(subscription|account)`, "ResourceExistsException: An account subscription already exists for this account"),
	signW("console_home_region", "", 0.85, `console (always )?(targets|uses|opens|goes to|is (fixed|hard-?wired) to).{0,60}home region|hard-?wired to the (IAM )?Identity Center home region`, "the console always targets the IAM Identity Center home Region"),
	signW("identity_region", "", 0.85, `identity region (is|=) (?:ap|eu|ca|sa|me|af|il|mx|us-west|us-east-2)-[a-z]+-\d|desktop (app )?(requires|needs) .{0,40}us-east-1|(homed|home region) (in|outside) .{0,30}(us-east-1|ap-|eu-)`, "the account's identity region is ap-south-1; the desktop app requires us-east-1"),
	signW("enterprise_edition_required", "", 0.85, `\b(Free|Plus|Standard) (account|edition|plan|subscription)\b|Enterprise edition (is )?required|only (available )?(for|to|in) Enterprise|"Edition": ?"STANDARD"`, "We are on a Plus account and there is no Extension access option"),
	signW("account_not_ready", "", 0.9, `AccountSubscriptionStatus"?:? ?"?(UNSUBSCRIBED|ACCOUNT_CREATION_FAILED|SIGNUP_ATTEMPT_IN_PROGRESS)`, `"AccountSubscriptionStatus": "UNSUBSCRIBED"`),
	signW("extension_access_immutable", "", 0.85, `extension access.{0,80}(cannot|can.t|won.t) (be )?(edit|change|modif|save)|(cannot|can.t) edit (the )?extension access`, "The extension access cannot be edited after creation"),
	signW("loopback_unavailable", "", 0.97, `(localhost|127\.0\.0\.1|\[::1\]):18080.{0,200}(ERR_CONNECTION_REFUSED|refused to connect|connection refused)|(ERR_CONNECTION_REFUSED|refused to connect|connection refused).{0,200}(localhost|127\.0\.0\.1):18080`, "127.0.0.1:18080 ERR_CONNECTION_REFUSED"),
	signW("loopback_unavailable", "", 0.85, `localhost refused to connect|ERR_CONNECTION_REFUSED`, "This site can't be reached. localhost refused to connect. ERR_CONNECTION_REFUSED"),
	signW("loopback_unavailable", "", 0.85, `(address|port) (already )?in use.{0,40}18080|18080.{0,40}(address|port) (already )?in use`, "listen tcp 127.0.0.1:18080: bind: address already in use"),
	signW("dns_unresolved", "", 0.95, `DNS_PROBE_FINISHED_NXDOMAIN|server IP address could not be found|no such host|ENOTFOUND|Name or service not known|nodename nor servname provided`, "DNS_PROBE_FINISHED_NXDOMAIN"),
	signW("okta_admin_host", IdPOkta, 0.95, `-admin\.okta(preview)?\.com.{0,200}(404|Page Not Found)|(404|Page Not Found).{0,200}-admin\.okta(preview)?\.com`, "404 Page Not Found https://acme-admin.okta.com/oauth2/default/v1/authorize"),
	signW("tls_untrusted", "", 0.95, `certificate signed by unknown authority|unable to get local issuer certificate|self[- ]signed certificate|CERT_AUTHORITY_INVALID|PKIX path building failed|certificate verify failed|certificate is not trusted`, "x509: certificate signed by unknown authority"),
	signW("discovery_unreachable", "", 0.85, `\.well-known/openid-configuration.{0,120}(404|not found|failed|error|HTML|unexpected)|(404|not found|failed to (get|fetch|query)|error).{0,80}\.well-known/openid-configuration|oidc: failed to (get|decode) provider`, "oidc: failed to get provider: 404 Not Found"),
	signW("invalid_issuer", IdPEntra, 0.98, `Invalid issuer:? https://login\.microsoftonline\.com/\S+/v2\.0`, "Invalid issuer: https://login.microsoftonline.com/TENANT_ID/v2.0"),
	signW("invalid_issuer", "", 0.8, `Invalid issuer`, "Invalid issuer"),
	signW("token_validation_failure", "", 0.95, `id token issued by a different provider|IDX10205|issuer (validation failed|mismatch|does not match)|unexpected issuer`, "oidc: id token issued by a different provider, expected \"https://acme.okta.com/oauth2/default\" got \"https://acme.okta.com\""),
	signW("jwks_mismatch", "", 0.95, `failed to verify (id token )?signature|signature verification failed|IDX1050[13]|IDX10511|no matching (signing )?key|unable to find (a|the)? ?(signing )?key|kid .{0,40}not found|key with kid|invalid signature`, "oidc: failed to verify signature: failed to verify id token signature"),
	signW("audience_mismatch", "", 0.95, `expected audience .{0,120}got|Audience validation failed|IDX10214|invalid aud(ience)?s?\b|not a trusted audience|wrong audience|aud(ience)? (mismatch|does not match)`, "oidc: expected audience \"0oa1abc\" got [\"0oa9xyz\"]"),
	signW("clock_skew", "", 0.9, `token is expired|token has expired|used before issued|IDX1022[23]|iat .{0,40}future|nbf .{0,40}future|not valid yet|clock skew`, "oidc: token is expired (Token Expiry: 2026-11-24 09:00:00 +0000 UTC)"),
	signW("email_claim_missing", "", 0.9, `email claim .{0,20}(is )?(missing|not (found|present))|no email claim|missing (the )?email claim|without an? email claim`, "the ID token has no email claim"),
	signW("email_case_mismatch", "", 0.85, `(email|user|address).{0,160}(case[- ]sensitiv|only in (letter )?case|different (letter )?case|upper ?case|lower ?case|capitali[sz])|(case[- ]sensitiv|letter case).{0,80}(email|user)`, "Alice@Example.com vs alice@example.com: email matching is case-sensitive"),
	signW("email_not_provisioned", "", 0.85, `(user|email).{0,60}(is )?not provisioned|no (matching|such) user|no user with (that |the |this )?email|user does not exist|not (a )?(registered|provisioned) user|email .{0,40}(not found|does not exist) in (the )?(account|Quick)`, "User not found: no user with email bob@acme.example is provisioned"),
	signW("refresh_token_missing", "", 0.9, `Session expires frequently|no refresh[_ ]token|refresh[_ ]token (is )?(missing|not (issued|returned|present))|did not (return|issue) a refresh token|signed out every hour|sign in again every hour`, "Session expires frequently"),
	signW("refresh_token_rejected", "", 0.85, `invalid_grant.{0,200}refresh|refresh.{0,200}invalid_grant|refresh token (has )?expired|refresh token (is )?(invalid|revoked)`, "invalid_grant: The refresh token has expired due to inactivity"),
	signW("refresh_id_token_missing", "", 0.9, `(refresh|refreshing).{0,80}(no|missing|without|did not return an?) id[_ ]token|id[_ ]token (is )?(missing|absent|not returned).{0,80}refresh|Return ID Token On Refresh`, "refresh grant response has no id_token"),
	signW("cognito_offline_access", IdPCognito, 0.95, `(amazoncognito|cognito).{0,300}invalid_scope|invalid_scope.{0,300}(amazoncognito|cognito)`, "https://acme.auth.us-east-1.amazoncognito.com/error?error=invalid_scope&client_id=3dkq…"),
	signW("consent_required", IdPEntra, 0.9, `Need admin approval|has not consented|admin consent`, "Need admin approval"),
	signW("access_denied_policy", "", 0.85, `not assigned to (the )?(client )?application|user is not assigned|not authorized to access (this|the) (app|application)`, "User is not assigned to the client application."),
	signW("public_client_disabled", "", 0.9, `must contain the following parameter: 'client_assertion' or 'client_secret'|client_assertion or client_secret`, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
	signW("redirect_mismatch", "", 0.9, `redirect URI .{0,120}does not match|Redirect URI mismatch|redirect_uri .{0,60}(not registered|not allowed|not whitelisted|is invalid)|must be an absolute URI that is whitelisted`, "The redirect URI in the request, http://localhost:18080, does not match the ones authorized for the OAuth client."),
	signW("pkce_unsupported", "", 0.8, `code_verifier|code challenge|code_challenge|\bPKCE\b`, "code_verifier does not match the code_challenge"),
	signW("unknown_tenant", IdPPingOne, 0.85, `environment .{0,60}(not found|does not exist)`, "The environment 5e2f… was not found"),
	signW("endpoint_mismatch", "", 0.7, `endpoint.{0,40}(differs|mismatch|does not match).{0,40}discovery`, "the token endpoint differs from the discovery document"),

	// Generic OAuth error codes, last.
	sign("redirect_mismatch", "", `\bredirect_mismatch\b|\binvalid_redirect_uri\b|\bredirect_uri_mismatch\b`, "error=redirect_mismatch"),
	sign("google_client_secret_missing", "", `client_secret is missing`, "client_secret is missing."),
	signW("invalid_client", "", 0.7, `\binvalid_client\b|\bclient is invalid\b|\bunknown client\b|client (id )?not found`, "error: invalid_client error_description: client is invalid"),
	signW("invalid_scope", "", 0.7, `\binvalid_scope\b`, "error=invalid_scope"),
	signW("access_denied_policy", "", 0.65, `\baccess_denied\b|\bunauthorized_client\b`, "error=access_denied"),
	signW("consent_required", "", 0.75, `\bconsent_required\b|\binteraction_required\b`, "error=consent_required"),
	signW("idp_error", "", 0.5, `\binvalid_request\b|\bunsupported_response_type\b|\bserver_error\b|\btemporarily_unavailable\b`, "error=invalid_request"),
}

// Clue is a wording that fits several rows: triage returns them all, with
// the question or check that tells them apart.
type Clue struct {
	Rows     []string
	Pattern  *regexp.Regexp
	Question string
	Example  string
	anchors  []string
}

func clue(pattern, question, example string, rows ...string) Clue {
	return Clue{Rows: rows, Pattern: regexp.MustCompile(`(?is)` + pattern), Question: question, Example: example, anchors: anchors(`(?is)` + pattern)}
}

// clues are the ambiguous wordings.
var clues = []Clue{
	clue(`User not found`, "Does the ID token carry an email claim, and is it exactly a provisioned user's email, letter case included? Run the sign-in step (quickdiag check --live --email …, or step 4 of the wizard): it names which.",
		"User not found", "email_claim_missing", "email_not_provisioned", "email_case_mismatch"),
	clue(`Token validation fail`, "Which part of the token fails? Run the preflight: discovery.issuer compares the issuer, jwks.same_keys the keys; the sign-in step names the claim (iss, aud, kid, exp).",
		"Token validation failure", "token_validation_failure", "invalid_issuer", "jwks_mismatch", "audience_mismatch", "clock_skew"),
	clue(`not authorized to perform:? kms:Decrypt|kms:Decrypt.{0,80}(AccessDenied|denied)`, "Which service does the message name: sso.amazonaws.com (the application-creation flow) or quicksight.amazonaws.com / Identitystoreinternal (the replica key)? Paste both key policies into quickdiag analyze kms-policy.",
		"is not authorized to perform: kms:Decrypt", "kms_decrypt_sso", "kms_decrypt_quicksight"),
	clue(`\binvalid_scope\b`, "Is the IdP Amazon Cognito (an amazoncognito.com address)? Cognito has no offline_access scope; other IdPs need it enabled for the app.",
		"invalid_scope", "invalid_scope", "cognito_offline_access"),
	clue(`400 Bad Request|Your request resulted in an error`, "What does the page's Description line say? A redirect_uri message, an invalid client_id, or a policy evaluation failure each have their own fix.",
		"400 Bad Request — Your request resulted in an error.", "invalid_client", "redirect_mismatch", "access_denied_policy"),
	clue(`sign(ed)? out|session (expires|ends)|log(ged)? out|sign in again`, "Is a refresh token issued at all, and does refreshing return an ID token with email? The sign-in step runs the refresh grant and says which.",
		"users are signed out after an hour", "refresh_token_missing", "refresh_token_rejected", "refresh_id_token_missing", "refresh_email_missing"),
	clue(`region`, "Which Region is the account's identity region? It shows in every ARN of quickdiag analyze users (list-users output).",
		"wrong region", "identity_region", "quick_index_region", "identity_region_endpoint"),
}

// matchSign returns the first sign whose pattern occurs in text, trying the
// given IdP's own wordings first, then everyone's, and the text it matched.
func matchSign(text string, idp IdP) (Sign, string, bool) {
	return matchSignWhere(text, idp, func(Sign) bool { return true })
}

// matchSignWhere is matchSign over the signs that where accepts.
func matchSignWhere(text string, idp IdP, where func(Sign) bool) (Sign, string, bool) {
	try := func(keep func(Sign) bool) (Sign, string, bool) {
		for _, s := range signs {
			if !keep(s) || !where(s) {
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
