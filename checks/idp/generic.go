package idp

import "github.com/quickdiag/quickdiag/checks"

// Generic is any other OpenID provider: everything is compared with its
// discovery document.
var Generic = &checks.IdP{
	ID:   "generic",
	Name: "Other OIDC provider",
	Guide: checks.Guide{
		Needs:    []string{"The IdP's discovery document (<issuer>/.well-known/openid-configuration)"},
		Requires: []string{"Copy issuer, authorization_endpoint, token_endpoint and jwks_uri verbatim from the discovery document."},
		Where:    map[checks.FieldKey]string{},
	},
}
