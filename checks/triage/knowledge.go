package triage

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
)

// Sign is one way an IdP, a browser or a library words a failure: a pattern
// that, found in an error page, an error_description or a pasted message,
// points at a catalog row. The table is the one place this knowledge lives.
type Sign struct {
	Row catalog.ID
	// IdP is the provider that words it so; nil for any.
	IdP *checks.IdP
	// Pattern is matched case-insensitively.
	Pattern *regexp.Regexp
	// Example is a real message the pattern matches.
	Example string
	// Weight is how surely the wording means the row, from 0 to 1: a vendor
	// code is near 1, a generic OAuth error code lower.
	Weight float64
	// pattern is Pattern split at its alternatives, for the prefilter.
	pattern pattern
	// oauth marks a generic OAuth error name (see oauthW).
	oauth bool
}

// sign makes a generic sign, of weight 0.75.
func sign(row catalog.ID, idp *checks.IdP, pattern, example string) Sign {
	return signW(row, idp, 0.75, pattern, example)
}

// signW makes a sign with an explicit weight.
func signW(row catalog.ID, idp *checks.IdP, weight float64, pattern, example string) Sign {
	return Sign{Row: row, IdP: idp, Pattern: regexp.MustCompile(`(?is)` + pattern), Example: example, Weight: weight, pattern: compilePattern(`(?is)` + pattern)}
}

// oauthW makes a sign for a generic RFC 6749 error name: it decides only
// when nothing more specific is in the text.
func oauthW(row catalog.ID, weight float64, pattern, example string) Sign {
	s := signW(row, nil, weight, pattern, example)
	s.oauth = true
	return s
}

// compile makes the signs of every provider's wordings (package idp), in
// the providers' order, followed by the generic ones.
func compile(providers []*checks.IdP, generic []Sign) []Sign {
	var out []Sign
	for _, p := range providers {
		for _, w := range p.Wordings {
			weight := w.Weight
			if weight == 0 {
				weight = 0.9
			}
			out = append(out, signW(w.Row, p, weight, w.Pattern, w.Example))
		}
	}
	return append(out, generic...)
}

// signs are every wording quickdiag knows, specific before generic.
// Compiled on first use, so that a command that never reads a message
// (version, serve until triage) does not pay for it.
var signs = sync.OnceValue(func() []Sign {
	local, err := localisedSigns(localisedFS)
	if err != nil {
		panic(err) // the embedded data is checked by TestLocalisedTexts
	}
	return append(compile(idp.All(), generic()), local...)
})

// prefilters are the signs', the clues' and the connection failures'
// literals in one literalIndex: Analyze reads a text once for all three.
type prefilters struct {
	ix           *literalIndex
	signs, clues *partIndex
	// connect numbers connectAnchors' literals; failures is connectFailure
	// split (one pattern); markers, each IdP's markers' (idp.All's order).
	connect  []int
	failures *partIndex
	markers  [][]int
	// names numbers readFacts's field names and labels.
	names map[string]int
}

// holdsName returns readFacts's holds for a text holding has.
func (p *prefilters) holdsName(has bitset) func(string) bool {
	return func(name string) bool {
		id, ok := p.names[name]
		return !ok || has.has(id)
	}
}

// idpIn is idpInLower given the literals a text holds.
func (p *prefilters) idpIn(has bitset) *checks.IdP {
	for i, ms := range p.markers {
		if slices.ContainsFunc(ms, has.has) {
			return idp.All()[i]
		}
	}
	return nil
}

// prefilter builds the prefilters on first use.
var prefilter = sync.OnceValue(func() *prefilters {
	var lits literals
	var sp, cp []pattern
	for _, s := range signs() {
		sp = append(sp, s.pattern)
	}
	for _, c := range clues() {
		cp = append(cp, c.pattern)
	}
	p := &prefilters{signs: filePatterns(&lits, sp), clues: filePatterns(&lits, cp)}
	for _, a := range connectAnchors {
		p.connect = append(p.connect, lits.add(a))
	}
	p.failures = filePatterns(&lits, []pattern{compilePattern(connectFailure.String())})
	for _, d := range idp.All() {
		var ms []int
		for _, m := range d.Markers {
			ms = append(ms, lits.add(m))
		}
		p.markers = append(p.markers, ms)
	}
	p.names = map[string]int{}
	for _, n := range paramNames {
		p.names[n] = lits.add(n)
	}
	for _, l := range labels {
		p.names[l.label] = lits.add(l.label)
	}
	p.ix = newLiteralIndex(lits.list)
	p.signs.ix, p.clues.ix, p.failures.ix = p.ix, p.ix, p.ix
	return p
})

// signAnchors and clueAnchors find the signs and clues a text may match.
func signAnchors() *partIndex { return prefilter().signs }
func clueAnchors() *partIndex { return prefilter().clues }

// refusedTranslated is "connection refused" in the languages people paste
// it in most, each found as pasted in public issue threads and READMEs:
// Chrome's "<host> refused to connect." (zh-CN, ja, de, fr, es; the host
// before it) and Windows' WSAECONNREFUSED (10061) "No connection could be
// made because the target machine actively refused it" (zh-CN, de, fr, ja,
// es).
const refusedTranslated = `拒绝了我们的连接请求|で接続が拒否されました|hat die Verbindung abgelehnt|n.autorise pas la connexion|ha rechazado la conexión|` +
	`目标计算机积极拒绝|Zielcomputer die Verbindung verweigerte|l.ordinateur cible l.a expressément refusée|対象のコンピューターによって拒否されたため|denegó expresamente dicha conexión`

