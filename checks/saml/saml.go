// Package saml analyzes SAML single sign-on to the Amazon Q Business web
// app (seed 003: Entra ID over SAML): the IdP's Federation Metadata XML,
// optionally a SAML response captured from a failed sign-in (base64 as
// posted, raw XML, or a HAR or SAML-tracer export holding it), and the
// application's side (its identity provider configuration, or flags).
//
// It names which claim, identifier, URL, certificate or time is wrong. A
// value is read from a response only when a signature verified the element
// it sits in; what could not be checked is a skip finding saying why.
//
// One file per concern: input.go reads and bounds the inputs, metadata.go
// the IdP metadata and its certificates, app.go the application's
// configuration, verify.go the signatures, response.go the response's
// contents, claims.go the attribute names Entra uses.
package saml

import (
	"time"

	"github.com/quickdiag/quickdiag/checks"
)

// Skew is the clock difference allowed either side of an assertion's
// validity window.
const Skew = 3 * time.Minute

// ExpiryWarning is how long before a signing certificate expires that
// quickdiag warns.
const ExpiryWarning = 30 * 24 * time.Hour

// NameIDUnspecified is the NameID format the seed's Entra setup configures.
const NameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

// Inputs is what Analyze reads. Only Metadata is required.
type Inputs struct {
	// Metadata is the IdP's SAML 2.0 metadata (Entra's Federation Metadata
	// XML).
	Metadata checks.File
	// Response is a SAMLResponse: base64 as posted (also the form value
	// SAMLResponse=…), raw XML, or a HAR or SAML-tracer export holding
	// one. Nil: the response checks are skipped.
	Response *checks.File
	// App is the JSON of the application's identity provider configuration
	// ('aws qbusiness get-web-experience' and the like). Nil: only the
	// fields below describe the application.
	App *checks.File
	// EntityID, ACSURL, EmailAttribute and GroupAttribute describe the
	// application; each overrides the App file's value when not empty.
	EntityID, ACSURL, EmailAttribute, GroupAttribute string
	// Now is the time the response's validity and the certificates'
	// dates are checked against; zero means time.Now.
	Now time.Time
}

// Check ids of the findings, in the order they are reported.
const (
	CheckMetadata    = "saml.metadata"
	CheckCertificate = "saml.certificate"
	CheckAppMetadata = "saml.app_metadata"
	CheckStatus      = "saml.status"
	CheckSignature   = "saml.signature"
	CheckAudience    = "saml.audience"
	CheckRecipient   = "saml.recipient"
	CheckValidity    = "saml.validity"
	CheckNameID      = "saml.nameid"
	CheckEmail       = "saml.email"
	CheckGroup       = "saml.group"
)

// Analyze checks the metadata, the response and the application's side
// against each other. It returns a *checks.InputError for input it cannot
// read (not XML, not SAML, too large, a DOCTYPE); everything else is a
// finding.
func Analyze(in Inputs) (*checks.Analysis, error) {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	md, err := readMetadata(in.Metadata)
	if err != nil {
		return nil, err
	}
	sp := app{}
	if in.App != nil {
		if sp, err = readApp(*in.App); err != nil {
			return nil, err
		}
	}
	sp.override(in)
	var resp *response
	if in.Response != nil {
		if resp, err = readResponse(*in.Response); err != nil {
			return nil, err
		}
	}
	names := []string{in.Metadata.Name}
	for _, f := range []*checks.File{in.Response, in.App} {
		if f != nil {
			names = append(names, f.Name)
		}
	}
	a := checks.NewAnalysis("saml", names...)
	a.Add(CheckMetadata, md.finding())
	a.Add(CheckCertificate, md.certificateFindings(now)...)

	var sig *signatureResult
	if resp != nil {
		sig = verify(resp, md, now)
	}
	a.Add(CheckAppMetadata, compareAppMetadata(md, sp, sig))
	if resp == nil {
		why := "Not checked: no SAML response given (--response: the SAMLResponse from the failed sign-in, as base64, XML, or a HAR or SAML-tracer export)"
		for _, id := range []string{CheckStatus, CheckSignature, CheckAudience, CheckRecipient, CheckValidity, CheckNameID, CheckEmail, CheckGroup} {
			a.Add(id, checks.Skipf("%s", why))
		}
		return a, nil
	}
	a.Add(CheckStatus, resp.statusFinding(sig))
	a.Add(CheckSignature, sig.finding)
	c := &contents{resp: resp, sig: sig, sp: sp, now: now, entra: md.entra()}
	a.Add(CheckAudience, c.audience())
	a.Add(CheckRecipient, c.recipient())
	a.Add(CheckValidity, c.validity())
	a.Add(CheckNameID, c.nameID())
	a.Add(CheckEmail, c.email())
	a.Add(CheckGroup, c.group())
	return a, nil
}
