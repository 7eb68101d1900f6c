package triage

import (
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// The same words mean different rows on different sides of a sign-in. The
// rules here move a match to the row of the side the text is about: the
// SAML sign-in of the web app, or the token exchange rather than the
// authorization request or the refresh.

// samlContext is a text about a SAML sign-in: the protocol, or an element
// of an assertion, named.
var samlContext = regexp.MustCompile(`(?i)\bSAML(2|Response|Request)?\b|\bNotOnOrAfter\b|\bSubjectConfirmation(Data)?\b|\bAudienceRestriction\b|\bAssertion ?Consumer\b|\bNameID(Policy)?\b|\bsaml2?p?:`)

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

// tokenExchange is a text about the token request (the code for tokens);
// authorizeSide one about the authorization request or the IdP's page;
// refreshSide one about the refresh grant.
var (
	tokenExchange = regexp.MustCompile(`(?i)\btoken endpoint\b|\btoken_endpoint\b|/token\b|\bcannot fetch token\b|\b(code|token) exchange\b|\bexchang(e|ing) (the )?(authorization )?code\b|\btoken request\b|\bredeem(ing)? (the )?(authorization )?code\b|\bgrant_type=authorization_code\b|\bgetToken\b|\bAcquireTokenByAuthorizationCode\b`)
	authorizeSide = regexp.MustCompile(`(?i)/authorize\b|\bauthorization request\b|\bauthorize endpoint\b|\bauthorization_endpoint\b|\bsign-?in page\b|\blogin page\b|\bresponse_type=`)
	refreshSide   = regexp.MustCompile(`(?i)\brefresh`)
	codeSide      = regexp.MustCompile(`(?i)\b(authorization|auth) code\b|\bcode_verifier\b|\bcode verifier\b|\bredirect_uri\b|\bgrant_type=authorization_code\b|\bredeem`)
)

// bySide moves the hits to the side the text is about:
//   - in a SAML sign-in, the OpenID rows' failures are the SAML rows';
//   - a bare invalid_client at the token endpoint, where the client was
//     known at the authorization request, is a client that must
//     authenticate: public_client_disabled (catalog field notes: Okta's
//     "Client authentication failed", Cognito's bare invalid_client);
//   - a bare invalid_grant about the code, with no refresh named, is the
//     code exchange's own failure (idp_error, read with the description),
//     not a refresh token rejected.
//
// Only the generic OAuth error names move between the OpenID rows; a
// vendor's wording that names the row stays.
func bySide(text string, hits []hit) []hit {
	saml := samlContext.MatchString(text)
	var exchange, authorize, refresh, code, checked bool
	for i := range hits {
		h := &hits[i]
		if saml {
			if to, ok := samlRows[h.row]; ok {
				h.row = to
			}
			continue
		}
		if !h.oauth || h.row != catalog.InvalidClient && h.row != catalog.RefreshTokenRejected {
			continue
		}
		if !checked {
			exchange, authorize = tokenExchange.MatchString(text), authorizeSide.MatchString(text)
			refresh, code = refreshSide.MatchString(text), codeSide.MatchString(text)
			checked = true
		}
		switch {
		case h.row == catalog.InvalidClient && exchange && !authorize && strings.EqualFold(text[h.start:h.end], "invalid_client"):
			h.row = catalog.PublicClientDisabled
		case h.row == catalog.RefreshTokenRejected && code && !refresh:
			h.row = catalog.IdPError
		}
	}
	return hits
}