// generic returns the wordings of no one provider: the desktop app's and
// the account's own messages, browsers, relying-party libraries, panva's
// oidc-provider, and the generic OAuth error codes last (they weigh least).
func generic() []Sign {
	return []Sign{
		// panva's oidc-provider (and the many services built on it).
		signW(catalog.RedirectMismatch, nil, 0.92, `redirect_uri did not match any of the client'?s registered redirect_uris`, "redirect_uri did not match any of the client's registered redirect_uris"),
		sign(catalog.InvalidScope, nil, `requested scope is not allowed`, "requested scope is not allowed"),
		sign(catalog.PKCEUnsupported, nil, `PKCE verification failed|code_challenge_method .*not supported|not supported value of code_challenge_method`, "PKCE verification failed"),

		// Ory Hydra and fosite (and the providers built on them), Dex.
		signW(catalog.InvalidClient, nil, 0.97, `requested OAuth 2\.0 Client does not exist`, "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method). The requested OAuth 2.0 Client does not exist."),
		signW(catalog.RedirectMismatch, nil, 0.97, `does not match any of the OAuth 2\.0 Client'?s pre-registered redirect urls`, "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."),
		signW(catalog.InvalidClient, nil, 0.95, `Invalid client_id \(`, `Bad Request: Invalid client_id ("quick-desktop").`),
		signW(catalog.IdPError, nil, 0.85, `Invalid or expired code parameter`, `{"error":"invalid_grant","error_description":"Invalid or expired code parameter."}`),
		signW(catalog.RedirectMismatch, nil, 0.95, `Unregistered redirect_uri`, `Unregistered redirect_uri ("http://localhost:18080").`),
		signW(catalog.InvalidScope, nil, 0.95, `OAuth 2\.0 Client is not allowed to request scope`, "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'offline_access'."),
		signW(catalog.InvalidScope, nil, 0.95, `Unrecognized scope\(s\)|Client can.t request scope\(s\)`, `error=invalid_scope&error_description=Unrecognized scope(s) ["offline_access"]`),

		// ZITADEL's login: a user it will not sign in, an organisation not granted the project.
		signW(catalog.IdPError, nil, 0.85, `\bUser is inactive\b|\bUser could not be found\b`, "User is inactive"),
		signW(catalog.AccessDeniedPolicy, nil, 0.92, `organi[sz]ation of the user must be granted to the project`, "Login not possible. The organisation of the user must be granted to the project. Please contact your administrator."),
		// Dex: an upstream connector's refusal (GitHub orgs, LDAP credentials, a claim it needs).
		signW(catalog.AccessDeniedPolicy, nil, 0.92, `not in required orgs or teams`, `Failed to authenticate: github: user "alice" not in required orgs or teams`),
		signW(catalog.IdPError, nil, 0.88, `LDAP Result Code 49|initial bind for user .{0,120} failed`, `Login error: ldap: initial bind for user "cn=admin,dc=example,dc=org" failed: LDAP Result Code 49 "Invalid Credentials"`),
		signW(catalog.IdPError, nil, 0.85, `Failed to authenticate: missing "?(username|preferred_username|name|groups|sub)"? claim`, `Failed to authenticate: missing "username" claim`),

		// ZITADEL's OpenID library (zitadel/oidc: ZITADEL and the providers built on it).
		signW(catalog.InvalidClient, nil, 0.9, `unable to retrieve client by id`, "error=invalid_request_redirect_uri: unable to retrieve client by id"),
		signW(catalog.RedirectMismatch, nil, 0.95, `requested redirect_uri is missing in the client configuration|client.s redirect_uri is (http|using a custom schema) and is not allowed`, "The requested redirect_uri is missing in the client configuration. If you have any questions, you may contact the administrator of the application."),
		signW(catalog.PKCEUnsupported, nil, 0.85, `\bPKCE required\b`, "error=invalid_request&error_description=PKCE required"),

		signW(catalog.PKCEUnsupported, nil, 0.9, `invalid code_verifier|code_verifier required`, "error=invalid_grant&error_description=invalid code_verifier"),
		signW(catalog.PublicClientDisabled, nil, 0.85, `client must be authenticated|invalid client_id / client_secret`, "error=invalid_client&error_description=client must be authenticated"),
		signW(catalog.IdPError, nil, 0.85, `redirect_uri does not correspond`, "error=invalid_grant&error_description=redirect_uri does not correspond"),
		signW(catalog.RefreshTokenMissing, nil, 0.9, `client missing grant type refresh_token`, "error=unauthorized_client&error_description=client missing grant type refresh_token"),
		// fosite's hints for a client that lacks a grant, or PKCE (Hydra).
		signW(catalog.RefreshTokenMissing, nil, 0.9, `not allowed to use authorization grant .refresh_token`, "The OAuth 2.0 Client is not allowed to use authorization grant 'refresh_token'."),
		signW(catalog.PKCEUnsupported, nil, 0.9, `must include a code_challenge when performing the authorize code flow`, "Clients must include a code_challenge when performing the authorize code flow, but it is missing."),

		// Relying-party libraries: go-oidc, golang.org/x/oauth2, Spring Security, openid-client, oauth2-proxy.
		signW(catalog.IDTokenSignatureInvalid, nil, 0.9, `oidc: id token not signed|oidc: unsupported signing algorithm|oidc: multiple signatures on id token`, `oidc: unsupported signing algorithm "HS256"`),
		signW(catalog.DiscoveryUnreachable, nil, 0.8, `oidc: get keys failed|oidc: failed to decode keys`, "oidc: get keys failed: 404 Not Found"),
		// Spring Security's OidcIdTokenValidator names the claims that failed: {iss=…, aud=…, exp=…}.
		signW(catalog.TokenValidationFailure, nil, 0.9, `ID Token contains invalid claims: \{[^}]{0,300}?\biss=`, "[invalid_id_token] The ID Token contains invalid claims: {iss=https://acme.okta.com}"),
		signW(catalog.AudienceMismatch, nil, 0.9, `ID Token contains invalid claims: \{[^}]{0,300}?\b(aud|azp)=`, "[invalid_id_token] The ID Token contains invalid claims: {aud=[0oa9xyz]}"),
		signW(catalog.ClockSkew, nil, 0.88, `ID Token contains invalid claims: \{[^}]{0,300}?\b(exp|iat|nbf)=`, "[invalid_id_token] The ID Token contains invalid claims: {exp=2025-01-01T00:00:00Z}"),
		// A state/nonce/CSRF check of the relying party: its cookies or session, no setting of the IdP.
		signW(catalog.IdPError, nil, 0.85, `\b(state|nonce) mismatch, expected|checks\.state argument is missing|Unable to find a valid CSRF token|CSRF token mismatch`, "RPError: state mismatch, expected abc, got: def"),
		// oauth2-proxy refuses an ID token whose email_verified is false: the user's record at the IdP.
		signW(catalog.IdPError, nil, 0.88, `email in id_token \(.{0,120}?\) isn.t verified|email .{1,120}? not listed as verified`, "email in id_token (bob@acme.example) isn't verified"),

		// The desktop app's and the account's own messages (seeds 000, 001, 002, 003).
		signW(catalog.ExtensionNotCreated, nil, 0.98, `Enterprise sign-in for Quick Desktop has not been configured`, "Enterprise sign-in for Quick Desktop has not been configured for this account."),
		signW(catalog.UserinfoTimeout, nil, 0.98, `User info request failed \(HTTP 504\)`, "User info request failed (HTTP 504)"),
		signW(catalog.UserinfoUnauthorized, nil, 0.98, `User info request failed \(HTTP 401\)`, "User info request failed (HTTP 401)"),
		signW(catalog.RefreshEmailMissing, nil, 0.98, `Missing email claim after refresh`, "Missing email claim after refresh"),
		signW(catalog.QuickIndexRegion, nil, 0.98, `Unable to initialize Quick index`, "Failed to create space: Unable to initialize Quick index in this region."),
		signW(catalog.IdentityRegionEndpoint, nil, 0.98, `Operation is being called from endpoint .{1,80}? but your identity region is`, "Operation is being called from endpoint ap-south-1, but your identity region is us-east-1."),
		signW(catalog.KMSDecryptSSO, nil, 0.98, `sso\.amazonaws\.com is not authorized to perform:? kms:Decrypt`, "Service: sso.amazonaws.com is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext"),
		signW(catalog.KMSDecryptQuickSight, nil, 0.97, `(quicksight|identitystore)\.amazonaws\.com is not authorized to perform:? kms:Decrypt`, "quicksight.amazonaws.com is not authorized to perform: kms:Decrypt (Service: Identitystoreinternal, Status Code: 400)"),
		signW(catalog.KMSDecryptQuickSight, nil, 0.9, `Identitystoreinternal`, "(Service: Identitystoreinternal, Status Code: 400)"),
		signW(catalog.SAMLPermissionNeeded, nil, 0.9, `Permission needed`, "Permission needed"),
		signW(catalog.ProxyForbidden, nil, 0.95, `not authorized to perform:? execute-api:Invoke`, "User: anonymous is not authorized to perform: execute-api:Invoke on resource"),
		// Any other IAM permission a user or role lacks: the account's own
		// policy, none of the rows (the services' KMS statements above are).
		signW(catalog.IdPError, nil, 0.8, `\b(User|Role|arn:aws:(iam|sts)::\S+) ?.{0,200}?\bis not authorized to perform\b`, "com.amazonaws.services.s3.model.AmazonS3Exception: User: arn:aws:sts::<AWS_ACCOUNT>:assumed-role/dataall-<dataset_name>-<URI>/<>  is not authorized to perform: kms:Decrypt on resource"),
		signW(catalog.ProxyForbidden, nil, 0.8, `403 Forbidden.{0,120}(execute-api|api ?gateway|cognito)|(execute-api|api ?gateway|scope-stripping proxy|cognito proxy).{0,120}\b403\b`, "403 Forbidden from https://a1b2c3.execute-api.us-east-1.amazonaws.com/prod/oauth2/authorize"),
		signW(catalog.SubscriptionConflict, nil, 0.9, `subscription already exists|already (has|have) an? (Amazon )?Quick(Sight)? (account|subscription)|ResourceExistsException.{0,120}(subscription|account)`, "ResourceExistsException: An account subscription already exists for this account"),
		signW(catalog.ConsoleHomeRegion, nil, 0.85, `console (always )?(targets|uses|opens|goes to|is (fixed|hard-?wired) to).{0,60}home region|hard-?wired to the (IAM )?Identity Center home region`, "the console always targets the IAM Identity Center home Region"),
		signW(catalog.IdentityRegion, nil, 0.85, `identity region (is|=) (?:ap|eu|ca|sa|me|af|il|mx|us-west|us-east-2)-[a-z]+-\d|desktop (app )?(requires|needs) .{0,40}us-east-1|(homed|home region) (in|outside) .{0,30}(us-east-1|ap-|eu-)`, "the account's identity region is ap-south-1; the desktop app requires us-east-1"),
		signW(catalog.EnterpriseEditionRequired, nil, 0.85, `\b(Free|Plus|Standard) (account|edition|plan|subscription)\b|Enterprise edition (is )?required|requires Enterprise Edition|QuickSight standard|only (available )?(for|to|in) Enterprise|"Edition": ?"STANDARD"`, "We are on a Plus account and there is no Extension access option"),
		signW(catalog.AccountNotReady, nil, 0.9, `AccountSubscriptionStatus"?:? ?"?(UNSUBSCRIBED|ACCOUNT_CREATION_FAILED|SIGNUP_ATTEMPT_IN_PROGRESS)`, `"AccountSubscriptionStatus": "UNSUBSCRIBED"`),
		signW(catalog.ExtensionAccessImmutable, nil, 0.85, `extension access.{0,80}(cannot|can.t|won.t) (be )?(edit|change|modif|save)|(cannot|can.t) edit (the )?extension access`, "The extension access cannot be edited after creation"),
		signW(catalog.LoopbackUnavailable, nil, 0.97, `(localhost|127\.0\.0\.1|\[::1\]):18080.{0,200}(ERR_CONNECTION_REFUSED|refused to connect|connection refused)|(ERR_CONNECTION_REFUSED|refused to connect|connection refused).{0,200}(localhost|127\.0\.0\.1):18080`, "127.0.0.1:18080 ERR_CONNECTION_REFUSED"),
		signW(catalog.LoopbackUnavailable, nil, 0.85, `localhost refused to connect|ERR_CONNECTION_REFUSED`, "This site can't be reached. localhost refused to connect. ERR_CONNECTION_REFUSED"),
		signW(catalog.LoopbackUnavailable, nil, 0.85, `(address|port) (already )?in use.{0,40}18080|18080.{0,40}(address|port) (already )?in use`, "listen tcp 127.0.0.1:18080: bind: address already in use"),
		signW(catalog.DNSUnresolved, nil, 0.95, `\bDNS_PROBE_FINISHED_NXDOMAIN\b|server IP address could not be found|\bno such host\b|\bENOTFOUND\b|Name or service not known|nodename nor servname provided|\bERR_NAME_NOT_RESOLVED\b|getaddrinfo failed|Could not resolve host`, "DNS_PROBE_FINISHED_NXDOMAIN"),
		signW(catalog.TLSUntrusted, nil, 0.95, `certificate signed by unknown authority|unable to get local issuer certificate|self[- ]signed certificate|CERT_AUTHORITY_INVALID|PKIX path (building|validation) failed|certificate verify failed|certificate is not trusted|x509: certificate is valid for|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate.s altnames|remote certificate is invalid|certificate for this (server|website) is invalid|unable to find valid certification path|\bcertificate has expired\b|CERT_HAS_EXPIRED|certificate signature failure|CERT_SIGNATURE_FAILURE|\bCERT_(UNTRUSTED|REVOKED|NOT_YET_VALID|REJECTED)\b|SEC_ERROR_UNKNOWN_ISSUER|MOZILLA_PKIX_ERROR_\w+|SSL_ERROR_BAD_CERT_DOMAIN`, "x509: certificate signed by unknown authority"),
		signW(catalog.DiscoveryUnreachable, nil, 0.85, `\.well-known/openid-configuration.{0,120}(404|not found|failed|error|HTML|unexpected|: EOF\b)|(404|not found|failed to (get|fetch|query)|error).{0,80}\.well-known/openid-configuration|oidc: failed to (get|decode) provider`, "oidc: failed to get provider: 404 Not Found"),
		// The desktop app's "Invalid issuer: <Entra …/v2.0>" is Entra's (package
		// idp); elsewhere an issuer the validator rejects is the issuer entered.
		signW(catalog.TokenValidationFailure, nil, 0.8, `Invalid issuer`, "Invalid issuer"),
		signW(catalog.TokenValidationFailure, nil, 0.95, `id token issued by a different provider|IDX10205|issuer (validation failed|mismatch|does not match)|unexpected issuer`, "oidc: id token issued by a different provider, expected \"https://acme.okta.com/oauth2/default\" got \"https://acme.okta.com\""),
		// No key for the token in the key set is the key set's (a JWKS URI
		// from another server); a signature that fails is the token's — unless
		// the text puts the key set beside it (go-oidc says the same words
		// when no key it holds verifies).
		signW(catalog.JWKSMismatch, nil, 0.95, `IDX1050[13]|IDX10511|no matching (signing )?key|unable to find (a|the)? ?(signing )?key|kid .{0,40}not found|key with (the )?(specific |specified )?kid\b.{0,40}(not found|cannot be found|could not be found)|key with kid|no possible keys match(es)?\b`, "IDX10501: Signature validation failed. Unable to match key: kid: 'abc'"),
		signW(catalog.IDTokenSignatureInvalid, nil, 0.9, `failed to verify (id token )?signature|signature verification failed|invalid signature|signature is invalid|JWS Token verification failed|Bad JWS signature|JWS::VerificationFailed|Unable to verify signature`, "Claims error: Signature verification failed"),
		signW(catalog.JWKSMismatch, nil, 0.96, `(failed to verify (id token )?signature|signature verification failed|invalid signature).{0,160}(\bJWKS\b|/keys\b|\bkey ?set\b)|(\bJWKS\b|/keys\b|\bkey ?set\b).{0,160}(failed to verify (id token )?signature|signature verification failed|invalid signature)`, "oidc: failed to verify signature: failed to verify id token signature (kid okta-default-7b4e) — JWKS from https://acme.okta.com/oauth2/v1/keys"),
		signW(catalog.AudienceMismatch, nil, 0.95, `expected audience .{0,120}got|Audience validation failed|IDX10214|invalid aud(ience)?s?\b|not a trusted audience|wrong audience|aud(ience)? (mismatch|does not match)`, "oidc: expected audience \"0oa1abc\" got [\"0oa9xyz\"]"),
		signW(catalog.ClockSkew, nil, 0.9, `token is expired|token has expired|used before issued|IDX1022[23]|iat .{0,40}future|nbf .{0,40}future|not valid yet|clock skew`, "oidc: token is expired (Token Expiry: 2026-11-24 09:00:00 +0000 UTC)"),
		signW(catalog.EmailClaimMissing, nil, 0.9, `email claim .{0,20}(is )?(missing|not (found|present))|no email claim|missing (the )?email claim|without an? email claim|(did not|didn.t|does not|doesn.t) return an email( address)?|email claim (specified|configured|expected) (was|is) \S+ and (the )?actual claim`, "the ID token has no email claim"),
		signW(catalog.EmailCaseMismatch, nil, 0.85, `(email|user|address).{0,160}(case[- ]sensitiv|only in (letter )?case|different (letter )?case|upper ?case|lower ?case|capitali[sz])|(case[- ]sensitiv|letter case).{0,80}(email|user)`, "Alice@Example.com vs alice@example.com: email matching is case-sensitive"),
		signW(catalog.EmailNotProvisioned, nil, 0.85, `(user|email).{0,60}(is )?not provisioned|no (matching|such) user|no user with (that |the |this )?email|user does not exist|not (a )?(registered|provisioned) user|email .{0,40}(not found|does not exist) in (the )?(account|Quick)`, "User not found: no user with email bob@acme.example is provisioned"),
		signW(catalog.RefreshTokenMissing, nil, 0.9, `Session expires frequently|no refresh[_ ]token|refresh[_ ]token (is )?(missing|not (issued|returned|present))|did not (return|issue) a refresh token|signed out every hour|sign in again every hour`, "Session expires frequently"),
		signW(catalog.RefreshTokenRejected, nil, 0.85, `invalid_grant.{0,200}refresh|refresh.{0,200}invalid_grant|refresh token (has )?expired|refresh token (is )?(invalid|revoked)`, "invalid_grant: The refresh token has expired due to inactivity"),
		signW(catalog.RefreshIDTokenMissing, nil, 0.9, `(refresh|refreshing).{0,80}(no|missing|without|did not return an?) id[_ ]token|id[_ ]token (is )?(missing|absent|not returned).{0,80}refresh|Return ID Token On Refresh`, "refresh grant response has no id_token"),
		signW(catalog.AccessDeniedPolicy, nil, 0.85, `not assigned to (the )?(client )?application|user is not assigned|not authorized to access (this|the) (app|application)`, "User is not assigned to the client application."),
		signW(catalog.PublicClientDisabled, nil, 0.9, `must contain the following parameter: 'client_assertion' or 'client_secret'|client_assertion or client_secret|'?client_secret or client_assertion'?`, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
		signW(catalog.RedirectMismatch, nil, 0.9, `redirect URI .{0,120}does not match|Redirect URI mismatch|redirect_uri .{0,60}(not registered|not allowed|not whitelisted|is invalid)|must be an absolute URI that is whitelisted`, "The redirect URI in the request, http://localhost:18080, does not match the ones authorized for the OAuth client."),
		signW(catalog.PKCEUnsupported, nil, 0.8, `code_verifier|code challenge|code_challenge|\bPKCE\b`, "code_verifier does not match the code_challenge"),
		// The loopback listener, on any port, in the words of browsers, OSes and runtimes.
		signW(catalog.LoopbackUnavailable, nil, 0.9, `HttpListenerException|Only one usage of each socket address|\bEADDRINUSE\b|address already in use|port \d+ is already in use|conflicts with an existing registration on the machine|listen EACCES|bind: permission denied|WSAEADDRINUSE|\b10048\b`, "bind: Only one usage of each socket address (protocol/network address/port) is normally permitted."),
		signW(catalog.LoopbackUnavailable, nil, 0.88, `(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\b[^&]{0,200}?(ERR_CONNECTION_(REFUSED|RESET|CLOSED|TIMED_OUT|ABORTED|FAILED)|ERR_EMPTY_RESPONSE|refused to connect|connection refused|actively refused|ECONNREFUSED|ECONNRESET|can.t establish a connection|Unable to connect|didn.t send any data|unexpectedly closed the connection|took too long to respond|taking too long to respond|connection (was )?reset|could(n.t| not) connect to (the )?server|can.t connect to the server|No connection could be made|CannotConnectToHost|Code=-1004|`+refusedTranslated+`)|(ERR_CONNECTION_(REFUSED|RESET|CLOSED|TIMED_OUT)|ERR_EMPTY_RESPONSE|connection (was )?reset|refused to connect|Unable to connect|can.t establish a connection|could(n.t| not) connect to (the )?server|can.t connect to the server|No connection could be made|CannotConnectToHost|Code=-1004).{0,200}?(localhost|127\.0\.0\.1)`, "Firefox can't establish a connection to the server at localhost:18080."),
		signW(catalog.LoopbackUnavailable, nil, 0.88, `Failed to start a local (web ?)?server|(could not|couldn.t|cannot|can.t|unable to|failed to) (start|open|create) (the |a |an )?((OAuth |OIDC |auth )?(local|loopback|callback|redirect) |(OAuth|OIDC|auth) )(web ?)?(server|listener)|port (cannot|could not|couldn.t) be bound|(cannot|could not|unable to|failed to) bind (to )?(the )?(local )?port|\bIs port \d+ (already )?in use\b|\bport \d{2,5} (is |was )?already (in use|occupied|taken)`, "WARNING: Failed to start a local webserver listening on any port between 8085 and 8186."),
		signW(catalog.LoopbackUnavailable, nil, 0.9, `access a socket in a way forbidden by its access permissions|以一种访问权限不允许的方式做了一个访问套接字的尝试|WSAEACCES|\b10013\b`, "An attempt was made to access a socket in a way forbidden by its access permissions."),
		signW(catalog.LoopbackHTTPSUpgrade, nil, 0.93, `You cannot visit (localhost|127\.0\.0\.1) right now because the website uses HSTS`, "You cannot visit localhost right now because the website uses HSTS."),
		signW(catalog.BrowserBlocksLoopback, nil, 0.9, `ERR_BLOCKED_BY_ADMINISTRATOR|ERR_NETWORK_ACCESS_DENIED|Your Internet access is blocked|would like to find and connect to devices on your local network`, "ERR_NETWORK_ACCESS_DENIED"),
		// 407: the proxy wants credentials for a request going out, to the
		// IdP (a browser asks for them itself; the loopback is not proxied
		// when bypassed). On the loopback, the proxy concept rule decides.
		signW(catalog.DiscoveryUnreachable, nil, 0.9, `\(?407\)?:? Proxy Authentication Required|\b407 \(authenticationrequired\)|ERR_PROXY_AUTH_REQUESTED`, "The remote server returned an error: (407) Proxy Authentication Required."),
		signW(catalog.ProxyInterceptsLoopback, nil, 0.9, `The proxy server is refusing connections|ERR_PROXY_CONNECTION_FAILED`, "The proxy server is refusing connections"),
		signW(catalog.LocalhostResolution, nil, 0.9, `localhost is used to configure the loopback interface|# Localhost \(DO NOT REMOVE\)|\bhosts file\b.{0,120}\blocalhost\b|\blocalhost\b.{0,120}\bhosts file\b|/etc/hosts\b.{0,120}\blocalhost\b|\blocalhost\b.{0,120}/etc/hosts\b|drivers\\etc\\hosts`, "127.0.0.1 localhost is missing from /etc/hosts"),
		// localhost resolving to ::1 first while the listener holds only
		// 127.0.0.1 (or the reverse), as people explain it.
		signW(catalog.LocalhostResolution, nil, 0.96, `\blocalhost\b.{0,40}\bresolves? to\b.{0,20}(::1|IPv6)|(bound|binds|listen(s|ing)?|bind) (only )?(on |to )?(only )?127\.0\.0\.1.{0,120}(::1|IPv6)|(::1|IPv6).{0,120}(bound|binds|listen(s|ing)?|bind) (only )?(on |to )?(only )?127\.0\.0\.1`, "On macOS/Windows localhost resolves to ::1 (IPv6) first, while the listener bound only 127.0.0.1"),
		// Endpoint security or the browser itself stopping the loopback.
		signW(catalog.BrowserBlocksLoopback, nil, 0.88, `blocked from (talking|connecting) to localhost|\bblock(s|ed|ing)? (requests |connections |access )?to (localhost|127\.0\.0\.1)\b|\b(localhost|loopback) (requests? |connections? |traffic )?(is |are |was |were |being )?blocked\b|\bBrave Shields?\b.{0,80}\blocalhost\b|\b(EDR|antivirus|anti-virus|endpoint (security|protection)|CrowdStrike|SentinelOne|Sophos|Symantec|Kaspersky|Bitdefender|ESET|Defender for Endpoint)\b.{0,160}\b(localhost|loopback|127\.0\.0\.1)\b|\b(localhost|loopback)\b.{0,160}\b(EDR|antivirus|anti-virus|endpoint (security|protection)|CrowdStrike|SentinelOne|Sophos|Symantec|Kaspersky|Bitdefender|ESET)\b`, "Corporate endpoint security (EDR/antivirus) started killing the process that opens the localhost listener for the OAuth callback."),
		signW(catalog.LocalhostResolution, nil, 0.93, `ECONNREFUSED ::1|connect to ::1 port \d+ failed|\[::1\]:\d+.{0,60}refused|(changing|change|replacing|replace|using) (the address |localhost )?(to|with) 127\.0\.0\.1 (works|allows|fixes)|localhost resolves to ::1`, "Error: connect ECONNREFUSED ::1:8080"),
		signW(catalog.LoopbackHTTPSUpgrade, nil, 0.92, `https://(localhost|127\.0\.0\.1)(:\d+)?.{0,200}(can.t provide a secure connection|ERR_SSL_PROTOCOL_ERROR|SSL_ERROR_RX_RECORD_TOO_LONG)|(can.t provide a secure connection|ERR_SSL_PROTOCOL_ERROR|SSL_ERROR_RX_RECORD_TOO_LONG).{0,200}(localhost|127\.0\.0\.1)|HTTPS-Only Mode.{0,80}localhost|request was for an HTTP URL with HTTPS-Only enabled`, "redirect to https://localhost:18080/ ... This site can't provide a secure connection"),
		signW(catalog.BrowserBlocksLoopback, nil, 0.95, `initiated by a public page to connect to devices or servers on your private network|Private Network Access|local network access|ERR_BLOCKED_BY_CLIENT|ERR_ACCESS_DENIED|Look for and connect to any device on your local network|access the (loopback|local|private) address space|Access other apps and services on this device|\bPort Authority\b.{0,80}(block|warning|extension)|Block Outsider Intrusion into LAN`, "The connection is blocked because it was initiated by a public page to connect to devices or servers on your private network."),
		signW(catalog.ProxyInterceptsLoopback, nil, 0.93, `\b(Zscaler|Netskope|Forcepoint|Blue ?Coat|McAfee Web Gateway|squid)\b|The requested URL could not be retrieved|ERR_TUNNEL_CONNECTION_FAILED|CONNECT tunnel failed|\bproxyconnect\b|\bcorporate proxy\b|Unable to tunnel through proxy|Cannot connect to proxy`, "The requested URL could not be retrieved http://127.0.0.1:18080/"),
		// https:// sent to a plain-http listener (the loopback upgraded to https), as clients word it.
		signW(catalog.LoopbackHTTPSUpgrade, nil, 0.78, `server gave HTTP response to HTTPS client|first record does not look like a TLS handshake|Unrecognized SSL message, plaintext connection|SSL routines:+(ssl3_get_record:)?wrong version number|packet length too long`, "http: server gave HTTP response to HTTPS client"),
		signW(catalog.LoopbackHTTPSUpgrade, nil, 0.9, `(localhost|127\.0\.0\.1)(:\d+)?\b.{0,200}?(secure connection to the server cannot be made|can.t establish a secure connection|first record does not look like a TLS handshake|wrong version number)|(can.t establish a secure connection|secure connection to the server cannot be made).{0,120}?(localhost|127\.0\.0\.1)`, "Safari can't open the page \"https://localhost:18080/\" because Safari can't establish a secure connection to the server \"localhost\"."),
		// curl's exit codes as it prints them: curl: (N) text.
		signW(catalog.DNSUnresolved, nil, 0.9, `curl: \(6\)`, "curl: (6) Could not resolve host: acme.okta.co"),
		signW(catalog.DiscoveryUnreachable, nil, 0.85, `curl: \(28\)`, "curl: (28) Failed to connect to acme.okta.com port 443 after 21043 ms: Timed out"),
		// A wrong password is the account's own trouble, whatever the
		// exception's name (Cognito's NotAuthorizedException).
		signW(catalog.IdPError, nil, 0.88, `\b(incorrect|invalid|wrong) (user ?name|e-?mail( address)?|login) (or|and|/) password\b|\bpassword (is )?(incorrect|invalid|wrong)\b`, "An error occurred when signing into AWS Cognito Service: NotAuthorizedException Incorrect username or password."),
		// Auth0's SDKs: PKCE needs a Native app whose token endpoint takes no
		// client authentication, a public client.
		signW(catalog.PublicClientDisabled, nil, 0.92, `Token Endpoint Authentication Method (to|must be|set to) '?None'?|\bPKCE_NOT_ALLOWED\b`, "PKCE not allowed - Application Type must be 'Native' and Token Endpoint Authentication Method must be 'None'"),
		// A rotated refresh token used twice: the IdP revokes the family.
		signW(catalog.RefreshTokenRejected, nil, 0.93, `\breused refresh token\b|\brefresh token reuse\b`, "Users getting logged out with \"Unsuccessful Refresh Token exchange, reused refresh token detected\""),
		// An ID token signed with a symmetric key or none (HS256 where RS256
		// is expected), as relying parties word it.
		signW(catalog.IDTokenSignatureInvalid, nil, 0.9, `(signed with|received signed with) (an? )?(unsupported|unexpected|the wrong|wrong) algorithm|unexpected signature algorithm|\bHS256\b.{0,80}\bexpected\b.{0,20}\bRS256\b|\bexpected\b.{0,20}\bRS256\b.{0,40}\bgot\b.{0,6}\bHS256\b`, "ID Token received signed with the wrong algorithm: HS256, expected RS256"),
		// No key for the token's kid in the key set, in the Keycloak
		// adapters' and oidc-client's words.
		signW(catalog.JWKSMismatch, nil, 0.93, `(didn.t|did not|could not|couldn.t|unable to) find (a )?public ?key for kid|doesn.t have (a )?key to match kid`, "IsIDTokenInvalid: `id_token` verification failed: Jwks doesn't have key to match kid or alg from Jwt"),
		// php-jwt's BeforeValidException: a token used before its iat/nbf.
		signW(catalog.ClockSkew, nil, 0.9, `Cannot handle token prior to`, "ERROR: Invalid id_token. Cannot handle token prior to 2015-12-01T10:39:32+0000"),
		// Entra's Conditional Access block page, and its managed-device wording.
		signW(catalog.AccessDeniedPolicy, nil, 0.9, `You can.t get there from here|admin requires the device (requesting access )?to be managed|requires (a )?(managed|compliant) device`, "You can't get there from here - You cannot access the resource from this browser on your device. You need to use Microsoft Edge"),
		// Keycloak's userinfo (and token introspection) answer to a token it
		// does not accept.
		signW(catalog.UserinfoUnauthorized, nil, 0.88, `\binvalid_token\b\W{1,40}(error_description\W{1,6})?Token verification failed`, "Keycloak gives me the error response `invalid_token: Token verification failed`."),
		// A user the IdP's administrator blocked (Auth0's "user is blocked").
		signW(catalog.IdPError, nil, 0.9, `\buser (is|has been|was) blocked\b`, `{status: 403, url: "https://******.auth0.com/oauth/token", headers: {…}, error: "{"error":"invalid_grant","error_description":"user is blocked"}"}`),
		// Chrome's Private (now Local) Network Access: a public page's
		// request to the loopback, blocked unless the user allows it.
		signW(catalog.BrowserBlocksLoopback, nil, 0.95, `ERR_BLOCKED_BY_(PRIVATE|LOCAL)_NETWORK_ACCESS_CHECKS|\bLocalNetworkAccessChecks\b|Apps on device\W{1,6}Automatically blocked`, "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS"),
		// The browser upgrading http://localhost to https: a setting, HSTS
		// remembered for localhost, a redirect people see happen.
		signW(catalog.LoopbackHTTPSUpgrade, nil, 0.88, `\bAlways use secure connections\b|\bHTTPS-First Mode\b|(redirected|upgraded?|upgrades|forced|rewritten|switched|changed) .{0,60}\bto \W{0,4}https\W{0,4}://(localhost|127\.0\.0\.1)|\bHSTS\b.{0,120}\blocalhost\b|\blocalhost\b.{0,120}\bHSTS\b`, "http://localhost:44347 is redirected in the browser to https://localhost:44347 automatically by Chrome once it saw an HSTS header"),
		// The loopback listener not there, in people's words.
		signW(catalog.LoopbackUnavailable, nil, 0.88, `\b(localhost|127\.0\.0\.1)(:\d+)?/?\S{0,60}\W{0,3} (is|was) (not |un)reachable\b|\b(localhost|127\.0\.0\.1):\d+\W{0,3} (is |was )?already (in use|occupied|taken)|already (in use|occupied|taken) by another (local )?(process|application|program|app)`, "After visiting the URL, I get page not found, as http://localhost:18080/ is not reachable."),
		// The listener on one family, the browser on the other: a dual-stack
		// or IPv6-only bind, localhost tried as ::1 first.
		signW(catalog.LocalhostResolution, nil, 0.9, `\bresolves? \W?localhost\W? to \W?(::1|IPv6)|\bbinds? to :: \(IPv6\)|IPv6 dual-stack sockets?|将 ?localhost ?解析为|localhost ?解析为 ?::1|/etc/hosts\b.{0,60}\b(is )?(completely )?(empty|missing|gone|deleted)\b`, "the browser resolves `localhost` to `::1` first and delivers the callback there"),
		// rustls's words for a certificate it does not trust.
		signW(catalog.TLSUntrusted, nil, 0.9, `invalid peer certificate:? \W?(UnknownIssuer|BadSignature|Expired|NotValidYet|Other)`, "error sending request for url (https://idp.example.com/oauth2/token): client error (Connect): invalid peer certificate: UnknownIssuer"),
		// The discovery document unreadable: an HTML page where JSON should
		// be, a resource the server does not have, a server that is not there.
		signW(catalog.DiscoveryUnreachable, nil, 0.86, `'\[' or '\{' expected near '<'|OIDC server is not available at|OIDC metadata discovery failed|(error|failed|failure)\W{1,20}(trying to |to )?discover(ing)? (the )?OpenID provider|Could not find resource for full path: \S{0,200}/\.well-known/openid-configuration|Unable to resolve (the )?Configuration with the provided Issuer`, "oidc_util_decode_json_and_check_error: JSON parsing returned an error: '[' or '{' expected near '<'"),
		// A refresh token the service no longer takes (Cognito's words), and
		// a tool's session that ended.
		signW(catalog.RefreshTokenRejected, nil, 0.9, `\bInvalid Refresh Token\b|\bsession has timed out\W{1,6}Re-?authenticate`, "putting the saved refresh token back through the snippet, I get `Invalid Refresh Token` as a response"),

		// The refresh that could not be tried: no refresh token to send
		// (however the access token's expiry is worded beside it).
		signW(catalog.RefreshTokenMissing, nil, 0.96, `\brefresh[_ ]token (is|was) not (set|provided|returned|issued|present|available)\b|\bno refresh[_ ]token (was )?(provided|returned|issued|available)\b`, "Error: Could not refresh the token: oauth2: token expired and refresh token is not set"),
		// netstat showing the listener on ::1 alone: a browser that tries
		// 127.0.0.1 finds nothing.
		signW(catalog.LocalhostResolution, nil, 0.93, `\bTCP\s+\[::1\]:\d+\s+\[::\]:0\s+LISTENING\b`, "TCP    [::1]:18080            [::]:0                 LISTENING"),

		// A port Windows reserves (Hyper-V, WSL2, Docker): no bind, whatever listens.
		signW(catalog.LoopbackUnavailable, nil, 0.88, `(dynamic|excluded) port range.{0,160}(Hyper-V|WSL2?|Docker)|(Hyper-V|WSL2?|Docker).{0,160}(reserved|excluded) port`, "port 18080 is inside the Windows dynamic port range that Hyper-V, WSL2 or Docker Desktop has reserved"),
		// A proxy asked for its own address (the loopback sent to the proxy).
		signW(catalog.ProxyInterceptsLoopback, nil, 0.95, `Self-referential requests to (this )?proxy( server)? are forbidden`, "Self-referential requests to this proxy server are forbidden"),
		// The browser changing the scheme of the loopback redirect.
		signW(catalog.LoopbackHTTPSUpgrade, nil, 0.88, `from \W{0,2}http:?\W{0,2} to \W{0,2}https:?\W{0,2}.{0,40}(localhost|127\.0\.0\.1)`, "I noticed that the url was changed from http: to https: (https://localhost:18080/)."),
		// Tokens the validator finds for someone else, or already expired.
		signW(catalog.AudienceMismatch, nil, 0.9, `does not pass the audience allow filter|does not have a client id matching any of the token audiences`, "Validation error. The provider https://idp.example does not have a client id matching any of the token audiences [b2b]"),
		signW(catalog.ClockSkew, nil, 0.85, `\bexp is in the past\b`, "exp is in the past"),
		// A session (and the refresh tokens of it) that ended: the AWS CLI's
		// SSO session, Dex's refresh token's.
		signW(catalog.RefreshTokenRejected, nil, 0.9, `SSO session associated with this profile has expired or is otherwise invalid|session this refresh token belongs to has ended`, "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile."),
		// .NET's TLS failure reaching a host: the inner exception says why
		// (an untrusted certificate outranks it).
		signW(catalog.DiscoveryUnreachable, nil, 0.75, `The SSL connection could not be established`, "DEBUG: Request [8105f692] exception Azure.RequestFailedException: The SSL connection could not be established"),

		// Sessions the IdP or the SDK ended: the AWS SDK's SSO token, a
		// password that expired, a sign-in Entra blocked for its IP address.
		signW(catalog.RefreshTokenRejected, nil, 0.9, `refresh cached SSO token failed`, "refresh cached SSO token failed, %w"),
		signW(catalog.IdPError, nil, 0.9, `\b(user.s )?password (is|has) expired\b|IP address with malicious activity`, "The user's password is expired, and therefore their login or session was ended."),
		// Entra's token protection policy (a Conditional Access control).
		signW(catalog.AccessDeniedPolicy, nil, 0.92, `security policy is preventing access|security policy requiring token protection`, "Sorry, a security policy is preventing access. An organization security policy requiring token protection is preventing this application from accessing the resource."),
		// A connection that timed out (Windows' WSAETIMEDOUT), in English's
		// code and Spanish's words.
		signW(catalog.DiscoveryUnreachable, nil, 0.85, `\[WinError 10060\]|\bWSAETIMEDOUT\b|intento de conexi\S{1,3}n ya que la parte conectada no respondi`, "TimeoutError: [WinError 10060] A connection attempt failed because the connected party did not properly respond after a period of time"),
		// .NET's untrusted certificate, in English and Chinese.
		signW(catalog.TLSUntrusted, nil, 0.93, `Could not establish trust relationship for the SSL/TLS (secure )?channel|未能为 ?SSL/TLS ?安全通道建立信任关系`, "在登录正版账号时显示Could not establish trust relationship for the SSL/TLS secure channel"),
		// A client secret the library needs and has not (a public client's).
		signW(catalog.PublicClientDisabled, nil, 0.9, `client_secret is (undefined|required|empty)`, "oauthlib.oauth2.rfc6749.errors.InvalidClientError: (invalid_client) client_secret is undefined"),
		// IdentityServer's unknown client.
		signW(catalog.InvalidClient, nil, 0.93, `Unknown client or client not enabled`, "unauthorized_client - Unknown client or client not enabled"),
		// A proxy in the way of the IdP (whatever the proxy's own error).
		signW(catalog.DiscoveryUnreachable, nil, 0.96, `\bProxyError\b`, "HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded with url: /common/oauth2/token (Caused by ProxyError('Cannot connect to proxy.'))"),
		// A DNS query that timed out is the name not resolved.
		signW(catalog.DNSUnresolved, nil, 0.96, `\blookup \S{1,253} on \S{1,60}: read udp .{0,80}i/o timeout`, "dial tcp: lookup oauth2.googleapis.com on 8.8.4.4:53: read udp 172.17.0.2:46999->8.8.4.4:53: i/o timeout"),

		// Node's names for an untrusted chain, stronger than advice beside them.
		signW(catalog.TLSUntrusted, nil, 0.95, `\b(UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\b`, "OAuth error: SSL certificate error (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)."),
		// The listener on one name, the redirect on the other.
		signW(catalog.LocalhostResolution, nil, 0.96, `(listens?|listening|bound|binds?) (on|to) \W?127\.0\.0\.1\W? but .{0,40}(points?|redirects?|goes|sends?) to \W?localhost|(listen|bind)\w* (at|on|to) localhost(:\d+)?\W{0,40}(Error: )?getaddrinfo (ENOTFOUND|EAI_AGAIN)`, "Callback listens on `127.0.0.1` but redirect points to `localhost` resulting in 404."),
		// Chrome's bare failure of a navigation it stopped itself (an
		// extension, a policy, local network access), on the redirect.
		signW(catalog.BrowserBlocksLoopback, nil, 0.7, `(localhost|127\.0\.0\.1|\bredirect).{0,200}\bERR_FAILED\b|\bERR_FAILED\b.{0,200}(localhost|127\.0\.0\.1|\bredirect)`, "Redirect fails receiving an ERR_FAILED code and \"This site can't be reached\""),

		// The account's own state, in the IdPs' words: locked out for good
		// (Okta), a password reset it must do first (Cognito), a session or
		// a brokered sign-in the IdP could not make (ZITADEL, Keycloak), an
		// upstream connector that failed (Dex).
		signW(catalog.IdPError, nil, 0.9, `locked out \d+ times|no longer be automatically unlocked|\bPassword reset required\b|\bPasswordResetRequiredException\b|Could not create session for user|Failed to make identity provider oauth callback|did not contain an? AttributeStatement|\bAuthorization_RequestDenied\b`, "Password reset required for the user"),
		// An application the user has no access to (yet).
		signW(catalog.AccessDeniedPolicy, nil, 0.85, `(don.t|do not) have access to this application`, "It seems that you don't have access to this application yet. Please apply for access."),

		// openid-client's (got's) timeouts reaching the IdP.
		signW(catalog.DiscoveryUnreachable, nil, 0.92, `Timeout awaiting '?\w+'? for \d+ ?ms|outgoing request timed out after \d+ ?ms`, "OPError: invalid_request (Timeout awaiting 'request' for 4000ms)"),
		// Attempts the IdP counts and blocks on (Auth0's brute-force protection).
		signW(catalog.IdPError, nil, 0.93, `reached the maximum (number of )?failed login attempts`, "An IP address is blocked because it reached the maximum failed login attempts into a single account."),
		// QuickSight not signed up in the account.
		signW(catalog.AccountNotReady, nil, 0.93, `QuickSight Account Not Found|is not signed up (for|with) (Amazon )?QuickSight`, `"Message": "Quicksight Account Not Found.", "Code": "ResourceNotFoundException"`),

		// The name localhost itself did not resolve (a hosts file without it).
		signW(catalog.LocalhostResolution, nil, 0.95, `\blookup localhost\b.{0,80}\bno such host|\b(could not|couldn.t|can.t|cannot|unable to|failed to) resolve (host(name)?:? )?['"]?localhost\b|\bgetaddrinfo \w+ localhost\b`, "couldn't access the network: lookup localhost on 192.168.1.1:53: no such host"),
		// The connection cut on the way: nothing back (52), a reset (56).
		signW(catalog.DiscoveryUnreachable, nil, 0.85, `curl: \((52|56)\)`, "curl: (52) Empty reply from server"),
		signW(catalog.TLSUntrusted, nil, 0.9, `curl: \(60\)`, "curl: (60) SSL certificate problem: unable to get local issuer certificate"),
		// Apple's NSURLErrorDomain codes, as printed in an NSError.
		signW(catalog.LoopbackUnavailable, nil, 0.75, `NSURLErrorDomain\W{1,4}Code=-1004\b|\bCode=-1004\b.{0,40}NSURLErrorDomain`, `Error Domain=NSURLErrorDomain Code=-1004 "Could not connect to the server."`),
		signW(catalog.DNSUnresolved, nil, 0.9, `NSURLErrorDomain\W{1,4}Code=-100[36]\b|A server with the specified hostname could not be found`, `Error Domain=NSURLErrorDomain Code=-1003 "A server with the specified hostname could not be found."`),
		signW(catalog.TLSUntrusted, nil, 0.9, `NSURLErrorDomain\W{1,4}Code=-120[1-6]\b`, `Error Domain=NSURLErrorDomain Code=-1202 "The certificate for this server is invalid."`),
		signW(catalog.TLSUntrusted, nil, 0.75, `NSURLErrorDomain\W{1,4}Code=-1200\b|An SSL error has occurred and a secure connection to the server cannot be made`, `Error Domain=NSURLErrorDomain Code=-1200 "An SSL error has occurred and a secure connection to the server cannot be made."`),
		signW(catalog.DiscoveryUnreachable, nil, 0.8, `NSURLErrorDomain\W{1,4}Code=-10(01|09|05)\b|The Internet connection appears to be offline`, `Error Domain=NSURLErrorDomain Code=-1001 "The request timed out."`),
		// WinINet/WinHTTP error numbers, with the words that print them.
		signW(catalog.LoopbackUnavailable, nil, 0.75, `(WinHttp|WinINet|HttpSendRequest|INTERNET|error|code)\W{1,20}12029\b`, "WinHttpSendRequest failed with error 12029"),
		signW(catalog.DNSUnresolved, nil, 0.9, `(WinHttp|WinINet|HttpSendRequest|INTERNET|error|code)\W{1,20}12007\b`, "WinHttpSendRequest failed with error 12007"),
		signW(catalog.DiscoveryUnreachable, nil, 0.8, `(WinHttp|WinINet|HttpSendRequest|INTERNET|error|code)\W{1,20}12002\b`, "error 12002: The operation timed out"),
		signW(catalog.TLSUntrusted, nil, 0.9, `(WinHttp|WinINet|HttpSendRequest|INTERNET|error|code)\W{1,20}(12175|12057|12045|12038|12037|12169)\b`, "WinHttpSendRequest: 12175: A security error occurred"),
		signW(catalog.AccountNotReady, nil, 0.95, `is not signed up with QuickSight|not subscribed (for|to) QuickSight`, "ResourceNotFoundException: Account 111122223333 is not signed up with QuickSight with namespace default."),
		// Said outright, it outranks the expired token it leads to.
		signW(catalog.RefreshIDTokenMissing, nil, 0.97, `(refresh|refreshing|refresh_token grant|grant_type).{0,80}(doesn.?t|does not|didn.?t|did not|never|won.?t) (return|include|contain|send)s? (an? |the |back )?id[_ ]?token`, "Refresh grant_type doesnt return id_token, it only returns access token"),
		// openid-client: no key of the issuer's set verifies the token's kid.
		signW(catalog.JWKSMismatch, nil, 0.85, `no valid key found in issuer's jwks_uri`, `RPError: no valid key found in issuer's jwks_uri for key parameters {"kid":"k1","alg":"RS256"}`),
		signW(catalog.RefreshIDTokenMissing, nil, 0.85, `id_token not present in TokenSet`, "Error: id_token not present in TokenSet"),
		signW(catalog.IdPError, nil, 0.85, `Code was already redeemed|authorization code (has been|was) (already )?(used|redeemed)`, `{"error": "invalid_grant", "error_description": "Code was already redeemed."}`),
		signW(catalog.IDTokenSignatureInvalid, nil, 0.9, `signed with the HS256 algorithm|HS256.{0,60}(not supported|public (applications|clients))`, "The id_token cannot be validated because it was signed with the HS256 algorithm"),
		signW(catalog.RefreshTokenRejected, nil, 0.9, `Session is invalid due to expiration or recent password change|(refresh token|session|grant).{0,80}(revoked|invalid(ated)?).{0,60}password (change|reset)|password (change|reset).{0,80}(revoked|invalidated).{0,40}(refresh token|session)`, "AADSTS16000: Session is invalid due to expiration or recent password change."),
		// A second factor the policy wants and the token request (a refresh
		// included) cannot give: Auth0's mfa_required, "403 Mfa Required".
		signW(catalog.AccessDeniedPolicy, nil, 0.93, `\bmfa[_ ]required\b|\bmulti-?factor authentication (is )?required\b`, "Error: MFA Required"),
		// The user not given the application at the IdP (Okta's "assigned",
		// "provisioned with the app"): the app's assignment, not the AWS side.
		signW(catalog.AccessDeniedPolicy, nil, 0.88, `\bnot (provisioned|assigned) (with|to|for) (the |this )?\S+ (\(\S+\) )?(application|app)\b|\bmust be (given|granted) access to (the |this )?\S+ (\S+ )?(application|app)?\b.{0,40}\b(log ?in|sign ?in)`, "A new user cannot sign in when the user is not provisioned with the ReportStream application."),
		// The grant is not allowed for the client (Auth0's Grant Types,
		// Okta's allowed grant types): the app's registration excludes it.
		signW(catalog.AccessDeniedPolicy, nil, 0.9, `Grant type '?authorization_code'? not allowed for the client|grant[_ ]type '?authorization_code'?.{0,20}\bnot (allowed|enabled|permitted|authorized) for (the|this) (client|application|app)\b`, "unauthorized_client: Grant type 'authorization_code' not allowed for the client."),
		// A SAML response's or assertion's signature, not an ID token's.
		signW(catalog.SAMLSignatureInvalid, nil, 0.93, `\b(SAML )?(Response|Assertion) Signature (is )?(invalid|validation failed|failed|not valid|does not match)|invalid signature (on|in|of) (the )?SAML|\bSAML\b.{0,80}\bsignature\b.{0,40}(invalid|failed|could not be (verified|validated)|mismatch)|\bsignature\b.{0,60}\b(invalid|failed|not valid)\b.{0,40}\bSAML (response|assertion)`, `Invalid response from Idp: ["Invalid Signature on SAML Response"]`),
		signW(catalog.IdentityRegionEndpoint, nil, 0.85, `\bidentity[- ]region\b.{0,160}(API|call|endpoint|operation)|(API|call|endpoint|operation)s?.{0,160}\bidentity[- ]region\b`, `QuickSight requires all management API calls to be made from the account's "identity region"`),
		// AWS request signing (SigV4) refused for the clock: the machine's time.
		signW(catalog.ClockSkew, nil, 0.95, `Signature expired: \d{8}T\d{6}Z is now earlier than|Signature not yet current|\bRequestTimeTooSkewed\b|difference between the request time and the (current|server) time is too large`, "SignatureDoesNotMatch: Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z"),
		// IAM Identity Center: the user has no assignment to that account and permission set.
		signW(catalog.AccessDeniedPolicy, nil, 0.9, `GetRoleCredentials operation: No access|ForbiddenException.{0,80}\bNo access\b`, "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access"),
		signW(catalog.AccountNotReady, nil, 0.93, `Directory information for account \d{12} is not found`, "ResourceNotFoundException: Directory information for account 123456789012 is not found"),
		signW(catalog.AccountNotReady, nil, 0.9, `Namespace default not found|QuickSight (needs|has) to be enabled|(enable|sign up for) QuickSight (first|on the account)`, "ResourceNotFoundException: Namespace default not found in account 111122223333"),
		signW(catalog.PublicClientDisabled, nil, 0.85, `No client credentials found`, "No client credentials found."),
		// The user's own account state at the IdP (disabled, locked,
		// suspended): no row's fix applies; the IdP's words tell the admin.
		signW(catalog.IdPError, nil, 0.88, `\b(user |your |the )?account (is|has been|was) (temporarily )?(disabled|locked|suspended|deactivated|blocked)|\buser (account )?(is )?(disabled|locked out|suspended|deactivated)\b|\baccount_(disabled|locked)\b`, "Account is disabled, contact your administrator."),
		// fosite (Ory Hydra, Authelia): the client sent no secret (method
		// 'none', as a public client does) and its registration wants one.
		// github.com/ory/fosite/client_authentication.go
		signW(catalog.PublicClientDisabled, nil, 0.95, `endpoint_auth_method' method 'none', however the OAuth 2\.0 client registration does not allow|updated to 'none' or the Relying Party`, "The request was determined to be using 'token_endpoint_auth_method' method 'none', however the OAuth 2.0 client registration does not allow this method."),
		signW(catalog.AccessDeniedPolicy, nil, 0.88, `not authorized to access the requested resource|belong to one of the authorized groups`, "Sorry, you're not authorized to access the requested resource."),
		signW(catalog.InvalidScope, nil, 0.85, `Missing required scope`, `Missing required scope(s) ["openid"].`),
		signW(catalog.IdPError, nil, 0.6, `An error occurred\. Contact your administrator|Login error\. Please contact your administrator`, "An error occurred. Contact your administrator for more information."),
		signW(catalog.EndpointMismatch, nil, 0.7, `endpoint.{0,40}(differs|mismatch|does not match).{0,40}discovery`, "the token endpoint differs from the discovery document"),

		// Generic OAuth error codes, last.
		sign(catalog.RedirectMismatch, nil, `\bredirect_mismatch\b|\binvalid_redirect_uri\b|\bredirect_uri_mismatch\b`, "error=redirect_mismatch"),
		sign(catalog.GoogleClientSecretMissing, nil, `client_secret is missing`, "client_secret is missing."),
		oauthW(catalog.InvalidClient, 0.7, `\binvalid_client\b|\bclient is invalid\b|\bunknown client\b|client (id )?not found`, "error: invalid_client error_description: client is invalid"),
		oauthW(catalog.InvalidScope, 0.7, `\binvalid_scope\b`, "error=invalid_scope"),
		oauthW(catalog.AccessDeniedPolicy, 0.65, `\baccess_denied\b`, "error=access_denied"),
		oauthW(catalog.RefreshTokenRejected, 0.6, `\binvalid_grant\b`, `{"error": "invalid_grant"}`),
		// The client may not use this grant or response type: its settings, no row of ours.
		oauthW(catalog.IdPError, 0.6, `\bunauthorized_client\b`, "error=unauthorized_client"),
		oauthW(catalog.ConsentRequired, 0.75, `\bconsent_required\b|\binteraction_required\b`, "error=consent_required"),
		oauthW(catalog.IdPError, 0.5, `\binvalid_request\b|\bunsupported_response_type\b|\bserver_error\b|\btemporarily_unavailable\b`, "error=invalid_request"),
	}
}

// Clue is a wording that fits several rows: triage returns them all, with
// the question or check that tells them apart.
type Clue struct {
	Rows     []catalog.ID
	Pattern  *regexp.Regexp
	Question string
	Example  string
	pattern  pattern
}

func clue(pattern, question, example string, rows ...catalog.ID) Clue {
	return Clue{Rows: rows, Pattern: regexp.MustCompile(`(?is)` + pattern), Question: question, Example: example, pattern: compilePattern(`(?is)` + pattern)}
}

// clues are the ambiguous wordings.
var clues = sync.OnceValue(func() []Clue {
	return []Clue{
		// A browser's "cannot reach" page that names no host: the redirect
		// back to the loopback (the commoner, once the IdP's page was seen)
		// or the IdP itself.
		clue(`can.t reach this page|This site can.t be reached|\bUnable to connect\b|can.t establish a connection to the server|Can.t Connect to the Server|Safari (can.t|cannot) connect to (the )?server|Safari ?浏览器无法连接服务器|The connection has timed out|took too long to respond`,
			"Which address is in the browser's address bar: http://localhost:18080/… (the redirect back to the app: is the app waiting, is the port free? quickdiag doctor) or the IdP's host (the network or a proxy on the way)?",
			"Hmm… can't reach this page", catalog.LoopbackUnavailable, catalog.DiscoveryUnreachable),
		clue(`User not found`, "Does the ID token carry an email claim, and is it exactly a provisioned user's email, letter case included? Run the sign-in step (quickdiag check --live --email …, or step 4 of the wizard): it names which.",
			"User not found", catalog.EmailClaimMissing, catalog.EmailNotProvisioned, catalog.EmailCaseMismatch),
		clue(`Token validation fail`, "Which part of the token fails? Run the preflight: discovery.issuer compares the issuer, jwks.same_keys the keys; the sign-in step names the claim (iss, aud, kid, exp).",
			"Token validation failure", catalog.TokenValidationFailure, catalog.InvalidIssuer, catalog.JWKSMismatch, catalog.AudienceMismatch, catalog.ClockSkew),
		clue(`not authorized to perform:? kms:Decrypt|kms:Decrypt.{0,80}(AccessDenied|denied)`, "Which service does the message name: sso.amazonaws.com (the application-creation flow) or quicksight.amazonaws.com / Identitystoreinternal (the replica key)? Paste both key policies into quickdiag analyze kms-policy.",
			"is not authorized to perform: kms:Decrypt", catalog.KMSDecryptSSO, catalog.KMSDecryptQuickSight),
		clue(`\binvalid_scope\b`, "Is the IdP Amazon Cognito (an amazoncognito.com address)? Cognito has no offline_access scope; other IdPs need it enabled for the app.",
			"invalid_scope", catalog.InvalidScope, catalog.CognitoOfflineAccess),
		// PingOne's request-validation page: most often the redirect URI not
		// registered, but the page itself names no parameter.
		clue(`One or more validation errors were in the request`, "Which parameter do the error's details name? A redirect_uri not in the application's Redirect URIs, a scope not granted to it, or another value each have their own fix.",
			"The request could not be completed. One or more validation errors were in the request.", catalog.RedirectMismatch, catalog.InvalidScope, catalog.IdPError),
		clue(`Your request resulted in an error`, "What does the page's Description line say? A redirect_uri message, an invalid client_id, or a policy evaluation failure each have their own fix.",
			"400 Bad Request — Your request resulted in an error.", catalog.InvalidClient, catalog.RedirectMismatch, catalog.AccessDeniedPolicy),
		clue(`sign(ed)? out|session (expires|ends)|log(ged)? out|sign in again`, "Is a refresh token issued at all, and does refreshing return an ID token with email? The sign-in step runs the refresh grant and says which.",
			"users are signed out after an hour", catalog.RefreshTokenMissing, catalog.RefreshTokenRejected, catalog.RefreshIDTokenMissing, catalog.RefreshEmailMissing),
		clue(`wrong region|(another|different|other) region|region (mismatch|is wrong)|identity region|home region`, "Which Region is the account's identity region? It shows in every ARN of quickdiag analyze users (list-users output).",
			"wrong region", catalog.IdentityRegion, catalog.QuickIndexRegion, catalog.IdentityRegionEndpoint),
	}
})

// Classify returns the row of the surest wording found in text (the
// highest weight; the first of equal ones), trying the given IdP's own
// wordings first, then everyone's, among the rows that where accepts (nil:
// all), and the matched part with its context.
func Classify(text string, idp *checks.IdP, where func(catalog.ID) bool) (catalog.ID, string, bool) {
	lower := strings.ToLower(text)
	maySign := signAnchors().possible(lower)
	maySign.readsASCII(text, lower)
	try := func(keep func(Sign) bool) (catalog.ID, string, float64, bool) {
		var best *Sign
		var at []int
		all := signs()
		for i := range all {
			s := &all[i]
			if !keep(*s) || (where != nil && !where(s.Row)) || (best != nil && s.Weight <= best.Weight) {
				continue
			}
			if loc := maySign.find(i, text); loc != nil {
				best, at = s, loc
			}
		}
		if best == nil {
			return "", "", 0, false
		}
		return best.Row, excerpt(text, at[0], at[1]), best.Weight, true
	}
	// A vendor code names the failure exactly: the surest code first.
	var code *Code
	var codeAt [2]int
	codeWords(text, func(w string, start, end int) bool {
		if c := codes().lookupWord(w); c != nil && (where == nil || where(c.Row)) && (code == nil || codeWeight(c) > codeWeight(code)) {
			code, codeAt = c, [2]int{start, end}
		}
		return true
	})
	if code != nil && code.Row != catalog.IdPError {
		return code.Row, excerpt(text, codeAt[0], codeAt[1]), true
	}
	if idp != nil {
		if row, m, _, ok := try(func(s Sign) bool { return s.IdP == idp }); ok {
			return row, m, ok
		}
	}
	row, m, w, ok := try(func(s Sign) bool { return s.IdP == nil || s.IdP != idp })
	if code != nil && (!ok || w < codeWeight(code)) {
		return code.Row, excerpt(text, codeAt[0], codeAt[1]), true
	}
	return row, m, ok
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

// OAuthErrorRow maps an RFC 6749 error code sent back by the authorization
// endpoint (with its description) to a row: the IdP's own meaning of the
// code first, then the wording of the description, then the code.
func OAuthErrorRow(idp *checks.IdP, code, desc string) catalog.ID {
	if idp != nil {
		if row, ok := idp.AuthorizeErrors[code]; ok {
			return row
		}
	}
	if row, _, ok := Classify(code+" "+desc, idp, nil); ok {
		return row
	}
	switch code {
	case "invalid_scope":
		return catalog.InvalidScope
	case "access_denied", "unauthorized_client":
		return catalog.AccessDeniedPolicy
	case "consent_required", "interaction_required":
		return catalog.ConsentRequired
	case "invalid_client":
		return catalog.InvalidClient
	case "invalid_grant":
		return catalog.RefreshTokenRejected
	case "temporarily_unavailable", "server_error":
		return catalog.DiscoveryUnreachable
	}
	if strings.Contains(strings.ToLower(desc), "redirect") {
		return catalog.RedirectMismatch
	}
	return catalog.IdPError
}
