package saml

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/quickdiag/quickdiag/checks"
)

// The application and tenant the fixtures describe.
const (
	tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	issuer   = "https://sts.windows.net/" + tenant + "/"
	entityID = "urn:example:qbusiness:a1b2c3d4"
	acsURL   = "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/saml"
)

// now is the time the tests analyse at.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// signer is a key and its self-signed certificate, as an IdP signs with.
type signer struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// GetKeyPair makes signer a goxmldsig key store.
func (s signer) GetKeyPair() (*rsa.PrivateKey, []byte, error) { return s.key, s.cert.Raw, nil }

func (s signer) b64() string { return base64.StdEncoding.EncodeToString(s.cert.Raw) }

var (
	keysOnce sync.Once
	keys     []*rsa.PrivateKey
)

// testKey returns one of three RSA keys made once per test binary.
func testKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys = append(keys, k)
		}
	})
	return keys[i]
}

// newSigner returns key i with a certificate valid from nb to na, named as
// Entra names its SAML signing certificates.
func newSigner(t testing.TB, i int, nb, na time.Time) signer {
	t.Helper()
	key := testKey(t, i)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Microsoft Azure Federated SSO Certificate"},
		NotBefore:    nb, NotAfter: na,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return signer{key, c}
}

// current is the IdP's signing certificate: valid three years, as Entra's.
func current(t testing.TB) signer {
	return newSigner(t, 0, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
}

// entraMetadata fills in testdata/entra-federation-metadata.xml.tmpl with
// the certificates and signs it with the first, as Entra publishes it.
func entraMetadata(t testing.TB, certs ...signer) []byte {
	t.Helper()
	tmpl := template.Must(template.ParseFiles(filepath.Join("testdata", "entra-federation-metadata.xml.tmpl")))
	var b64 []string
	for _, c := range certs {
		b64 = append(b64, c.b64())
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, map[string]any{"Tenant": tenant, "ID": "9e7b0f5a-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "Certs": b64}); err != nil {
		t.Fatal(err)
	}
	if len(certs) == 0 {
		return buf.Bytes()
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	ctx := signingContext(certs[0])
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	signed = reparse(t, signed)
	sig := signed.ChildElements()[len(signed.ChildElements())-1]
	signed.RemoveChild(sig)
	signed.InsertChildAt(0, sig) // Entra puts the signature first
	doc.SetRoot(signed)
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reparse returns a freshly parsed copy of el: goxmldsig's SignEnveloped
// appends the signature without setting its index, so etree's RemoveChild
// on it would remove another child.
func reparse(t testing.TB, el *etree.Element) *etree.Element {
	t.Helper()
	b, err := etree.NewDocumentWithRoot(el).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

func signingContext(s signer) *dsig.SigningContext {
	ctx := dsig.NewDefaultSigningContext(s)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	return ctx
}

// attr is one attribute of a fixture's assertion.
type attrFix struct {
	Name   string
	Values []string
}

// fixture describes a response as Entra sends it; tests change fields.
type fixture struct {
	Destination, Recipient, Audience, Issuer string
	Status, Status2, Message                 string
	NameID, NameIDFormat                     string
	NoNameID                                 bool
	IssueInstant, NotBefore, NotOnOrAfter    string
	SCNotOnOrAfter                           string
	Attrs                                    []attrFix
	Encrypted                                bool
}

func goodFixture() *fixture {
	return &fixture{
		Destination: acsURL, Recipient: acsURL, Audience: entityID, Issuer: issuer,
		Status: "urn:oasis:names:tc:SAML:2.0:status:Success",
		NameID: "jane@contoso.example", NameIDFormat: NameIDUnspecified,
		IssueInstant: now.Add(-time.Minute).Format(time.RFC3339Nano),
		NotBefore:    now.Add(-6 * time.Minute).Format(time.RFC3339Nano), NotOnOrAfter: now.Add(69 * time.Minute).Format(time.RFC3339Nano),
		SCNotOnOrAfter: now.Add(4 * time.Minute).Format(time.RFC3339Nano),
		Attrs: []attrFix{
			{"http://schemas.microsoft.com/identity/claims/tenantid", []string{tenant}},
			{"http://schemas.microsoft.com/identity/claims/objectidentifier", []string{"d2b1c6a0-0000-4000-8000-1234567890ab"}},
			{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", []string{"jane@contoso.example"}},
			{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", []string{"Jane"}},
			{"Email", []string{"jane@contoso.example"}},
			{"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", []string{"5f1c0000-0000-4000-8000-00000000beef"}},
		},
	}
}

var responseTmpl = template.Must(template.New("r").Parse(`<samlp:Response ID="_resp-7d1e" Version="2.0" IssueInstant="{{.IssueInstant}}"{{if .Destination}} Destination="{{.Destination}}"{{end}} InResponseTo="_req-42" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">{{.Issuer}}</Issuer><samlp:Status><samlp:StatusCode Value="{{.Status}}">{{if .Status2}}<samlp:StatusCode Value="{{.Status2}}"/>{{end}}</samlp:StatusCode>{{if .Message}}<samlp:StatusMessage>{{.Message}}</samlp:StatusMessage>{{end}}</samlp:Status>{{if .Encrypted}}<EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><xenc:EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><xenc:CipherData><xenc:CipherValue>c2VjcmV0IGFzc2VydGlvbg==</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></EncryptedAssertion>{{else if ne .Status "urn:oasis:names:tc:SAML:2.0:status:Requester"}}<Assertion ID="_asrt-0b9c" IssueInstant="{{.IssueInstant}}" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>{{.Issuer}}</Issuer><Subject>{{if not .NoNameID}}<NameID{{if .NameIDFormat}} Format="{{.NameIDFormat}}"{{end}}>{{.NameID}}</NameID>{{end}}<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData InResponseTo="_req-42" NotOnOrAfter="{{.SCNotOnOrAfter}}" Recipient="{{.Recipient}}"/></SubjectConfirmation></Subject><Conditions NotBefore="{{.NotBefore}}" NotOnOrAfter="{{.NotOnOrAfter}}"><AudienceRestriction><Audience>{{.Audience}}</Audience></AudienceRestriction></Conditions><AttributeStatement>{{range .Attrs}}<Attribute Name="{{.Name}}">{{range .Values}}<AttributeValue>{{.}}</AttributeValue>{{end}}</Attribute>{{end}}</AttributeStatement><AuthnStatement AuthnInstant="{{.IssueInstant}}" SessionIndex="_sess-1"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>{{end}}</samlp:Response>`))

// xml returns the fixture's response, unsigned.
func (f *fixture) xml(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := responseTmpl.Execute(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// signGo signs the element named target ("Assertion" or "Response") of
// the response with goxmldsig, placing the signature after its Issuer.
func signGo(t testing.TB, data []byte, target string, s signer) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		t.Fatal(err)
	}
	el := doc.Root()
	if a := child(el, nsAssertion, "Assertion"); target == "Assertion" && a != nil {
		el = a // else an error response, without assertion: sign the Response
	}
	nsCtx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		t.Fatal(err)
	}
	det, err := etreeutils.NSDetatch(nsCtx, el)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signingContext(s).SignEnveloped(det)
	if err != nil {
		t.Fatal(err)
	}
	signed = reparse(t, signed)
	kids := signed.ChildElements()
	sig := kids[len(kids)-1]
	signed.RemoveChild(sig)
	signed.InsertChildAt(child(signed, nsAssertion, "Issuer").Index()+1, sig)
	if p := el.Parent(); p != nil {
		p.InsertChildAt(el.Index(), signed)
		p.RemoveChild(el)
	} else {
		doc.SetRoot(signed)
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signerDir is the folder of the Node.js signer.
var signerDir = filepath.Join("testdata", "signer")

var (
	npmOnce sync.Once
	npmErr  error
)

// requireNode makes sure Node.js and xml-crypto are present, running
// "npm ci" in signerDir once. Without Node.js the test is skipped, except
// under CI, where it fails.
func requireNode(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed: the tests need Node.js for the independent signer (xml-crypto)")
		}
		t.Skip("node is not installed: skipping the responses signed by xml-crypto")
	}
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(signerDir, "node_modules", "xml-crypto", "package.json")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = signerDir
		if out, err := cmd.CombinedOutput(); err != nil {
			npmErr = err
			t.Logf("npm ci: %s", out)
		}
	})
	if npmErr != nil {
		t.Fatalf("install the signer's npm packages (npm ci in %s): %v", signerDir, npmErr)
	}
}

// signNode signs the element named target with xml-crypto.
func signNode(t testing.TB, data []byte, target string, s signer) []byte {
	t.Helper()
	requireNode(t)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(s.key)})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Raw})
	req, _ := json.Marshal(map[string]string{"xml": string(data), "key": string(keyPEM), "cert": string(certPEM), "target": target})
	cmd := exec.Command("node", "sign.js")
	cmd.Dir = signerDir
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node sign.js: %v\n%s", err, stderr.String())
	}
	return out
}

