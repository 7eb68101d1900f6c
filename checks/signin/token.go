package signin

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/oidc"
)

// signingAlgs are the algorithms an ID token may be signed with: asymmetric
// only, since a public client holds no shared secret.
var signingAlgs = []string{
	gooidc.RS256, gooidc.RS384, gooidc.RS512, gooidc.ES256, gooidc.ES384, gooidc.ES512, gooidc.PS256, gooidc.PS384, gooidc.PS512, gooidc.EdDSA,
}

// maxSkew is how far the IdP's and this machine's clocks may differ before
// time claims are blamed on the clock.
const maxSkew = checks.MaxClockSkew

// TokenCheck is what an ID token is validated against: the values as
// entered, as the desktop app validates it.
type TokenCheck struct {
	// Issuer is the Issuer URL as entered; iss must equal it exactly.
	Issuer string
	// ClientID is the Client ID as entered; aud must contain it.
	ClientID string
	// Nonce is the nonce sent; empty for a refreshed token, which need not carry one.
	Nonce string
	// JWKS is the key set at the entered JWKS URI; nil when it could not be read.
	JWKS *oidc.KeySet
	// DiscoveryJWKS is the key set at discovery's jwks_uri, to tell a key
	// from another server apart from an unknown one; nil when unknown.
	DiscoveryJWKS *oidc.KeySet
	// IdPDate is the IdP's clock, from the Date header of its token response;
	// zero when unknown.
	IdPDate time.Time
	// Now is this machine's clock. Nil means time.Now.
	Now func() time.Time
}

// DecodeJWT decodes a JWT's header and claims without verifying it. A
// token with an algorithm golang-jwt does not know is still decoded, so
// that the algorithm can be named.
func DecodeJWT(raw string) (*checks.DecodedJWT, error) {
	p := jwt.NewParser()
	tok, parts, err := p.ParseUnverified(raw, jwt.MapClaims{})
	if err == nil {
		return &checks.DecodedJWT{Header: tok.Header, Claims: tok.Claims.(jwt.MapClaims)}, nil
	}
	if !errors.Is(err, jwt.ErrTokenUnverifiable) || len(parts) != 3 {
		return nil, err
	}
	dec := &checks.DecodedJWT{}
	for i, dst := range []*map[string]any{&dec.Header, &dec.Claims} {
		b, derr := p.DecodeSegment(parts[i])
		if derr != nil {
			return nil, err
		}
		if jerr := json.Unmarshal(b, dst); jerr != nil {
			return nil, err
		}
	}
	return dec, nil
}

