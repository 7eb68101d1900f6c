package triage

import (
	"slices"
	"strings"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// The same words mean different rows on different sides of a sign-in. The
// rules here move a match to the row of the side the text is about: the
// SAML sign-in of the web app, or the token exchange rather than the
// authorization request or the refresh.

// samlContext are words of a text about a SAML sign-in, in lower case:
// the protocol, or an element of an assertion, named.
var samlContext = []string{"saml", "notonorafter", "subjectconfirmation", "audiencerestriction", "assertion consumer", "assertionconsumer", "nameid"}

// oidcContext are words of the OpenID side that a SAML message never
// carries: a text with them is about an OpenID sign-in, even when it names
// a SAML provider federated behind the IdP (Cognito, Auth0, Keycloak).
var oidcContext = []string{"redirect_uri", "id_token", "id token", "openid", "oidc", "oauth", "client_id", "jwks"}

// samlRows are the OpenID rows whose failure, in a SAML sign-in, is the
// SAML row's.
var samlRows = map[catalog.ID]catalog.ID{
	catalog.ClockSkew:               catalog.SAMLAssertionExpired,
	catalog.EmailClaimMissing:       catalog.SAMLEmailAttributeMissing,
	catalog.AudienceMismatch:        catalog.SAMLAudienceMismatch,
	catalog.IDTokenSignatureInvalid: catalog.SAMLSignatureInvalid,
	catalog.JWKSMismatch:            catalog.SAMLSignatureInvalid,
	catalog.RedirectMismatch:        catalog.SAMLRecipientMismatch,
}

// The words, in lower case, of a text about the token request (the code
// for tokens), about the authorization request or the IdP's page, about
// the refresh grant, and about the authorization code.
var (
	tokenExchange = []string{"token endpoint", "token_endpoint", "/token", "cannot fetch token", "code exchange", "token exchange",
		"exchange the code", "exchanging the code", "exchange the authorization code", "exchanging the authorization code", "token request",
		"redeem", "grant_type=authorization_code", "gettoken", "acquiretokenbyauthorizationcode"}
	authorizeSide = []string{"/authorize", "authorization request", "authorize endpoint", "authorization_endpoint", "sign-in page", "signin page", "login page", "response_type="}
	refreshSide   = []string{"refresh"}
	codeSide      = []string{"authorization code", "auth code", "code_verifier", "code verifier", "redirect_uri", "grant_type=authorization_code", "redeem"}
)

// containsAny reports whether lower holds one of the words.
func containsAny(lower string, words []string) bool {
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(lower, w) })
}

// bySide moves the hits to the side the text is about:
//   - in a SAML sign-in (SAML named, nothing of OpenID's), the OpenID
//     rows' failures are the SAML rows';
//   - a bare invalid_client at the token endpoint, where the client was
//     known at the authorization request, is a client that must
//     authenticate: public_client_disabled (catalog field notes: Okta's
//     "Client authentication failed", Cognito's bare invalid_client);
//   - a bare invalid_grant, or a vendor code of a grant refused (Entra's
//     AADSTS70000), about the code with no refresh named, is
//     the code exchange's own failure (idp_error, read with the vendor's
//     description), not a refresh token rejected.
//
// Only the generic OAuth error names and vendor codes move between the
// OpenID rows; a vendor's wording that names the row stays.
func bySide(text, lower string, hits []hit) []hit {
	saml := slices.ContainsFunc(hits, func(h hit) bool { _, ok := samlRows[h.row]; return ok }) &&
		containsAny(lower, samlContext) && !containsAny(lower, oidcContext)
	var exchange, authorize, refresh, code, checked bool
	for i := range hits {
		h := &hits[i]
		if saml {
			if to, ok := samlRows[h.row]; ok {
				h.row = to
			}
			continue
		}
		generic := h.oauth || h.meaning != "" // a generic name, or a vendor code
		if !generic || h.row != catalog.InvalidClient && h.row != catalog.RefreshTokenRejected {
			continue
		}
		if !checked {
			exchange, authorize = containsAny(lower, tokenExchange), containsAny(lower, authorizeSide)
			refresh, code = containsAny(lower, refreshSide), containsAny(lower, codeSide)
			checked = true
		}
		switch {
		case h.row == catalog.InvalidClient && h.oauth && exchange && !authorize && strings.EqualFold(text[h.start:h.end], "invalid_client"):
			h.row = catalog.PublicClientDisabled
		case h.row == catalog.RefreshTokenRejected && code && !refresh:
			h.row = catalog.IdPError
		}
	}
	return hits
}

// clockWords say that a time is off, not that a token's life ended.
var clockWords = []string{"clock", "skew", "not yet valid", "not valid yet", "nbf", "not before", "before issued", "iat", "system time", "ahead", "behind", "time zone", "timezone", "out of sync", "ntp"}

// refreshNear is how far (in bytes) from an expiry the word refresh puts
// it on the refresh.
const refreshNear = 120

// refreshRows are the rows of a failed refresh.
var refreshRows = []catalog.ID{catalog.RefreshTokenRejected, catalog.RefreshTokenMissing, catalog.RefreshIDTokenMissing, catalog.RefreshEmailMissing}

// expiredOnRefresh moves an expiry without a clock to the refresh: "token
// expired" near "refresh" (a refresh token that expired, "failed to
// refresh: token is expired") is the refresh's failure — the row another
// wording of the text names ("token expired and refresh token is not
// set" is refresh_token_missing), else the refresh token rejected. The
// clock is the cause only when the text says a time is off. lower is the
// text lower-cased offset for offset (alignedLower).
func expiredOnRefresh(lower string, hits []hit) []hit {
	if !slices.ContainsFunc(hits, func(h hit) bool { return h.row == catalog.ClockSkew }) ||
		slices.ContainsFunc(clockWords, func(w string) bool { return containsWord(lower, w) }) {
		return hits
	}
	to, best := catalog.RefreshTokenRejected, 0.0
	for _, h := range hits {
		if slices.Contains(refreshRows, h.row) && !h.clue && !h.nearest && h.score > best {
			to, best = h.row, h.score
		}
	}
	for i := range hits {
		h := &hits[i]
		if h.row != catalog.ClockSkew || h.clue || h.nearest {
			continue
		}
		from, end := max(h.start-refreshNear, 0), min(h.end+refreshNear, len(lower))
		if strings.Contains(lower[from:end], "refresh") {
			h.row = to
		}
	}
	return hits
}

// containsWord reports whether lower holds w as whole words ("iat", not
// the iat of "associated").
func containsWord(lower, w string) bool {
	for from := 0; ; {
		i := strings.Index(lower[from:], w)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(w)
		if (i == 0 || !isWordByte(lower[i-1])) && (end == len(lower) || !isWordByte(lower[end])) {
			return true
		}
		from = i + 1
	}
}
