package saml

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// metadata is what is read from an IdP's SAML 2.0 metadata.
type metadata struct {
	entityID string
	// sso are the IDPSSODescriptor's SingleSignOnService endpoints.
	sso []endpoint
	// certs are the distinct signing certificates of the IDPSSODescriptor.
	certs []*x509.Certificate
	// unreadable describes signing certificates that do not parse.
	unreadable []string
	// nameIDFormats are the NameIDFormat values the IdP lists.
	nameIDFormats []string
	// entities counts the EntityDescriptors of an EntitiesDescriptor.
	entities int
}

// endpoint is one SAML service endpoint.
type endpoint struct{ binding, location string }

// readMetadata parses in as IdP metadata: an EntityDescriptor with an
// IDPSSODescriptor, alone or in an EntitiesDescriptor.
func readMetadata(in checks.File) (*metadata, error) {
	data, err := bounded(in)
	if err != nil {
		return nil, err
	}
	const what = "SAML 2.0 IdP metadata (Entra: Federation Metadata XML)"
	doc, err := parseXML(in, data, what)
	if err != nil {
		return nil, err
	}
	return metadataOf(in, doc.Root(), what)
}

func metadataOf(in checks.File, root *etree.Element, what string) (*metadata, error) {
	md := &metadata{}
	var ed *etree.Element
	switch {
	case is(root, nsMetadata, "EntityDescriptor"):
		ed = root
	case is(root, nsMetadata, "EntitiesDescriptor"):
		all := descendants(root, nsMetadata, "EntityDescriptor")
		md.entities = len(all)
		for _, e := range all {
			if child(e, nsMetadata, "IDPSSODescriptor") != nil {
				ed = e
				break
			}
		}
		if ed == nil {
			return nil, checks.InputErrorf(in, "an EntitiesDescriptor whose %d EntityDescriptors have no IDPSSODescriptor: expected the IdP's metadata", len(all))
		}
	case is(root, nsProtocol, "Response"):
		return nil, checks.InputErrorf(in, "a SAML response, not metadata: give it as --response, and the IdP's Federation Metadata XML as --metadata")
	case strings.EqualFold(root.Tag, "html"):
		return nil, checks.InputErrorf(in, "an HTML page, not %s", what)
	default:
		return nil, checks.InputErrorf(in, "the root element is <%s> (namespace %q), not a SAML 2.0 EntityDescriptor: expected %s", root.FullTag(), root.NamespaceURI(), what)
	}
	md.entityID = attr(ed, "entityID")
	idp := child(ed, nsMetadata, "IDPSSODescriptor")
	if idp == nil {
		if child(ed, nsMetadata, "SPSSODescriptor") != nil {
			return nil, checks.InputErrorf(in, "a service provider's metadata (SPSSODescriptor), not the IdP's: give the IdP's Federation Metadata XML")
		}
		return nil, checks.InputErrorf(in, "the EntityDescriptor %q has no IDPSSODescriptor: expected %s", md.entityID, what)
	}
	for _, s := range children(idp, nsMetadata, "SingleSignOnService") {
		md.sso = append(md.sso, endpoint{attr(s, "Binding"), attr(s, "Location")})
	}
	for _, f := range children(idp, nsMetadata, "NameIDFormat") {
		md.nameIDFormats = append(md.nameIDFormats, text(f))
	}
	for _, kd := range children(idp, nsMetadata, "KeyDescriptor") {
		if use := attr(kd, "use"); use != "" && use != "signing" {
			continue
		}
		for _, xc := range descendants(kd, nsDSig, "X509Certificate") {
			c, err := parseCertificate(text(xc))
			if err != nil {
				md.unreadable = append(md.unreadable, err.Error())
				continue
			}
			if !slices.ContainsFunc(md.certs, c.Equal) {
				md.certs = append(md.certs, c)
			}
		}
	}
	return md, nil
}

// parseCertificate parses the base64 DER of a ds:X509Certificate.
func parseCertificate(b64 string) (*x509.Certificate, error) {
	b64 = strings.Join(strings.Fields(b64), "")
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("a signing certificate that is not base64 (%d characters)", len(b64))
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("a signing certificate that does not parse: %v", err)
	}
	return c, nil
}

// entraRE matches Entra's SAML issuer, naming the tenant.
var entraRE = regexp.MustCompile(`^https://sts\.windows\.net/([0-9a-fA-F-]{36})/$`)

// entra reports whether the metadata is Entra ID's.
func (md *metadata) entra() bool { return entraRE.MatchString(md.entityID) }

