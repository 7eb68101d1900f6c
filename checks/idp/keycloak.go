package idp

import "github.com/quickdiag/quickdiag/checks"

// Keycloak is Keycloak (and Red Hat build of Keycloak), self-hosted, one
// realm per issuer.
var Keycloak = &checks.IdP{ID: "keycloak", Name: "Keycloak"}