// b64 encodes a response as the browser posts it.
func b64(data []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(data)) }

// harWith returns a HAR export holding a POST of the response to the ACS
// URL, in postData.params (params) or postData.text.
func harWith(t testing.TB, data []byte, params bool) []byte {
	t.Helper()
	value := base64.StdEncoding.EncodeToString(data)
	post := map[string]any{"mimeType": "application/x-www-form-urlencoded"}
	if params {
		post["params"] = []map[string]string{{"name": "SAMLResponse", "value": value}, {"name": "RelayState", "value": "x"}}
	} else {
		post["text"] = url.Values{"SAMLResponse": {value}, "RelayState": {"x"}}.Encode()
	}
	doc := map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{
		map[string]any{"request": map[string]any{"method": "GET", "url": "https://login.microsoftonline.com/" + tenant + "/saml2?SAMLRequest=abc", "headers": []any{}},
			"response": map[string]any{"status": 200, "headers": []any{}, "content": map[string]any{"mimeType": "text/html", "text": "<html>form</html>"}}},
		map[string]any{"request": map[string]any{"method": "POST", "url": acsURL, "headers": []any{}, "postData": post},
			"response": map[string]any{"status": 302, "headers": []any{map[string]string{"name": "Location", "value": "/"}}, "content": map[string]any{}}},
	}}}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tracerWith returns a SAML-tracer export holding the POST.