// finding reports the metadata's entity ID and sign-in URL.
func (md *metadata) finding() checks.Finding {
	f := checks.Passf("IdP metadata for %s", checks.OrNone(md.entityID))
	var d []string
	if m := entraRE.FindStringSubmatch(md.entityID); m != nil {
		d = append(d, "Entra ID, tenant "+m[1]+".")
	}
	for _, s := range md.sso {
		d = append(d, fmt.Sprintf("Sign-in URL (%s): %s", bindingName(s.binding), s.location))
	}
	if len(md.sso) == 0 {
		d = append(d, "The metadata lists no SingleSignOnService: the application has no URL to send users to.")
	}
	if md.entities > 1 {
		d = append(d, fmt.Sprintf("An EntitiesDescriptor of %d entities: read the first IdP, %s.", md.entities, md.entityID))
	}
	if len(md.nameIDFormats) > 0 {
		d = append(d, "NameID formats offered: "+strings.Join(md.nameIDFormats, ", "))
	}
	if md.entityID == "" {
		return checks.Problem(checks.Fail, catalog.SAMLSignatureInvalid, "The IdP metadata has no entityID").
			WithDetail(strings.Join(d, "\n")).
			WithFix("Download the Federation Metadata XML again: the file is incomplete.")
	}
	return f.WithDetail(strings.Join(d, "\n"))
}

// bindingName shortens a SAML binding URI.
func bindingName(b string) string {
	if i := strings.LastIndex(b, ":"); i >= 0 && strings.HasPrefix(b, "urn:oasis:names:tc:SAML:2.0:bindings:") {
		return b[i+1:]
	}
	return checks.OrNone(b)
}

// certificateFindings reports each signing certificate's dates.
func (md *metadata) certificateFindings(now time.Time) []checks.Finding {
	var out []checks.Finding
	for _, u := range md.unreadable {
		out = append(out, checks.Problem(checks.Fail, catalog.SAMLSignatureInvalid, "The metadata holds "+u).
			WithDetail("No signature can be verified against it.").
			WithFix("Download the Federation Metadata XML again, unedited."))
	}
	if len(md.certs) == 0 {
		if len(md.unreadable) == 0 {
			out = append(out, checks.Problem(checks.Fail, catalog.SAMLSignatureInvalid, "The metadata lists no signing certificate").
				WithDetail("The IDPSSODescriptor has no KeyDescriptor with an X509Certificate: the application cannot verify any response.").
				WithFix("Download the Federation Metadata XML again (Entra: Single sign-on → SAML Certificates → Federation Metadata XML)."))
		}
		return out
	}
	rollover := ""
	if len(md.certs) > 1 {
		rollover = fmt.Sprintf("\nThe metadata lists %d signing certificates, as an IdP does while one replaces another (a rollover): a response verifies when signed by any of them, and the application must hold metadata with the one the IdP signs with.", len(md.certs))
	}
	for i, c := range md.certs {
		label := "The signing certificate"
		if len(md.certs) > 1 {
			label = fmt.Sprintf("Signing certificate %d of %d", i+1, len(md.certs))
		}
		detail := describeCert(c) + rollover
		left := c.NotAfter.Sub(now)
		switch {
		case now.After(c.NotAfter):
			out = append(out, checks.Problem(checks.Fail, catalog.SAMLCertificateExpiring, fmt.Sprintf("%s expired on %s", label, day(c.NotAfter))).
				WithDetail(detail).WithEvidence("valid now ("+day(now)+")", "valid until "+day(c.NotAfter)))
		case now.Before(c.NotBefore):
			out = append(out, checks.Problem(checks.Warn, catalog.SAMLCertificateExpiring, fmt.Sprintf("%s is not valid before %s", label, day(c.NotBefore))).
				WithDetail(detail+"\nA new certificate not yet valid: the IdP cannot sign with it before that date.").
				WithFix("Keep the current certificate active until then."))
		case left < ExpiryWarning:
			out = append(out, checks.Problem(checks.Warn, catalog.SAMLCertificateExpiring, fmt.Sprintf("%s expires on %s, in %d days", label, day(c.NotAfter), int(left.Hours()/24))).
				WithDetail(detail).WithEvidence("valid for more than 30 days", "valid until "+day(c.NotAfter)))
		default:
			out = append(out, checks.Passf("%s is valid until %s", label, day(c.NotAfter)).WithDetail(detail))
		}
	}
	return out
}

// describeCert names a certificate without its base64: subject,
// thumbprint (SHA-1, as Entra shows it), SHA-256 and dates.
func describeCert(c *x509.Certificate) string {
	return fmt.Sprintf("%s, thumbprint %s (SHA-256 %s…), valid %s to %s", c.Subject.String(), thumbprint(c), hex.EncodeToString(sha256Of(c.Raw))[:16], day(c.NotBefore), day(c.NotAfter))
}

// thumbprint is a certificate's SHA-1 thumbprint in Entra's spelling.
func thumbprint(c *x509.Certificate) string {
	s := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

func sha256Of(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// day formats a date for findings.
func day(t time.Time) string { return t.UTC().Format("2006-01-02") }
