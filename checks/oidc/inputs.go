package oidc

import (
	"context"
	"fmt"
	"net/http"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// The shared inputs of the OIDC checks: each is fetched once per run,
// however many checks need it.
var (
	// DiscoveryInput is the discovery document of the Issuer URL entered.
	DiscoveryInput = &checks.Input{Name: "the discovery document", ReportedBy: "discovery.fetch", Load: loadDiscovery}
	// JWKSInput is the key set at the JWKS URI entered.
	JWKSInput = &checks.Input{Name: "the key set at the JWKS URI", ReportedBy: "jwks.keys", Load: loadJWKS}
	// DiscoveryJWKSInput is the key set at discovery's jwks_uri.
	DiscoveryJWKSInput = &checks.Input{Name: "the key set at discovery's jwks_uri", ReportedBy: "jwks.same_keys", Load: loadDiscoveryJWKS}
)

// FetcherOf returns a fetcher with the target's client and request bound.
func FetcherOf(t *checks.Target) *Fetcher {
	return &Fetcher{Client: t.Client, Timeout: t.RequestTimeout}
}

// AuthorityIssuer returns the issuer whose discovery document the checks
// read: the Issuer URL entered, or the one the IdP names the authority.
func AuthorityIssuer(t *checks.Target) string {
	if t.IdP != nil && t.IdP.DiscoveryIssuer != nil {
		return t.IdP.DiscoveryIssuer(t.Config.Issuer)
	}
	return t.Config.Issuer
}

func loadDiscovery(ctx context.Context, t *checks.Target) (any, error) {
	d, err := FetchDiscovery(ctx, FetcherOf(t), AuthorityIssuer(t))
	if de, ok := err.(*DiscoveryError); ok && t.IdP != nil && t.IdP.TenantInIssuer &&
		(de.Status == http.StatusBadRequest || de.Status == http.StatusNotFound) {
		// Entra answers an unknown tenant with 400, PingOne an unknown environment with 404.
		de.Row = catalog.UnknownTenant
	}
	return d, err
}

func loadJWKS(ctx context.Context, t *checks.Target) (any, error) {
	return FetchKeySet(ctx, FetcherOf(t), checks.Clean(t.Config.JWKSURI))
}

func loadDiscoveryJWKS(ctx context.Context, t *checks.Target) (any, error) {
	d, err := DiscoveryOf(ctx, t)
	if err != nil {
		return nil, err
	}
	return FetchKeySet(ctx, FetcherOf(t), d.JWKSURI)
}

// DiscoveryOf returns the target's discovery document, fetching it on first use.
func DiscoveryOf(ctx context.Context, t *checks.Target) (*Discovery, error) {
	v, err := t.Get(ctx, DiscoveryInput)
	if err != nil {
		return nil, err
	}
	return v.(*Discovery), nil
}

// JWKSOf returns the key set at the entered JWKS URI, fetching it on first use.
func JWKSOf(ctx context.Context, t *checks.Target) (*KeySet, error) {
	v, err := t.Get(ctx, JWKSInput)
	if err != nil {
		return nil, err
	}
	return v.(*KeySet), nil
}

// DiscoveryJWKSOf returns the key set at discovery's jwks_uri. When that is
// the entered JWKS URI, it is the same fetch.
func DiscoveryJWKSOf(ctx context.Context, t *checks.Target) (*KeySet, error) {
	d, err := DiscoveryOf(ctx, t)
	if err != nil {
		return nil, err
	}
	if d.JWKSURI == "" {
		return nil, fmt.Errorf("the discovery document has no jwks_uri")
	}
	if d.JWKSURI == checks.Clean(t.Config.JWKSURI) {
		return JWKSOf(ctx, t)
	}
	v, err := t.Get(ctx, DiscoveryJWKSInput)
	if err != nil {
		return nil, err
	}
	return v.(*KeySet), nil
}
