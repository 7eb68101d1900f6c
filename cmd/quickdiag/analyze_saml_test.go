package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// samlKeys is a key and self-signed certificate, as an IdP signs with.
type samlKeys struct {
	key  *rsa.PrivateKey
	cert []byte
}

func (k samlKeys) GetKeyPair() (*rsa.PrivateKey, []byte, error) { return k.key, k.cert, nil }

func newSAMLKeys(t *testing.T) samlKeys {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Microsoft Azure Federated SSO Certificate"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(2 * 365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return samlKeys{key, der}
}

const (
	samlIssuer = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"
	samlEntity = "urn:example:qbusiness:a1b2c3d4"
	samlACS    = "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/saml"
)

func samlMetadata(k samlKeys) string {
	return `<EntityDescriptor ID="_m" entityID="` + samlIssuer + `" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` +
		base64.StdEncoding.EncodeToString(k.cert) + `</X509Certificate></X509Data></KeyInfo></KeyDescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2"/></IDPSSODescriptor></EntityDescriptor>`
}

// samlResponse returns a base64 SAMLResponse with the assertion signed,
// carrying the email in the attribute named emailName.
func samlResponse(t *testing.T, k samlKeys, emailName string) string {
	t.Helper()
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	assertion := fmt.Sprintf(`<Assertion ID="_a1" IssueInstant="%s" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>%s</Issuer><Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">jane@contoso.example</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData NotOnOrAfter="%s" Recipient="%s"/></SubjectConfirmation></Subject><Conditions NotBefore="%s" NotOnOrAfter="%s"><AudienceRestriction><Audience>%s</Audience></AudienceRestriction></Conditions><AttributeStatement><Attribute Name="%s"><AttributeValue>jane@contoso.example</AttributeValue></Attribute><Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"><AttributeValue>Jane</AttributeValue></Attribute></AttributeStatement></Assertion>`,
		ts(0), samlIssuer, ts(5*time.Minute), samlACS, ts(-5*time.Minute), ts(time.Hour), samlEntity, emailName)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(assertion); err != nil {
		t.Fatal(err)
	}
	ctx := dsig.NewDefaultSigningContext(k)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	a, err := etree.NewDocumentWithRoot(signed).WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	resp := `<samlp:Response ID="_r1" Version="2.0" IssueInstant="` + ts(0) + `" Destination="` + samlACS + `" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">` + samlIssuer + `</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` + a + `</samlp:Response>`
	return base64.StdEncoding.EncodeToString([]byte(resp))
}

func TestAnalyzeSAML(t *testing.T) {
	k := newSAMLKeys(t)
	md := writeFile(t, "federation.xml", samlMetadata(k))
	good := writeFile(t, "good.b64", samlResponse(t, k, "Email"))
	wrongName := writeFile(t, "wrong.b64", samlResponse(t, k, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"))
	app := writeFile(t, "app.json", `{"authenticationConfiguration":{"samlConfiguration":{"userIdAttribute":"Email"}}}`)
	values := []string{"--entity-id", samlEntity, "--acs-url", samlACS}

	t.Run("json, all pass, flags after the analyzer", func(t *testing.T) {
		code, out, errOut := runCLI(t, append([]string{"analyze", "saml", "--metadata", md, "--response", good, "--app", app, "--format", "json"}, values...)...)
		if code != exitOK {
			t.Fatalf("exit %d, stderr %q, out %s", code, errOut, out)
		}
		var doc struct {
			Schema   int      `json:"schema"`
			Analyzer string   `json:"analyzer"`
			Inputs   []string `json:"inputs"`
			Findings []struct {
				Check, Status, Row, Title string
			} `json:"findings"`
			Summary struct{ Pass, Warn, Fail, Skip int } `json:"summary"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != 1 || doc.Analyzer != "saml" || len(doc.Inputs) != 3 || doc.Summary.Fail != 0 || doc.Summary.Pass < 8 {
			t.Errorf("got %+v", doc)
		}
		checksSeen := map[string]string{}
		for _, f := range doc.Findings {
			checksSeen[f.Check] = f.Status
		}
		for _, id := range []string{"saml.metadata", "saml.certificate", "saml.status", "saml.signature", "saml.audience", "saml.recipient", "saml.validity", "saml.nameid", "saml.email"} {
			if checksSeen[id] != "pass" {
				t.Errorf("%s: %q", id, checksSeen[id])
			}
		}
	})
	t.Run("text, a failing finding, flags before positionals", func(t *testing.T) {
		code, out, _ := runCLI(t, append([]string{"analyze", "--format", "text", "saml", "--metadata", md, "--response", wrongName, "--email-attribute", "Email"}, values...)...)
		if code != exitFail {
			t.Fatalf("exit %d: %s", code, out)
		}
		for _, s := range []string{"quickdiag analyze saml (", "[saml_email_attribute_missing]",
			"You send http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress (emailaddress, from user.mail) but the application maps Email."} {
			if !strings.Contains(out, s) {
				t.Errorf("text output lacks %q:\n%s", s, out)
			}
		}
		if strings.Contains(out, ">Jane<") || strings.Contains(out, "SignatureValue") {
			t.Errorf("text output shows a value it should not:\n%s", out)
		}
	})
	t.Run("metadata alone", func(t *testing.T) {
		if code, out, _ := runCLI(t, "analyze", "saml", "--metadata", md); code != exitOK || !strings.Contains(out, "no SAML response given") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		says string
	}{
		{"no metadata", []string{"analyze", "saml", "--response", good}, "give --metadata FILE"},
		{"a stray positional", []string{"analyze", "saml", "--metadata", md, "extra"}, "give --metadata FILE"},
		{"missing file", []string{"analyze", "saml", "--metadata", "/nonexistent.xml"}, "no such file"},
		{"not XML", []string{"analyze", "saml", "--metadata", writeFile(t, "m.txt", "hello")}, "m.txt: not XML"},
		{"DOCTYPE", []string{"analyze", "saml", "--metadata", writeFile(t, "bomb.xml", `<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`)}, "refuses any DOCTYPE"},
		{"truncated response", []string{"analyze", "saml", "--metadata", md, "--response", writeFile(t, "cut.b64", samlResponse(t, k, "Email")[:300])}, "cut.b64"},
		{"--acs-url without value", []string{"analyze", "saml", "--metadata", md, "--acs-url"}, "--acs-url needs a value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.says) || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want 2 and %q", code, errOut, out, tt.says)
			}
		})
	}
	t.Run("help names saml", func(t *testing.T) {
		if _, _, errOut := runCLI(t, "analyze", "--help"); !strings.Contains(errOut, "quickdiag analyze saml --metadata") {
			t.Errorf("help: %s", errOut)
		}
	})
}
