package checks

import "sort"

// Row is one row of the troubleshooting catalog: a failure users meet, its
// cause and its fix. IDs are stable and part of the public contract.
type Row struct {
	ID string
	// Group is the catalog section the row belongs to.
	Group string
	// FoundBy is "check" when the check engine can detect the failure, and
	// "triage" when only a person's report (an error text, pasted output) can.
	FoundBy string
	Title   string
	// Seen is what the person sees, in the vendors' own words where known.
	Seen  string
	Cause string
	Fix   string
	// FixFor holds a more precise fix for particular identity providers.
	FixFor map[IdP]string
}

// FixIn returns the row's fix for the given identity provider.
func (r Row) FixIn(idp IdP) string {
	if f, ok := r.FixFor[idp]; ok {
		return f
	}
	return r.Fix
}

// Catalog groups.
const (
	GroupSignIn  = "Sign-in with the IdP"
	GroupToken   = "Token validation and the user mapping"
	GroupReach   = "Reaching the IdP"
	GroupAccount = "The vendor's console and account"
)

// catalog is the troubleshooting catalog, in the order of shared/catalog.md.
var catalog = []Row{
	// Sign-in with the IdP.
	{ID: "redirect_mismatch", Group: GroupSignIn, FoundBy: "check",
		Title: "Redirect URI not registered exactly",
		Seen:  "IdP error page: redirect_mismatch, Google redirect_uri_mismatch, Entra AADSTS50011, Okta \"The 'redirect_uri' parameter must be a Login redirect URI in the client app settings\"",
		Cause: "The IdP's application does not list exactly http://localhost:18080 as a redirect URI, or it is not registered as a public (native, \"mobile and desktop\") client.",
		Fix:   "Register exactly http://localhost:18080 (no path, no trailing slash, localhost rather than 127.0.0.1) on a public/native client.",
		FixFor: map[IdP]string{
			IdPEntra:        "In the app registration, Authentication → Add a platform → Mobile and desktop applications, add exactly http://localhost:18080 (not under Web or Single-page application).",
			IdPOkta:         "In the Native app integration, General → LOGIN → Sign-in redirect URIs: add exactly http://localhost:18080.",
			IdPGoogle:       "Create the OAuth client with application type Desktop app; desktop clients accept the loopback redirect without registering it.",
			IdPPingFederate: "In the OAuth client, Redirection URIs: add exactly http://localhost:18080.",
			IdPPingOne:      "In the Native application's Configuration tab, Redirect URIs: add exactly http://localhost:18080.",
			IdPCognito:      "In the user pool app client, Allowed callback URLs: add exactly http://localhost:18080.",
		}},
	{ID: "invalid_client", Group: GroupSignIn, FoundBy: "check",
		Title: "Client ID unknown to the IdP",
		Seen:  "immediate HTTP 400, invalid_client, Entra AADSTS700016",
		Cause: "The IdP does not know the client ID: a typo (Okta IDs start with the digit 0, not the letter O) or an ID from another tenant or authorization server.",
		Fix:   "Copy the client ID verbatim from the IdP's application page.",
		FixFor: map[IdP]string{
			IdPOkta:  "Copy the Client ID from the app integration's General tab; it starts with the digit 0 (0oa…), never the letter O.",
			IdPEntra: "Copy the Application (client) ID from the app registration's Overview page, in the same tenant as the issuer.",
		}},
	{ID: "invalid_scope", Group: GroupSignIn, FoundBy: "check",
		Title: "offline_access (or another scope) refused",
		Seen:  "invalid_scope redirected back to the app, or on the IdP's page",
		Cause: "The authorization server does not allow a scope the app asks for: offline_access not enabled, or the access policy lacks the Refresh Token grant (Okta); scope not granted to the application (Ping).",
		Fix:   "Enable the offline_access scope and allow the Authorization Code and Refresh Token grants for this application.",
		FixFor: map[IdP]string{
			IdPOkta:         "Security → API → Authorization Servers → (your server) → Scopes: enable offline_access; Access Policies: the rule for this app must allow Authorization Code and Refresh Token.",
			IdPPingFederate: "In the OAuth client, grant the common scopes openid, email, profile and offline_access, and allow the Refresh Token grant.",
			IdPPingOne:      "In the application's Resources tab, add openid, email, profile and offline_access.",
			IdPEntra:        "API permissions → Microsoft Graph → Delegated: add openid, email, profile, offline_access, then grant admin consent.",
		}},
	{ID: "cognito_offline_access", Group: GroupSignIn, FoundBy: "check",
		Title: "Cognito used directly: it rejects offline_access",
		Seen:  "Cognito answers invalid_scope",
		Cause: "Amazon Cognito has no offline_access scope and the desktop app always sends it, so the endpoints must point at a proxy that strips it.",
		Fix:   "Deploy the scope-stripping proxy stack and enter the proxy's authorization and token endpoints (the stack outputs AuthEndpoint and TokenEndpoint)."},
	{ID: "access_denied_policy", Group: GroupSignIn, FoundBy: "check",
		Title: "User or app not allowed by the IdP's policy",
		Seen:  "Okta 400 access_denied \"Policy evaluation failed\"; Entra AADSTS50105 (user not assigned)",
		Cause: "The application is not assigned to the user or their group, or the authorization server's access policy does not cover this app, its grants or its scopes.",
		Fix:   "Assign the application to the users or groups; add a policy rule that allows this app the Authorization Code and Refresh Token grants and the scopes openid, email, profile, offline_access.",
		FixFor: map[IdP]string{
			IdPEntra:  "Enterprise applications → (the app) → Users and groups: assign the user or their group (or set Assignment required = No).",
			IdPOkta:   "Assign the app to the user or group, and in Security → API → Authorization Servers → Access Policies add a rule for this app allowing Authorization Code and Refresh Token.",
			IdPGoogle: "Set the OAuth consent screen's user type to Internal and sign in with a Workspace account of that organization; check API access controls in the Admin console.",
		}},
	{ID: "consent_required", Group: GroupSignIn, FoundBy: "check",
		Title: "Admin consent not granted",
		Seen:  "Entra consent or permission prompt, AADSTS65001",
		Cause: "Admin consent has not been granted for openid, email, profile and offline_access, and users may not consent themselves.",
		Fix:   "In the app registration's API permissions, choose Grant admin consent for the organization."},
	{ID: "public_client_disabled", Group: GroupSignIn, FoundBy: "check",
		Title: "Token endpoint demands a client secret",
		Seen:  "Entra AADSTS7000218 (client_assertion or client_secret required) at the token exchange",
		Cause: "The application is registered as a confidential (Web) client, so the token endpoint demands a secret the desktop app does not have.",
		Fix:   "Register the application as a public client with no client authentication.",
		FixFor: map[IdP]string{
			IdPEntra:        "Authentication → Advanced settings → Allow public client flows = Yes, and register the redirect URI under Mobile and desktop applications.",
			IdPOkta:         "Use a Native application with Client authentication = None (public client).",
			IdPPingFederate: "In the OAuth client, set Client Authentication to None.",
			IdPPingOne:      "Use a Native application with Token Endpoint Authentication Method = None.",
			IdPCognito:      "Use an app client without a client secret (public client).",
		}},
	{ID: "app_not_enabled", Group: GroupSignIn, FoundBy: "check",
		Title: "Application disabled at the IdP",
		Seen:  "PingOne fails at once, never reaching the login page",
		Cause: "The application's Enabled toggle is off.",
		Fix:   "Turn on the application's Enabled toggle in the PingOne admin console."},
	{ID: "pkce_unsupported", Group: GroupSignIn, FoundBy: "check",
		Title: "PKCE S256 not supported for this client",
		Seen:  "the token exchange rejects the code_verifier, or discovery lists challenge methods without S256",
		Cause: "The client type does not support or require PKCE with S256. (Entra's discovery document omits code_challenge_methods_supported while enforcing PKCE for public clients; an absent list is not a failure.)",
		Fix:   "Register a native/public client with PKCE (S256) required."},
	{ID: "google_client_secret_missing", Group: GroupSignIn, FoundBy: "check",
		Title: "Google token endpoint without client_secret",
		Seen:  "Google's token exchange fails: invalid_client, \"client_secret is missing.\"",
		Cause: "Google desktop clients need the client secret at the token endpoint even with PKCE, and the app only sends it when it is part of the token endpoint URL.",
		Fix:   "Enter the token endpoint as https://oauth2.googleapis.com/token?client_secret=<CLIENT_SECRET>, with the OAuth client's secret."},
	{ID: "idp_error", Group: GroupSignIn, FoundBy: "check",
		Title: "IdP refused the sign-in for another reason",
		Seen:  "an IdP error page or an error redirected back that names none of the rows above",
		Cause: "The IdP refused the request; its own error text says why.",
		Fix:   "Read the IdP's error and description in the evidence; paste them into quickdiag triage for the likely cause."},
	{ID: "loopback_unavailable", Group: GroupSignIn, FoundBy: "check",
		Title: "Nothing listening on localhost:18080",
		Seen:  "browser ERR_CONNECTION_REFUSED on 127.0.0.1:18080 or localhost:18080",
		Cause: "The app's loopback listener only runs during a sign-in started from the app (not a hand-pasted URL, not after a long wait), or another process holds port 18080.",
		Fix:   "Start the sign-in from the app and finish it promptly; find and stop whatever holds the port (lsof -nP -iTCP:18080 -sTCP:LISTEN, or netstat -ano | findstr :18080 on Windows)."},

	// Token validation and the user mapping.
	{ID: "invalid_issuer", Group: GroupToken, FoundBy: "check",
		Title: "Entra issuer entered without /v2.0",
		Seen:  "\"Invalid issuer: https://login.microsoftonline.com/TENANT_ID/v2.0\"",
		Cause: "Entra's v2.0 endpoints issue tokens whose iss ends in /v2.0; the Issuer URL entered lacks it (the portal's Authority URL omits it).",
		Fix:   "Delete the extension access and recreate it with the Issuer URL https://login.microsoftonline.com/<TENANT_ID>/v2.0."},
	{ID: "token_validation_failure", Group: GroupToken, FoundBy: "check",
		Title: "Issuer URL differs from the IdP's issuer",
		Seen:  "\"Token validation failure\"",
		Cause: "The Issuer URL entered is not the IdP's issuer verbatim (scheme, host, path and trailing slash all count).",
		Fix:   "Copy issuer verbatim from the discovery document and recreate the extension access with it."},
	{ID: "jwks_mismatch", Group: GroupToken, FoundBy: "check",
		Title: "JWKS URI does not hold the token's signing key",
		Seen:  "token or JWKS validation failure",
		Cause: "The JWKS URI belongs to another authorization server (for example Okta's org /oauth2/v1/keys with tokens from /oauth2/default) or serves no usable signing key, so the token's key is not in the set.",
		Fix:   "Use jwks_uri from the same server's discovery document."},
	{ID: "userinfo_unauthorized", Group: GroupToken, FoundBy: "check",
		Title: "Endpoints mixed across authorization servers",
		Seen:  "\"User info request failed (HTTP 401)\" after getting a code",
		Cause: "The token comes from one authorization server and userinfo (or JWKS) is called on another, which does not accept it.",
		Fix:   "Take issuer, authorization, token, userinfo and JWKS all from one discovery document."},
	{ID: "endpoint_mismatch", Group: GroupToken, FoundBy: "check",
		Title: "Endpoint differs from the discovery document",
		Seen:  "no message of its own; later failures",
		Cause: "An entered endpoint is not the one the IdP's discovery document publishes.",
		Fix:   "Copy each value verbatim from the discovery document."},
	{ID: "audience_mismatch", Group: GroupToken, FoundBy: "check",
		Title: "Token issued to another client ID",
		Seen:  "\"Audience validation failed\", go-oidc \"expected audience X got Y\", IDX10214",
		Cause: "The Client ID entered is not the one the token was issued to: another app registration, or a copy-paste slip.",
		Fix:   "Enter the client ID of the registration the users sign in through."},
	{ID: "unknown_tenant", Group: GroupToken, FoundBy: "check",
		Title: "Tenant or environment does not exist",
		Seen:  "Entra AADSTS90002 (tenant not found), AADSTS50194 (/common on a single-tenant app); discovery 400/404",
		Cause: "The tenant (Entra) or environment (PingOne) ID in the values does not exist, or is a multi-tenant alias such as common.",
		Fix:   "Use the tenant-specific values from the IdP's own discovery document."},
	{ID: "clock_skew", Group: GroupToken, FoundBy: "check",
		Title: "Clock skew between this machine and the IdP",
		Seen:  "\"token is expired\", \"token used before issued\", nbf/iat in the future",
		Cause: "This machine's clock or the IdP's is off by minutes, or an old token was replayed.",
		Fix:   "Synchronise the clock with NTP; the evidence shows the offset against the IdP's Date header."},
	{ID: "email_claim_missing", Group: GroupToken, FoundBy: "check",
		Title: "ID token has no email claim",
		Seen:  "\"User not found\" after sign-in",
		Cause: "The ID token carries no email claim, so the user cannot be mapped.",
		Fix:   "Configure the IdP to put the user's email in the ID token's email claim.",
		FixFor: map[IdP]string{
			IdPEntra:        "Token configuration → Add optional claim → ID → email; and populate each user's Mail attribute (Contact Information): the UPN alone is not enough.",
			IdPPingFederate: "In the OIDC policy's Attribute Contract, include email and map it to the user's mail attribute.",
			IdPPingOne:      "In the application's Attribute Mappings, map email to the user's email address.",
			IdPOkta:         "Grant the email scope on the authorization server and make sure the user's profile has an email.",
		}},
	{ID: "email_not_provisioned", Group: GroupToken, FoundBy: "check",
		Title: "No provisioned user with this email",
		Seen:  "\"User not found\"",
		Cause: "The token's email has no exact match among the account's users.",
		Fix:   "Provision the user in the account, or correct the email on either side so they are identical."},
	{ID: "email_case_mismatch", Group: GroupToken, FoundBy: "check",
		Title: "Email differs only in letter case",
		Seen:  "\"User not found\"",
		Cause: "A user exists whose email differs from the token's only in letter case, and matching is case-sensitive.",
		Fix:   "Make the two emails identical, letter case included (change it in the IdP or in the account)."},
	{ID: "refresh_token_missing", Group: GroupToken, FoundBy: "check",
		Title: "No refresh token issued",
		Seen:  "\"Session expires frequently\"",
		Cause: "The IdP issued no refresh token, so users must sign in again whenever the ID token expires.",
		Fix:   "Enable refresh tokens for this application.",
		FixFor: map[IdP]string{
			IdPEntra:        "Add the offline_access delegated permission (and grant consent).",
			IdPGoogle:       "The app asks with access_type=offline; if a user consented before, revoke the app's access in the Google account and sign in again.",
			IdPOkta:         "Enable the Refresh Token grant on the app and allow it in the authorization server's access policy; grant offline_access.",
			IdPPingFederate: "Allow the Refresh Token grant on the OAuth client and grant offline_access.",
			IdPPingOne:      "Enable the Refresh Token grant type and add offline_access on the Resources tab.",
			IdPCognito:      "Cognito issues refresh tokens for the authorization code grant; check that the proxy passes them through.",
			IdPAuth0:        "Enable Allow Offline Access on the API and the Refresh Token grant on the application.",
		}},
	{ID: "refresh_token_rejected", Group: GroupToken, FoundBy: "check",
		Title: "Refresh token rejected",
		Seen:  "asked to sign in again; invalid_grant on refresh (Entra AADSTS700082/AADSTS50173/AADSTS70008, Google \"Token has been expired or revoked\", Okta \"The refresh token is invalid or expired\")",
		Cause: "The refresh token expired by inactivity or lifetime policy, or was revoked (password change, admin revoke).",
		Fix:   "Sign in again; review the IdP's refresh-token lifetime and inactivity policy."},
	{ID: "refresh_id_token_missing", Group: GroupToken, FoundBy: "check",
		Title: "Refresh returns no ID token",
		Seen:  "session refresh fails (PingFederate)",
		Cause: "The refresh grant returns no new ID token.",
		Fix:   "Make the IdP return an ID token on the refresh grant.",
		FixFor: map[IdP]string{
			IdPPingFederate: "In OpenID Connect Policy Management, select Return ID Token On Refresh Grant in the client's OIDC policy.",
		}},
	{ID: "refresh_email_missing", Group: GroupToken, FoundBy: "check",
		Title: "Refreshed ID token lacks email",
		Seen:  "\"Missing email claim after refresh\"",
		Cause: "The ID token returned by the refresh grant has no email claim.",
		Fix:   "Map email in the attribute contract for refresh grants too.",
		FixFor: map[IdP]string{
			IdPPingFederate: "In the OIDC policy's Attribute Contract, map email so that it is produced for refresh token grants as well as the first sign-in.",
		}},

	// Reaching the IdP.
	{ID: "dns_unresolved", Group: GroupReach, FoundBy: "check",
		Title: "Host name does not resolve",
		Seen:  "browser DNS_PROBE_FINISHED_NXDOMAIN",
		Cause: "The host in a value does not resolve: a typo, or an Okta domain without .okta.com.",
		Fix:   "Use the fully qualified host name from the discovery document. If the name is right, this machine's DNS cannot resolve it: check the network, VPN or proxy."},
	{ID: "okta_admin_host", Group: GroupReach, FoundBy: "check",
		Title: "Okta -admin host used",
		Seen:  "Okta 404 \"Page Not Found\" on /oauth2/.../authorize",
		Cause: "The -admin.okta.com host serves only the admin console and has no OAuth endpoints.",
		Fix:   "Use the org URL without -admin (https://<your-org>.okta.com)."},
	{ID: "discovery_unreachable", Group: GroupReach, FoundBy: "check",
		Title: "IdP endpoint unreachable or not answering OIDC",
		Seen:  "(tool) discovery document missing, not JSON, HTTP error, no answer",
		Cause: "Wrong issuer path, the IdP or a proxy refusing or timing out, or a network problem.",
		Fix:   "Fix the issuer so that <issuer>/.well-known/openid-configuration returns JSON; check the network path and proxy (HTTPS_PROXY)."},
	{ID: "tls_untrusted", Group: GroupReach, FoundBy: "check",
		Title: "IdP certificate not trusted",
		Seen:  "(tool) certificate not trusted",
		Cause: "Corporate TLS inspection or a private CA signs the IdP's certificate, or the certificate does not match the host.",
		Fix:   "Trust the CA (quickdiag check --ca-file corp-ca.pem), or fix the proxy's certificate."},

	// The vendor's console and account.
	{ID: "extension_not_created", Group: GroupAccount, FoundBy: "triage",
		Title: "Extension access created, extension not",
		Seen:  "\"Enterprise sign-in for Quick Desktop has not been configured for this account.\"",
		Cause: "The extension access was added, but the extension itself was not created.",
		Fix:   "Quick → Connect apps and data → Extensions → Add extension, select the Desktop application extension access, Create."},
	{ID: "extension_access_immutable", Group: GroupAccount, FoundBy: "triage",
		Title: "A wrong value cannot be edited",
		Seen:  "a wrong value in the extension access, and no way to save a change",
		Cause: "The extension access cannot be edited after creation.",
		Fix:   "Delete the extension access and create it again with the correct values (check them with quickdiag first)."},
	{ID: "userinfo_timeout", Group: GroupAccount, FoundBy: "triage",
		Title: "User info request timed out (HTTP 504)",
		Seen:  "\"User info request failed (HTTP 504)\"",
		Cause: "A transient backend timeout.",
		Fix:   "Sign in to the account in a web browser first, then retry the desktop sign-in; if it persists, check connectivity to the service."},
	{ID: "identity_region", Group: GroupAccount, FoundBy: "triage",
		Title: "Account identity region is not us-east-1",
		Seen:  "desktop unavailable, or sign-in fails, for an account homed outside us-east-1",
		Cause: "The desktop app needs the account's identity region to be us-east-1; it is fixed when the account is created.",
		Fix:   "Recreate the account with identity region us-east-1: export assets, unsubscribe, recreate, import."},
	{ID: "quick_index_region", Group: GroupAccount, FoundBy: "triage",
		Title: "Quick index cannot initialize in this region",
		Seen:  "\"Unable to initialize Quick index in this region\"",
		Cause: "The identity region is not us-east-1; the console's region selector only changes the view.",
		Fix:   "Same as for the identity region: recreate the account in us-east-1."},
	{ID: "identity_region_endpoint", Group: GroupAccount, FoundBy: "triage",
		Title: "API called outside the identity region",
		Seen:  "\"Operation is being called from endpoint X, but your identity region is Y\"",
		Cause: "User, group and namespace APIs must be called in the account's identity region.",
		Fix:   "Call the identity region's endpoint (--region <identity region>)."},
	{ID: "kms_decrypt_sso", Group: GroupAccount, FoundBy: "triage",
		Title: "KMS key policy blocks sso.amazonaws.com",
		Seen:  "\"sso.amazonaws.com is not authorized to perform: kms:Decrypt …\"",
		Cause: "That Region's KMS key policy lacks the sso.amazonaws.com statement, or its encryption-context condition does not match the application-creation flow.",
		Fix:   "Add the sso.amazonaws.com statement (kms:Decrypt, ReEncrypt*, GenerateDataKeyWithoutPlaintext) scoped by aws:SourceAccount."},
	{ID: "kms_decrypt_quicksight", Group: GroupAccount, FoundBy: "triage",
		Title: "Replica KMS key lacks the service statements",
		Seen:  "\"quicksight.amazonaws.com is not authorized … kms:Decrypt (Identitystoreinternal)\"",
		Cause: "The us-east-1 replica key lacks the quicksight and identitystore statements: a replica's key policy is not inherited from the primary.",
		Fix:   "Add the quicksight.amazonaws.com, identitystore.amazonaws.com (and sso.amazonaws.com) statements to the replica key's policy."},
	{ID: "console_home_region", Group: GroupAccount, FoundBy: "triage",
		Title: "Console fixed to the Identity Center home Region",
		Seen:  "the console always targets the IAM Identity Center home Region",
		Cause: "The console is hard-wired to the Identity Center home Region.",
		Fix:   "Use the CLI: aws quicksight create-account-subscription --region us-east-1 --iam-identity-center-instance-arn …"},
	{ID: "subscription_conflict", Group: GroupAccount, FoundBy: "triage",
		Title: "Subscription already exists in another Region",
		Seen:  "subscription already exists when creating in us-east-1",
		Cause: "An account has one identity region.",
		Fix:   "Export assets, unsubscribe the old Region, recreate in us-east-1, import."},
	{ID: "proxy_forbidden", Group: GroupAccount, FoundBy: "triage",
		Title: "Cognito proxy refuses the source IP",
		Seen:  "403 Forbidden from the proxy's API",
		Cause: "The user's source IP is outside the CIDR ranges allowed by the proxy's resource policy.",
		Fix:   "Add the desktop users' egress ranges (allowedCidrs) and redeploy the stack."},
	{ID: "enterprise_edition_required", Group: GroupAccount, FoundBy: "triage",
		Title: "Account is not Enterprise edition",
		Seen:  "no Extension access or desktop sign-in for the account",
		Cause: "Enterprise sign-in for the desktop app applies to Enterprise accounts only; Free, Plus and Standard accounts do not have it.",
		Fix:   "Use an Enterprise (or Enterprise and Q) account; upgrade the subscription in the management console."},
	{ID: "account_not_ready", Group: GroupAccount, FoundBy: "triage",
		Title: "Account subscription is not active",
		Seen:  "describe-account-subscription shows a status other than ACCOUNT_CREATED",
		Cause: "The account is still being created, failed to be created, or was unsubscribed.",
		Fix:   "Wait for ACCOUNT_CREATED, or create the subscription again (in us-east-1 for the desktop app)."},
	{ID: "saml_permission_needed", Group: GroupAccount, FoundBy: "triage",
		Title: "SAML claims wrong (Q Business web app)",
		Seen:  "\"Permission needed\" after signing in to the Q Business web app",
		Cause: "The SAML assertion lacks the email claim, or the NameID format is not Unspecified.",
		Fix:   "Add an Email claim sourced from user.mail, set NameID format to Unspecified, and map Email as the email attribute."},
}

var catalogIndex = func() map[string]int {
	m := make(map[string]int, len(catalog))
	for i, r := range catalog {
		m[r.ID] = i
	}
	return m
}()

// Catalog returns the catalog rows in catalog order.
func Catalog() []Row { return append([]Row(nil), catalog...) }

// LookupRow returns the row with the given id.
func LookupRow(id string) (Row, bool) {
	i, ok := catalogIndex[id]
	if !ok {
		return Row{}, false
	}
	return catalog[i], true
}

// RowIDs returns every row id, sorted.
func RowIDs() []string {
	ids := make([]string, 0, len(catalog))
	for _, r := range catalog {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}
