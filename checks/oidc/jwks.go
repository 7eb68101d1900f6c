package oidc

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Key describes one key of a key set, as far as diagnosis needs.
type Key struct {
	KID string `json:"kid,omitempty"`
	Kty string `json:"kty,omitempty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
	// Thumbprint is the RFC 7638 SHA-256 thumbprint, which identifies the
	// key material whatever its kid.
	Thumbprint string `json:"thumbprint,omitempty"`
	// Problem says why the key is unusable; empty for a usable public key.
	Problem string `json:"problem,omitempty"`
	// Private lists the private members the key publishes (d, p, q, k…).
	Private []string `json:"private,omitempty"`
}

// Signing reports whether the key can verify signatures.
func (k Key) Signing() bool { return k.Problem == "" && (k.Use == "" || k.Use == "sig") }

// KeySet is a fetched JSON Web Key Set.
type KeySet struct {
	URL  string
	Keys []Key
	// JOSE holds the usable keys, for verification.
	JOSE jose.JSONWebKeySet
}

// SigningKeys returns the keys that can verify signatures.
func (s *KeySet) SigningKeys() []Key {
	var out []Key
	for _, k := range s.Keys {
		if k.Signing() {
			out = append(out, k)
		}
	}
	return out
}

// ByKID returns the signing key with the given kid.
func (s *KeySet) ByKID(kid string) (Key, bool) {
	for _, k := range s.SigningKeys() {
		if k.KID == kid {
			return k, true
		}
	}
	return Key{}, false
}

// KIDs returns the kids of the signing keys.
func (s *KeySet) KIDs() []string {
	var out []string
	for _, k := range s.SigningKeys() {
		kid := k.KID
		if kid == "" {
			kid = "(no kid)"
		}
		out = append(out, kid)
	}
	return out
}

// FetchKeySet fetches and decodes a key set. Each key is decoded on its own,
// so that one bad key is reported rather than spoiling the set.
func FetchKeySet(ctx context.Context, f *Fetcher, rawURL string) (*KeySet, error) {
	if rawURL == "" {
		return nil, &DiscoveryError{Msg: "no JWKS URI was entered", Row: catalog.JWKSMismatch}
	}
	resp, err := f.Get(ctx, rawURL, "application/json, application/jwk-set+json")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if de := DecodeJSON(resp, &doc, "key set"); de != nil {
		de.Row = catalog.JWKSMismatch
		return nil, de
	}
	if doc.Keys == nil {
		return nil, &DiscoveryError{URL: resp.URL, Msg: resp.URL + " returned JSON without a \"keys\" array: it is not a JSON Web Key Set", Row: catalog.JWKSMismatch}
	}
	set := &KeySet{URL: resp.URL}
	for i, raw := range doc.Keys {
		set.Keys = append(set.Keys, decodeKey(i, raw, &set.JOSE))
	}
	return set, nil
}

func decodeKey(i int, raw json.RawMessage, into *jose.JSONWebKeySet) Key {
	var head struct {
		KID string `json:"kid"`
		Kty string `json:"kty"`
		Alg string `json:"alg"`
		Use string `json:"use"`
	}
	_ = json.Unmarshal(raw, &head)
	k := Key{KID: head.KID, Kty: head.Kty, Alg: head.Alg, Use: head.Use}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(raw, &members)
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := members[m]; ok {
			k.Private = append(k.Private, m)
		}
	}
	if len(k.Private) > 0 {
		k.Problem = fmt.Sprintf("key %d publishes private key material (%s)", i+1, strings.Join(k.Private, ", "))
		return k
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		k.Problem = fmt.Sprintf("key %d cannot be decoded: %v", i+1, strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
		return k
	}
	if !jwk.Valid() {
		k.Problem = fmt.Sprintf("key %d is not a valid key", i+1)
		return k
	}
	if !jwk.IsPublic() {
		k.Problem = fmt.Sprintf("key %d is a private or symmetric key: a key set must publish public keys only", i+1)
		return k
	}
	if tp, err := jwk.Thumbprint(crypto.SHA256); err == nil {
		k.Thumbprint = base64.RawURLEncoding.EncodeToString(tp)
	}
	into.Keys = append(into.Keys, jwk)
	return k
}

// JWKSKeys reads the key set at the JWKS URI.
var JWKSKeys = &checks.Check{
	ID:     "jwks.keys",
	Title:  "JWKS URI serves signing keys",
	Doc:    "Fetches the JWKS URI as entered and checks that it is a JSON Web Key Set with at least one usable public signing key.",
	Phase:  checks.PhaseKeys,
	Values: []checks.FieldKey{checks.JWKSURI},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		set, err := JWKSOf(ctx, p)
		if err != nil {
			f := FetchFailure("The JWKS URI does not serve a key set", err).WithEvidence("a JSON Web Key Set at "+checks.Clean(p.Config.JWKSURI), err.Error())
			if _, ok := err.(*DiscoveryError); ok {
				f.Row = catalog.JWKSMismatch
			}
			return []checks.Finding{f}
		}
		var out, private []checks.Finding
		unusable := 0
		for _, k := range set.Keys {
			switch {
			case len(k.Private) > 0:
				private = append(private, checks.Problem(checks.Fail, catalog.JWKSPrivateKey, "The key set publishes a private key").
					WithDetail(fmt.Sprintf("Key %s carries the private members %s: anyone who reads the key set can sign tokens the desktop app accepts.", checks.OrNone(k.KID), strings.Join(k.Private, ", "))).
					WithEvidence("public keys only (kty, n, e, x, y, crv)", "members "+strings.Join(k.Private, ", ")))
			case k.Problem != "":
				unusable++
				if unusable <= 5 {
					out = append(out, checks.Problem(checks.Warn, catalog.JWKSMismatch, "A key in the set is unusable").WithDetail(k.Problem))
				}
			}
		}
		if unusable > 5 {
			out = append(out, checks.Problem(checks.Warn, catalog.JWKSMismatch, fmt.Sprintf("%d more keys in the set are unusable", unusable-5)).
				WithDetail("The first five are listed above."))
		}
		if len(private) > 5 {
			private = append(private[:5], checks.Problem(checks.Fail, catalog.JWKSPrivateKey, fmt.Sprintf("%d more keys publish private key material", len(private)-5)))
		}
		out = append(private, out...)
		if len(set.SigningKeys()) == 0 {
			return append(out, checks.Problem(checks.Fail, catalog.JWKSMismatch, "The key set holds no usable signing key").
				WithEvidence("at least one public signing key", fmt.Sprintf("%d keys, none usable for signatures", len(set.Keys))))
		}
		return append([]checks.Finding{checks.Passf("The JWKS URI serves %d signing key(s): %s", len(set.SigningKeys()), strings.Join(set.KIDs(), ", "))}, out...)
	},
}

// JWKSSameKeys compares the key set with the issuer's.
var JWKSSameKeys = &checks.Check{
	ID:       "jwks.same_keys",
	Title:    "JWKS URI is the issuer's key set",
	Doc:      "Compares the JWKS URI as entered with discovery's jwks_uri. When they differ, compares the two key sets by key thumbprint: a set without the issuer's keys cannot validate its tokens.",
	Phase:    checks.PhaseKeys,
	Values:   []checks.FieldKey{checks.Issuer, checks.JWKSURI},
	Requires: []*checks.Input{DiscoveryInput},
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		d, _ := DiscoveryOf(ctx, p)
		entered := p.Config.JWKSURI
		if d.JWKSURI == "" {
			return []checks.Finding{checks.Skipf("Not run: the discovery document has no jwks_uri")}
		}
		if entered == d.JWKSURI {
			return []checks.Finding{checks.Passf("JWKS URI is exactly discovery's jwks_uri")}
		}
		base := checks.Problem(checks.Fail, catalog.JWKSMismatch, "JWKS URI differs from discovery's jwks_uri").WithEvidence(d.JWKSURI, entered).
			WithFix("Recreate the extension access with the JWKS URI copied verbatim from discovery: " + d.JWKSURI)
		if checks.Clean(entered) == d.JWKSURI {
			return []checks.Finding{base.WithDetail("Only stray characters differ, but the console stores them as typed.")}
		}
		theirs, err := DiscoveryJWKSOf(ctx, p)
		if err != nil {
			return []checks.Finding{base.WithDetail("The issuer's own key set could not be read to compare: " + err.Error())}
		}
		ours, err := JWKSOf(ctx, p)
		if err != nil {
			return []checks.Finding{base.WithDetail("The entered JWKS URI does not serve a key set (see jwks.keys).")}
		}
		have := map[string]bool{}
		for _, k := range ours.SigningKeys() {
			have[k.Thumbprint] = true
		}
		var missing []string
		for _, k := range theirs.SigningKeys() {
			if !have[k.Thumbprint] {
				missing = append(missing, checks.OrNone(k.KID))
			}
		}
		switch {
		case len(missing) == 0:
			base.Status = checks.Warn
			base.Detail = "It serves the same keys as the issuer's set today, but it is another URL; it may diverge when keys rotate."
		case len(missing) == len(theirs.SigningKeys()):
			base.Detail = fmt.Sprintf("None of the issuer's signing keys (%s) is in the entered set (%s): it belongs to another authorization server, and every token fails validation.",
				strings.Join(theirs.KIDs(), ", "), strings.Join(ours.KIDs(), ", "))
		default:
			base.Detail = fmt.Sprintf("The entered set lacks %d of the issuer's signing keys (%s): tokens signed with them fail validation.", len(missing), strings.Join(missing, ", "))
		}
		return []checks.Finding{base}
	},
}
