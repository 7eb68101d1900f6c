package signin_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/checks/signin"
)

const (
	tIssuer   = "https://idp.example.test/oauth2/default"
	tClientID = "0oa1quickdiagtest0x7"
	tNonce    = "n-0S6_WzA2Mj"
)

type testKeys struct {
	rsa      *rsa.PrivateKey
	other    *rsa.PrivateKey
	entered  *oidc.KeySet // holds rsa as "k1"
	issuers  *oidc.KeySet // the issuer's set: rsa as "k1" and other as "k2"
	ec       *ecdsa.PrivateKey
	now      time.Time
	template jwt.MapClaims
}

func newKeys(t *testing.T) *testKeys {
	t.Helper()
	k := &testKeys{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	k.rsa, _ = rsa.GenerateKey(rand.Reader, 2048)
	k.other, _ = rsa.GenerateKey(rand.Reader, 2048)
	k.ec, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwk := func(key any, kid string) jose.JSONWebKey { return jose.JSONWebKey{Key: key, KeyID: kid, Use: "sig"} }
	k.entered = &oidc.KeySet{URL: tIssuer + "/v1/keys", Keys: []oidc.Key{{KID: "k1", Kty: "RSA"}, {KID: "e1", Kty: "EC"}},
		JOSE: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk(&k.rsa.PublicKey, "k1"), jwk(&k.ec.PublicKey, "e1")}}}
	k.issuers = &oidc.KeySet{URL: tIssuer + "/v1/keys-of-discovery", Keys: []oidc.Key{{KID: "k1", Kty: "RSA"}, {KID: "k2", Kty: "RSA"}}}
	k.template = jwt.MapClaims{
		"iss": tIssuer, "aud": tClientID, "sub": "00u1", "nonce": tNonce, "email": "alice@example.com",
		"iat": k.now.Add(-time.Minute).Unix(), "exp": k.now.Add(time.Hour).Unix(),
	}
	return k
}

