package saml

// Signatures are verified with github.com/russellhaering/goxmldsig (v1.6.1;
// versions before 1.6.0 have a signature-bypass CVE) over
// github.com/beevik/etree, directly rather than through gosaml2 or
// crewjam/saml: quickdiag analyses a response, it does not log anyone in,
// and those libraries answer with one error for the whole response where an
// administrator needs each failure named (which certificate, which element,
// which ID). Values are read only from the canonical element goxmldsig
// returns after verifying it, never from the document as received, and the
// shapes of the classic signature-wrapping attacks are refused before
// verifying.

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// signatureResult is what the signatures of a response proved.
type signatureResult struct {
	finding checks.Finding
	// signer is the certificate a signature verified against, nil when
	// none verified.
	signer *x509.Certificate
	// response is the Response to read Status, Destination and Issuer
	// from: the verified one when the Response is signed, otherwise the
	// one received (responseSigned false).
	response       *etree.Element
	responseSigned bool
	// assertion is the verified Assertion, nil when no signature covers
	// one; why then says why, for the skip findings.
	assertion *etree.Element
	why       string
}

// verified is the outcome of verifying one element's signature.
type verified struct {
	el         *etree.Element
	signer     *x509.Certificate
	inMetadata bool
	err        error
}

// verify checks the signatures of the response against the metadata's
// certificates and picks the elements later checks may read.
func verify(resp *response, md *metadata, now time.Time) *signatureResult {
	root := resp.root
	out := &signatureResult{response: root}
	fail := func(title, detail, why string) *signatureResult {
		out.finding = checks.Problem(checks.Fail, catalog.SAMLSignatureInvalid, title).WithDetail(detail)
		out.why = why
		return out
	}
	if shape := wrappingShape(root); shape != "" {
		return fail("Signature wrapping: the response is not shaped as a genuine one",
			shape+"\nThis is the shape of a signature-wrapping attack (an element added beside or around the signed one, so that a reader takes values the signature does not cover). No value in it is trusted.",
			"the response has the shape of a signature-wrapping attack, so nothing in it is evidence")
	}
	assertion := child(root, nsAssertion, "Assertion")
	respSig := child(root, nsDSig, "Signature")
	var asrtSig *etree.Element
	if assertion != nil {
		asrtSig = child(assertion, nsDSig, "Signature")
	}
	if respSig == nil && asrtSig == nil {
		if resp.encrypted {
			out.finding = checks.Skipf("Not checked: the Response is not signed, and the assertion is encrypted; a signature inside the encrypted assertion cannot be read without the application's private key, which quickdiag does not ask for")
			out.why = resp.encryptedWhy()
			return out
		}
		return fail("The response is not signed",
			"Neither the Response nor the Assertion carries a ds:Signature: anyone could have written it, and the application rejects it.",
			"the response is not signed, so its contents are not evidence")
	}
	var rv, av *verified
	if respSig != nil {
		rv = verifyElement(root, md.certs, now)
	}
	if asrtSig != nil {
		av = verifyElement(assertion, md.certs, now)
	}
	for _, v := range []struct {
		v    *verified
		what string
	}{{rv, "Response"}, {av, "Assertion"}} {
		if v.v != nil && v.v.err != nil {
			return fail("The "+v.what+"'s signature does not verify", describeVerifyError(v.v.err, md),
				"its signature does not verify, so the assertion's contents are not evidence")
		}
	}
	if rv != nil {
		out.response, out.responseSigned = rv.el, true
	}
	switch {
	case av != nil:
		out.assertion = av.el
		out.signer = av.signer
	case rv != nil:
		out.assertion = child(rv.el, nsAssertion, "Assertion")
		out.signer = rv.signer
	}
	if out.assertion == nil && resp.encrypted {
		out.why = resp.encryptedWhy()
	}
	signed := map[bool]string{true: "the Response and the Assertion are", false: "the Assertion is"}[rv != nil && av != nil]
	if av == nil {
		signed = "the Response is"
		if !resp.encrypted {
			signed += " (covering the Assertion inside it)"
		}
	}
	for _, v := range []*verified{rv, av} {
		if v != nil && !v.inMetadata {
			f := checks.Problem(checks.Fail, catalog.SAMLSignatureInvalid, "The response is signed by a certificate that is not in the metadata").
				WithDetail("Signed by: "+describeCert(v.signer)+"\nThe metadata holds: "+describeCerts(md.certs)+
					"\nThe IdP signs with a certificate the metadata does not list: it was rolled over (a new certificate made active) after this metadata was downloaded, or the response comes from another IdP or application. The values below are read as that certificate signed them.").
				WithEvidence("a certificate of "+thumbprints(md.certs), thumbprint(v.signer))
			out.finding = f
			return out
		}
	}
	c := out.signer
	if now.After(c.NotAfter) || now.Before(c.NotBefore) {
		out.finding = checks.Problem(checks.Fail, catalog.SAMLCertificateExpiring, "The signature verifies, but its certificate is not valid now").
			WithDetail(strings.ToUpper(signed[:1])+signed[1:]+" signed by "+describeCert(c)+".\nThe application rejects a response signed with a certificate outside its dates.").
			WithEvidence("valid on "+day(now), "valid "+day(c.NotBefore)+" to "+day(c.NotAfter))
		return out
	}
	detail := "Signed by " + describeCert(c) + "."
	if !out.responseSigned {
		detail += "\nThe Response element itself is not signed: its Status and Destination are read as received."
	}
	out.finding = checks.Passf("The signature verifies: %s signed by a certificate in the metadata", signed).WithDetail(detail)
	return out
}