// ValidateIDToken validates raw as the desktop app would, with go-oidc and
// the values as entered. When validation fails, the unverified decode says
// exactly why. It returns the decoded token (nil if it is not a JWT) and
// the findings, titled with prefix.
func ValidateIDToken(ctx context.Context, raw string, tc TokenCheck, prefix string) (*checks.DecodedJWT, []checks.Finding) {
	now := time.Now
	if tc.Now != nil {
		now = tc.Now
	}
	title := func(s string) string { return prefix + s }
	dec, err := DecodeJWT(raw)
	if err != nil {
		return nil, []checks.Finding{checks.Problem(checks.Fail, catalog.TokenValidationFailure, title("is not a valid JWT")).
			WithDetail(strings.TrimPrefix(err.Error(), "token is malformed: ")).WithEvidence("a signed JWT (header.payload.signature)", describeShape(raw))}
	}
	var out []checks.Finding
	claims := dec.Claims

	alg, _ := dec.Header["alg"].(string)
	switch {
	case alg == "" || strings.EqualFold(alg, "none"):
		out = append(out, checks.Problem(checks.Fail, catalog.IDTokenSignatureInvalid, title("is unsigned (alg none)")).
			WithDetail("An unsigned ID token proves nothing; the desktop app rejects it.").WithEvidence("alg RS256 or another asymmetric algorithm", "alg "+checks.OrNone(alg)))
	case strings.HasPrefix(alg, "HS"):
		out = append(out, checks.Problem(checks.Fail, catalog.IDTokenSignatureInvalid, title("is signed with a shared secret ("+alg+")")).
			WithDetail("A public client has no secret to check an HMAC signature with; the IdP must sign ID tokens with its private key (RS256).").
			WithEvidence("RS256 (or another asymmetric algorithm)", alg).
			WithFix("Set the application's ID token signing algorithm to RS256."))
	case !slices.Contains(signingAlgs, alg):
		out = append(out, checks.Problem(checks.Fail, catalog.TokenValidationFailure, title("uses an unsupported algorithm")).
			WithEvidence(strings.Join(signingAlgs, ", "), alg))
	}

	iss, _ := claims["iss"].(string)
	if iss != tc.Issuer {
		f := checks.Problem(checks.Fail, catalog.TokenValidationFailure, title("was issued by another issuer than the one entered")).
			WithDetail("The desktop app compares iss with the Issuer URL entered, byte for byte.").WithEvidence(iss, tc.Issuer).
			WithFix("Recreate the extension access with the Issuer URL " + iss)
		if strings.HasSuffix(iss, "/v2.0") && strings.TrimSuffix(iss, "/v2.0") == strings.TrimRight(checks.Clean(tc.Issuer), "/") {
			f.Row, f.Title = catalog.InvalidIssuer, title("carries the /v2.0 issuer, and the Issuer URL entered lacks it")
			f.Detail = "Sign-in fails with \"Invalid issuer: " + iss + "\"."
		}
		out = append(out, f)
	}

	jc := jwt.MapClaims(claims)
	if aud, _ := jc.GetAudience(); !slices.Contains(aud, checks.Clean(tc.ClientID)) {
		out = append(out, checks.Problem(checks.Fail, catalog.AudienceMismatch, title("was issued to another client")).
			WithDetail("aud does not contain the Client ID entered.").WithEvidence(checks.Clean(tc.ClientID), fmt.Sprint(claims["aud"])))
	}

	kid, _ := dec.Header["kid"].(string)
	if tc.JWKS != nil && kid != "" {
		if _, ok := tc.JWKS.ByKID(kid); !ok {
			f := checks.Problem(checks.Fail, catalog.JWKSMismatch, title("is signed with a key the JWKS URI does not hold")).
				WithEvidence("a key with kid "+kid+" at "+tc.JWKS.URL, "kids "+strings.Join(tc.JWKS.KIDs(), ", "))
			if tc.DiscoveryJWKS != nil {
				if _, ok := tc.DiscoveryJWKS.ByKID(kid); ok && tc.DiscoveryJWKS.URL != tc.JWKS.URL {
					f.Detail = "The key is in the issuer's own key set (" + tc.DiscoveryJWKS.URL + "): the JWKS URI entered belongs to another authorization server."
					f.Fix = "Recreate the extension access with the JWKS URI " + tc.DiscoveryJWKS.URL
				} else {
					f.Detail = "The key is in neither the entered key set nor the issuer's (" + tc.DiscoveryJWKS.URL + "): the IdP signs this token with a key it does not publish at either URL."
				}
			}
			out = append(out, f)
		}
	}

	// Time, with the clock offset against the IdP measured where possible.
	t := now()
	offset := ""
	if !tc.IdPDate.IsZero() {
		d := t.Sub(tc.IdPDate).Round(time.Second)
		offset = fmt.Sprintf(" This machine's clock is %s %s the IdP's (from its Date header).", absDur(d), map[bool]string{true: "ahead of", false: "behind"}[d >= 0])
	}
	if exp, err := jc.GetExpirationTime(); err == nil && exp != nil && t.After(exp.Time) {
		out = append(out, checks.Problem(checks.Fail, catalog.ClockSkew, title("has expired")).
			WithDetail(fmt.Sprintf("It expired at %s, %s ago.%s", exp.UTC().Format(time.RFC3339), t.Sub(exp.Time).Round(time.Second), offset)).
			WithEvidence("exp after "+t.UTC().Format(time.RFC3339), "exp "+exp.UTC().Format(time.RFC3339)))
	}
	if nbf, err := jc.GetNotBefore(); err == nil && nbf != nil && nbf.After(t.Add(maxSkew)) {
		out = append(out, checks.Problem(checks.Fail, catalog.ClockSkew, title("is not valid yet (nbf in the future)")).
			WithDetail(fmt.Sprintf("nbf is %s ahead of this machine.%s", nbf.Sub(t).Round(time.Second), offset)).
			WithEvidence("nbf before "+t.UTC().Format(time.RFC3339), "nbf "+nbf.UTC().Format(time.RFC3339)))
	}
	if iat, err := jc.GetIssuedAt(); err == nil && iat != nil && iat.After(t.Add(maxSkew)) {
		out = append(out, checks.Problem(checks.Fail, catalog.ClockSkew, title("was issued in the future (iat)")).
			WithDetail(fmt.Sprintf("iat is %s ahead of this machine.%s", iat.Sub(t).Round(time.Second), offset)).
			WithEvidence("iat before "+t.UTC().Format(time.RFC3339), "iat "+iat.UTC().Format(time.RFC3339)))
	}

	if tc.Nonce != "" {
		if n, _ := claims["nonce"].(string); n != tc.Nonce {
			out = append(out, checks.Problem(checks.Fail, catalog.TokenValidationFailure, title("does not carry the nonce sent")).
				WithDetail("The nonce binds the ID token to this sign-in; a missing or different one means a replayed or mixed-up response.").
				WithEvidence("the nonce sent with this sign-in", checks.OrNone(n)))
		}
	}

	// go-oidc is the authority: it verifies the signature with the entered
	// keys, the issuer, the audience and the expiry.
	if tc.JWKS == nil {
		return dec, append(out, checks.Skipf("%sNot verified: the key set at the JWKS URI could not be read (see jwks.keys).", prefix))
	}
	var keys []crypto.PublicKey
	for _, k := range tc.JWKS.JOSE.Keys {
		keys = append(keys, k.Key)
	}
	verifier := gooidc.NewVerifier(tc.Issuer, &gooidc.StaticKeySet{PublicKeys: keys}, &gooidc.Config{
		ClientID: checks.Clean(tc.ClientID), SupportedSigningAlgs: signingAlgs, Now: now,
	})
	if _, err := verifier.Verify(ctx, raw); err != nil {
		if len(out) > 0 {
			return dec, out // already explained
		}
		f := checks.Problem(checks.Fail, catalog.TokenValidationFailure, title("fails validation")).WithEvidence("a valid ID token", err.Error())
		var expired *gooidc.TokenExpiredError
		switch {
		case errors.As(err, &expired):
			f.Row = catalog.ClockSkew
		case strings.Contains(err.Error(), "signature"):
			// The key set holds the kid (else a finding above named it): the
			// key is right, the signature is not.
			f.Row, f.Title = catalog.IDTokenSignatureInvalid, title("signature does not verify with the key its kid names")
			f.Detail = "The key set at the JWKS URI holds the key " + checks.OrNone(kid) + ", and the signature does not verify with it: the token was altered on its way (a proxy rewriting responses), or signed with another key under the same kid."
		}
		return dec, append(out, f)
	}
	if len(out) == 0 {
		f := checks.Passf("%svalidates with the values as entered", prefix)
		f.Detail = fmt.Sprintf("iss %s, aud %v, alg %s, kid %s, signature verified with the key set at %s.", iss, claims["aud"], alg, checks.OrNone(kid), tc.JWKS.URL)
		out = append(out, f)
	}
	return dec, out
}

// describeShape says what a non-JWT looks like without printing it.
func describeShape(raw string) string {
	return fmt.Sprintf("%d characters in %d dot-separated parts", len(raw), strings.Count(raw, ".")+1)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