func (k *testKeys) sign(t *testing.T, method jwt.SigningMethod, key any, kid string, edit func(jwt.MapClaims)) string {
	t.Helper()
	claims := jwt.MapClaims{}
	for n, v := range k.template {
		claims[n] = v
	}
	if edit != nil {
		edit(claims)
	}
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (k *testKeys) check() signin.TokenCheck {
	return signin.TokenCheck{Issuer: tIssuer, ClientID: tClientID, Nonce: tNonce, JWKS: k.entered, DiscoveryJWKS: k.issuers,
		Now: func() time.Time { return k.now }}
}

func TestValidateIDToken(t *testing.T) {
	k := newKeys(t)
	pubDER, _ := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name  string
		raw   func() string
		edit  func(*signin.TokenCheck)
		row   catalog.ID
		title string
	}{
		{"valid RS256", func() string { return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", nil) }, nil, "", "validates"},
		{"valid ES256", func() string { return k.sign(t, jwt.SigningMethodES256, k.ec, "e1", nil) }, nil, "", "validates"},
		{"wrong iss", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["iss"] = "https://idp.example.test" })
		}, nil, "token_validation_failure", "another issuer"},
		{"entra /v2.0 iss", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["iss"] = tIssuer + "/v2.0" })
		}, nil, "invalid_issuer", "/v2.0"},
		{"wrong aud", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["aud"] = []string{"another-app"} })
		}, nil, "audience_mismatch", "another client"},
		{"expired", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["exp"] = k.now.Add(-10 * time.Minute).Unix() })
		}, func(tc *signin.TokenCheck) { tc.IdPDate = k.now.Add(-9 * time.Minute) }, "clock_skew", "expired"},
		{"issued in the future", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["iat"] = k.now.Add(20 * time.Minute).Unix() })
		}, nil, "clock_skew", "future"},
		{"alg none", func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, k.template).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}, nil, "id_token_signature_invalid", "unsigned"},
		{"HS256 signed with the public key", func() string {
			return k.sign(t, jwt.SigningMethodHS256, pubDER, "k1", nil)
		}, nil, "id_token_signature_invalid", "shared secret"},
		{"unknown alg", func() string {
			h := b64([]byte(`{"alg":"XYZ256","kid":"k1"}`))
			return h + "." + b64([]byte(`{"iss":"`+tIssuer+`","aud":"`+tClientID+`","nonce":"`+tNonce+`"}`)) + ".c2ln"
		}, nil, "token_validation_failure", "unsupported algorithm"},
		{"kid of the issuer's other key", func() string { return k.sign(t, jwt.SigningMethodRS256, k.other, "k2", nil) }, nil, "jwks_mismatch", "does not hold"},
		{"kid unknown anywhere", func() string { return k.sign(t, jwt.SigningMethodRS256, k.other, "k9", nil) }, nil, "jwks_mismatch", "does not hold"},
		{"bad signature", func() string { return k.sign(t, jwt.SigningMethodRS256, k.other, "k1", nil) }, nil, "id_token_signature_invalid", "signature"},
		{"tampered payload", func() string {
			parts := strings.Split(k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", nil), ".")
			parts[1] = b64([]byte(`{"iss":"` + tIssuer + `","aud":"` + tClientID + `","nonce":"` + tNonce + `","exp":9999999999,"email":"mallory@example.com"}`))
			return strings.Join(parts, ".")
		}, nil, "id_token_signature_invalid", "signature"},
		{"nonce mismatch", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["nonce"] = "replayed" })
		}, nil, "token_validation_failure", "nonce"},
		{"no nonce needed on refresh", func() string {
			return k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { delete(c, "nonce") })
		}, func(tc *signin.TokenCheck) { tc.Nonce = "" }, "", "validates"},
		{"two segments", func() string { return "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0" }, nil, "token_validation_failure", "not a valid JWT"},
		{"garbage segments", func() string { return "a.b.c" }, nil, "token_validation_failure", "not a valid JWT"},
		{"empty", func() string { return "" }, nil, "token_validation_failure", "not a valid JWT"},
		{"payload not JSON", func() string { return b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte("not json")) + ".c2ln" }, nil, "token_validation_failure", "not a valid JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := k.check()
			if tt.edit != nil {
				tt.edit(&tc)
			}
			raw := tt.raw()
			_, fs := signin.ValidateIDToken(context.Background(), raw, tc, "ID token ")
			if len(fs) == 0 {
				t.Fatal("no findings")
			}
			var ok bool
			for _, f := range fs {
				if tt.row == "" && f.Status == checks.Pass && strings.Contains(f.Title, tt.title) {
					ok = true
				}
				if tt.row != "" && f.Status == checks.Fail && f.Row == tt.row && strings.Contains(f.Title+f.Detail, tt.title) {
					ok = true
				}
				if tt.row != "" && f.Status == checks.Pass {
					t.Errorf("a pass among the findings of a bad token: %+v", f)
				}
				if strings.Contains(f.Detail, "rotated") {
					t.Errorf("a cause nobody observed: %s", f.Detail)
				}
				if raw != "" && strings.Contains(f.Title+f.Detail+evidence(f), raw) {
					t.Error("the raw token appears in a finding")
				}
			}
			if !ok {
				t.Errorf("want %q %q; got:\n%s", tt.row, tt.title, dumpFindings(fs))
			}
		})
	}
}

func evidence(f checks.Finding) string {
	if f.Evidence == nil {
		return ""
	}
	return f.Evidence.Expected + f.Evidence.Got
}

func TestClockOffsetIsMeasured(t *testing.T) {
	k := newKeys(t)
	tc := k.check()
	tc.IdPDate = k.now.Add(-7 * time.Minute)
	raw := k.sign(t, jwt.SigningMethodRS256, k.rsa, "k1", func(c jwt.MapClaims) { c["exp"] = k.now.Add(-5 * time.Minute).Unix() })
	_, fs := signin.ValidateIDToken(context.Background(), raw, tc, "")
	if !strings.Contains(dumpFindings(fs), "7m0s ahead of the IdP's") {
		t.Errorf("offset not shown:\n%s", dumpFindings(fs))
	}
}