// verifyElement verifies el's enveloped signature: against the
// certificate of its KeyInfo when the metadata holds it (or, when not, to
// name it), otherwise against each certificate of the metadata. The
// element is detached with the namespaces in scope, as it was signed.
func verifyElement(el *etree.Element, certs []*x509.Certificate, now time.Time) *verified {
	nsCtx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return &verified{err: err}
	}
	det, err := etreeutils.NSDetatch(nsCtx, el)
	if err != nil {
		return &verified{err: err}
	}
	candidates, inMetadata := certs, true
	if kc := keyInfoCert(el); kc != nil {
		candidates, inMetadata = []*x509.Certificate{kc}, slices.ContainsFunc(certs, kc.Equal)
	}
	if len(candidates) == 0 {
		return &verified{err: errNoCertificate}
	}
	var last error
	for _, c := range candidates {
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}})
		vc.IdAttribute = "ID"
		// The certificate's dates are reported on their own: verify at a
		// time inside them.
		vc.Clock = dsig.NewFakeClockAt(inside(c, now))
		got, err := vc.Validate(det)
		if err == nil {
			return &verified{el: got, signer: c, inMetadata: inMetadata}
		}
		last = err
	}
	return &verified{err: last}
}

var errNoCertificate = errors.New("no certificate to verify against: the metadata lists none and the signature's KeyInfo has none")

// inside returns now, or the nearest time inside the certificate's dates.
func inside(c *x509.Certificate, now time.Time) time.Time {
	switch {
	case now.Before(c.NotBefore):
		return c.NotBefore.Add(time.Second)
	case now.After(c.NotAfter):
		return c.NotAfter.Add(-time.Second)
	}
	return now
}

// keyInfoCert returns the certificate the signature of el carries in its
// KeyInfo, or nil. It is untrusted: it only names the signer.
func keyInfoCert(el *etree.Element) *x509.Certificate {
	xc := path(child(el, nsDSig, "Signature"), nsDSig, "KeyInfo", "X509Data", "X509Certificate")
	if xc == nil {
		return nil
	}
	c, err := parseCertificate(text(xc))
	if err != nil {
		return nil
	}
	return c
}

// describeVerifyError says in words why goxmldsig refused a signature.
func describeVerifyError(err error, md *metadata) string {
	msg := err.Error()
	switch {
	case errors.Is(err, dsig.ErrMissingSignature):
		return "No signature references this element's ID: signature wrapping (the signature signs another element)."
	case strings.Contains(msg, "Signature could not be verified"):
		return "The digest does not match: the signed content was changed after signing (edited, re-encoded or reformatted). Copy the SAMLResponse exactly as posted."
	case strings.Contains(msg, "verification error"):
		return "The signature value does not match the certificate's key: the signature was made with another key, or altered. The metadata holds: " + describeCerts(md.certs) + "."
	case strings.Contains(msg, "Missing x509 Element"):
		return "The signature names no certificate (no KeyInfo) and the metadata holds several: verified against none."
	case err == errNoCertificate:
		return msg
	}
	return "The signature could not be verified: " + checks.Truncate(msg, 200)
}

// wrappingShape returns why the response is not shaped as a genuine one
// (one Assertion directly in the Response, unique IDs, each signature
// directly in the element it references), or "".
func wrappingShape(root *etree.Element) string {
	if inner := descendants(root, nsProtocol, "Response"); len(inner) > 0 {
		return fmt.Sprintf("A Response inside the Response (in <%s>): the shape of a signed response wrapped in a forged one.", inner[0].Parent().FullTag())
	}
	as := append(descendants(root, nsAssertion, "Assertion"), descendants(root, nsAssertion, "EncryptedAssertion")...)
	if len(as) > 1 {
		return fmt.Sprintf("The response holds %d assertions; a genuine one holds one.", len(as))
	}
	var assertion *etree.Element
	if len(as) == 1 {
		assertion = as[0]
		if assertion.Parent() != root {
			return fmt.Sprintf("The Assertion sits inside <%s>, not directly in the Response.", assertion.Parent().FullTag())
		}
	}
	ids := map[string]int{}
	dup := ""
	walk(root, func(e *etree.Element) {
		if id := attr(e, "ID"); id != "" {
			ids[id]++
			if ids[id] == 2 && dup == "" {
				dup = id
			}
		}
	})
	if dup != "" {
		return fmt.Sprintf("Two elements carry the ID %q: a signature referencing it could be checked against one and read from the other.", dup)
	}
	for _, s := range descendants(root, nsDSig, "Signature") {
		parent := s.Parent()
		if parent != root && parent != assertion {
			return fmt.Sprintf("A signature inside <%s>: SAML signatures sit directly in the Response or the Assertion they sign.", parent.FullTag())
		}
		for _, ref := range descendants(s, nsDSig, "Reference") {
			uri := attr(ref, "URI")
			if id := attr(parent, "ID"); uri != "" && uri != "#"+id {
				return fmt.Sprintf("The signature in <%s ID=%q> references %q: it signs another element than the one it sits in.", parent.FullTag(), id, checks.Truncate(uri, 80))
			}
		}
	}
	return ""
}
