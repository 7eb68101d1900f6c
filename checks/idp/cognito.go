package idp

import (
	"context"
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Cognito is an Amazon Cognito user pool behind the scope-stripping proxy:
// Cognito has no offline_access scope, and the desktop app always sends it.
var Cognito = &checks.IdP{
	ID:        "cognito",
	Codes:     "cognito.tsv",
	Name:      "Amazon Cognito (via proxy)",
	MatchHost: isCognitoHost,
	Markers:   []string{"amazoncognito.com", "cognito"},
	Hosted:    true,
	// The issuer and keys are the pool's; the authorization and token
	// endpoints are the proxy's, which discovery cannot know.
	IssuerNoSlash:          true,
	OfflineAccessNotListed: true,
	Proxied: func(endpoint string) bool {
		u := checks.ParseURL(endpoint)
		return checks.Clean(endpoint) != "" && (u == nil || !isCognitoHost(strings.ToLower(u.Hostname())))
	},
	AuthorizeErrors: map[string]catalog.ID{"invalid_scope": catalog.CognitoOfflineAccess},
	Guide: checks.Guide{
		Needs: []string{"The scope-stripping proxy stack deployed", "Its outputs: IssuerUrl, AuthEndpoint, TokenEndpoint, JwksUri, ClientId"},
		Requires: []string{
			"Cognito has no offline_access scope and the app always sends it: the authorization and token endpoints must be the proxy's.",
			"A public app client with callback URL http://localhost:18080; users synced with emails identical to the account's.",
		},
		Where: map[checks.FieldKey]string{
			checks.Issuer:                "Stack output IssuerUrl (https://cognito-idp.<region>.amazonaws.com/<pool id>).",
			checks.AuthorizationEndpoint: "Stack output AuthEndpoint (the proxy).",
			checks.TokenEndpoint:         "Stack output TokenEndpoint (the proxy).",
			checks.JWKSURI:               "Stack output JwksUri.",
			checks.ClientID:              "Stack output ClientId.",
		},
	},
	Fixes: map[catalog.ID]string{
		catalog.RedirectMismatch:     "In the user pool app client, Allowed callback URLs: add exactly http://localhost:18080.",
		catalog.PublicClientDisabled: "Use an app client without a client secret (public client).",
		catalog.RefreshTokenMissing:  "Cognito issues refresh tokens for the authorization code grant; check that the proxy passes them through.",
	},
	Checks: []*checks.Check{checkCognitoProxy},
	Wordings: []checks.Wording{
		{Row: catalog.CognitoOfflineAccess, Pattern: `(amazoncognito|cognito).{0,300}invalid_scope|invalid_scope.{0,300}(amazoncognito|cognito)`,
			Example: "https://acme.auth.us-east-1.amazoncognito.com/error?error=invalid_scope&client_id=3dkq…", Weight: 0.95},
		// Cognito API messages (NotAuthorizedException, ResourceNotFoundException).
		{Row: catalog.InvalidClient, Pattern: `User pool client \S{1,80} does not exist`,
			Example: "ResourceNotFoundException: User pool client 3dkq4example does not exist."},
		// An app client with a secret: a public client sends no SECRET_HASH.
		{Row: catalog.PublicClientDisabled, Pattern: `Unable to verify secret hash for client|configured with secret but SECRET_HASH was not received|SecretHash does not match`,
			Example: "NotAuthorizedException: Unable to verify secret hash for client 3dkq4example", Weight: 0.9},
	},
}

func isCognitoHost(h string) bool {
	return strings.HasPrefix(h, "cognito-idp.") && strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".amazoncognito.com")
}

var cognitoIssuerRE = regexp.MustCompile(`^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([a-z0-9-]+)_([A-Za-z0-9]+)$`)

var checkCognitoProxy = &checks.Check{
	ID:      "cognito.proxy",
	Title:   "Cognito endpoints go through the scope-stripping proxy",
	Doc:     "The desktop app always asks for offline_access, which Cognito rejects (invalid_scope); the authorization and token endpoints must be the proxy's. The issuer and JWKS URI stay Cognito's user-pool URLs, in the pool's region.",
	Phase:   checks.PhaseValues,
	Applies: is("cognito"),
	Run: func(ctx context.Context, p *checks.Target) []checks.Finding {
		c := p.Config
		var out []checks.Finding
		for _, f := range urlFields(c)[1:3] {
			h := checks.HostOf(f.Value)
			if strings.HasSuffix(h, ".amazoncognito.com") || (strings.HasPrefix(h, "cognito-idp.") && strings.HasSuffix(h, ".amazonaws.com")) {
				out = append(out, checks.Problem(checks.Fail, catalog.CognitoOfflineAccess, f.Label+" points straight at Cognito").
					WithDetail("The desktop app sends scope offline_access, which Cognito does not have: Cognito answers invalid_scope. Only the proxy strips it.").
					WithEvidence("the proxy's endpoint (stack output "+map[checks.FieldKey]string{checks.AuthorizationEndpoint: "AuthEndpoint", checks.TokenEndpoint: "TokenEndpoint"}[f.Key]+")", f.Value))
			}
		}
		iss := checks.Clean(c.Issuer)
		m := cognitoIssuerRE.FindStringSubmatch(iss)
		standIn := checks.OnLoopback(iss)
		if standIn {
			// A practice IdP on loopback stands in for Cognito: the pool's shape, not its host.
			path := checks.ParseURL(iss).Path
			region, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "_")
			m = cognitoIssuerRE.FindStringSubmatch("https://cognito-idp." + region + ".amazonaws.com" + path)
		}
		switch {
		case iss == "":
		case m == nil:
			out = append(out, checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL is not a Cognito user pool issuer").
				WithEvidence("https://cognito-idp.<region>.amazonaws.com/<region>_<pool>", c.Issuer).
				WithFix("Use the stack output IssuerUrl."))
		case m[1] != m[2]:
			out = append(out, checks.Problem(checks.Fail, catalog.TokenValidationFailure, "Issuer URL's region differs from the pool ID's region").
				WithEvidence("https://cognito-idp."+m[2]+".amazonaws.com/"+m[2]+"_"+m[3], c.Issuer))
		case checks.Clean(c.JWKSURI) != iss+"/.well-known/jwks.json":
			out = append(out, checks.Problem(checks.Fail, catalog.JWKSMismatch, "JWKS URI is not the pool's key set").
				WithEvidence(iss+"/.well-known/jwks.json", c.JWKSURI).WithFix("Use the stack output JwksUri."))
		}
		if len(out) == 0 && standIn {
			return []checks.Finding{checks.Passf("Endpoints are the proxy's; issuer and keys are in the user pool's shape (the host, on this machine's loopback, taken as a stand-in)")}
		}
		if len(out) == 0 {
			return []checks.Finding{checks.Passf("Endpoints are the proxy's; issuer and keys are the user pool's")}
		}
		return out
	},
}