func tracerWith(t testing.TB, data []byte) []byte {
	t.Helper()
	value := base64.StdEncoding.EncodeToString(data)
	doc := map[string]any{"requests": []any{
		map[string]any{"method": "POST", "url": acsURL, "requestHeaders": []any{}, "responseStatus": 302, "responseHeaders": []any{},
			"post": [][]string{{"SAMLResponse", value}, {"RelayState", "x"}}, "protocol": "SAML-P", "saml": string(data)},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// appJSON returns the application's configuration as
// 'aws qbusiness get-web-experience' prints it, with the metadata it holds.
func appJSON(t testing.TB, metadataXML []byte) []byte {
	t.Helper()
	doc := map[string]any{
		"applicationId": "a1b2c3d4", "webExperienceId": "w-1",
		"defaultEndpoint": "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/",
		"status":          "ACTIVE",
		"authenticationConfiguration": map[string]any{"samlConfiguration": map[string]any{
			"metadataXML": string(metadataXML), "roleArn": "arn:aws:iam::111122223333:role/q-web",
			"userIdAttribute": "Email", "userGroupAttribute": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
		}},
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// analyze runs Analyze over the metadata and response with the fixtures'
// application, failing the test on an input error.
func analyze(t testing.TB, md, resp []byte) *checks.Analysis {
	t.Helper()
	in := Inputs{Metadata: checks.File{Name: "metadata.xml", Data: md}, EntityID: entityID, ACSURL: acsURL,
		EmailAttribute: "Email", GroupAttribute: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", Now: now}
	if resp != nil {
		in.Response = &checks.File{Name: "response.b64", Data: resp}
	}
	a, err := Analyze(in)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return a
}

// byCheck returns the findings of one check.
func byCheck(a *checks.Analysis, id string) []checks.Finding {
	var out []checks.Finding
	for _, f := range a.Findings {
		if f.Check == id {
			out = append(out, f)
		}
	}
	return out
}

// dump formats findings for a failure message.
func dump(a *checks.Analysis) string {
	var b strings.Builder
	for _, f := range a.Findings {
		b.WriteString("\n  " + f.Check + " " + string(f.Status) + " [" + string(f.Row) + "] " + f.Title)
		if f.Detail != "" {
			b.WriteString("\n      " + strings.ReplaceAll(f.Detail, "\n", "\n      "))
		}
	}
	return b.String()
}
