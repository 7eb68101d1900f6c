package saml

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
)

// billionLaughs is the classic entity-expansion bomb.
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol9;"/>`

func TestBadInput(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	good := signGo(t, goodFixture().xml(t), "Assertion", idp)
	big := bytes.Repeat([]byte("A"), 50<<20)
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	tests := []struct {
		name          string
		md, resp, app []byte
		file, says    string
	}{
		{"metadata: empty", []byte(" \n"), nil, nil, "metadata.xml", "empty input"},
		{"metadata: 60,000 elements", []byte("<EntitiesDescriptor>" + strings.Repeat("<a/>", 60000) + "</EntitiesDescriptor>"), nil, nil, "metadata.xml", "more than 50000 elements"},
		{"metadata: not XML", []byte("hello, world"), nil, nil, "metadata.xml", "not XML"},
		{"metadata: an HTML page", []byte("<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>"), nil, nil, "metadata.xml", "an HTML page"},
		{"metadata: XHTML", []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`), nil, nil, "metadata.xml", "an HTML page"},
		{"metadata: not SAML", []byte(`<config><a/></config>`), nil, nil, "metadata.xml", "not a SAML 2.0 EntityDescriptor"},
		{"metadata: a response", good, nil, nil, "metadata.xml", "a SAML response, not metadata"},
		{"metadata: an SP's", []byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>`), nil, nil, "metadata.xml", "service provider's metadata"},
		{"metadata: entity bomb", []byte(billionLaughs), nil, nil, "metadata.xml", "refuses any DOCTYPE"},
		{"metadata: external entity", []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&e;"/>`), nil, nil, "metadata.xml", "line 1: a <!DOCTYPE"},
		{"metadata: truncated", md[:len(md)/2], nil, nil, "metadata.xml", "ends early"},
		{"metadata: nested 10000 deep", []byte(deep), nil, nil, "metadata.xml", "nested more than 64 deep"},
		{"metadata: 50 MB", big, nil, nil, "metadata.xml", "larger than the 16 MiB"},
		{"response: truncated base64", md, b64(good)[:len(b64(good))-7], nil, "response.b64", "truncated"},
		{"response: base64 of XML cut short", md, b64(good[:len(good)-40]), nil, "response.b64", "ends early"},
		{"response: base64 of garbage", md, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xff, 0x00, 0x13}, 40))), nil, "response.b64", "does not decode to XML"},
		{"response: words", md, []byte("the sign-in failed with Permission needed"), nil, "response.b64", "neither XML nor base64"},
		{"response: an HTML page", md, []byte("<html><body>Permission needed</body></html>"), nil, "response.b64", "an HTML page"},
		{"response: the metadata", md, md, nil, "response.b64", "IdP metadata, not a SAML response"},
		{"response: an AuthnRequest", md, []byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x"/>`), nil, "response.b64", "AuthnRequest"},
		{"response: base64 entity bomb", md, b64([]byte(strings.Replace(billionLaughs, "EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID", "samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID", 1))), nil, "response.b64", "refuses any DOCTYPE"},
		{"response: HAR without one", md, []byte(`{"log":{"entries":[{"request":{"method":"GET","url":"https://x.example/"},"response":{"status":200}}]}}`), nil, "response.b64", "no SAMLResponse in the export's 1 requests"},
		{"response: HAR, not JSON", md, []byte(`{"log": {"entries": [}`), nil, "response.b64", "line 1"},
		{"response: 50 MB", md, big, nil, "response.b64", "larger than the 16 MiB"},
		{"app: not JSON", md, nil, []byte("{\n  \"samlConfiguration\": {\n    \"userIdAttribute\": \"Email\",\n  }\n}"), "app.json", "line 4"},
		{"app: XML", md, nil, md, "app.json", "XML, not the application's JSON"},
		{"app: nothing known", md, nil, []byte(`{"applicationId": "x"}`), "app.json", "no samlConfiguration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Inputs{Metadata: checks.File{Name: "metadata.xml", Data: tt.md}, Now: now}
			if tt.resp != nil {
				in.Response = &checks.File{Name: "response.b64", Data: tt.resp}
			}
			if tt.app != nil {
				in.App = &checks.File{Name: "app.json", Data: tt.app}
			}
			start := time.Now()
			a, err := Analyze(in)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			var ie *checks.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, %v; want an InputError%s", err, a, func() string {
					if a != nil {
						return dump(a)
					}
					return ""
				}())
			}
			if !strings.HasPrefix(ie.Name, tt.file) || !strings.Contains(ie.Msg, tt.says) {
				t.Errorf("got %q, want %s: …%s…", err, tt.file, tt.says)
			}
		})
	}
}

// TestBadAppMetadata: metadata the application holds that does not parse
// is a finding about the application, not unreadable input.
func TestBadAppMetadata(t *testing.T) {
	idp := current(t)
	a, err := Analyze(Inputs{Metadata: checks.File{Name: "m", Data: entraMetadata(t, idp)},
		App: &checks.File{Name: "app.json", Data: appJSON(t, []byte("<EntityDescriptor"))}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	f := byCheck(a, CheckAppMetadata)[0]
	if f.Status != checks.Fail || !strings.Contains(f.Detail, "app.json (metadataXML)") {
		t.Errorf("got %+v", f)
	}
}

func FuzzMetadata(f *testing.F) {
	idp := current(f)
	f.Add(entraMetadata(f, idp))
	f.Add(entraMetadata(f, idp, newSigner(f, 1, now, now.Add(time.Hour))))
	f.Add([]byte(billionLaughs))
	f.Add([]byte(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntityDescriptor entityID="e"><md:IDPSSODescriptor><md:KeyDescriptor><X509Certificate xmlns="http://www.w3.org/2000/09/xmldsig#">AAAA</X509Certificate></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>`))
	f.Add([]byte("<a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Analyze(Inputs{Metadata: checks.File{Name: "m", Data: data}, Now: now})
		checkOutcome(t, a, err)
	})
}

func FuzzResponse(f *testing.F) {
	idp := current(f)
	md := entraMetadata(f, idp)
	good := signGo(f, goodFixture().xml(f), "Assertion", idp)
	f.Add(good)
	f.Add(b64(good))
	f.Add(signGo(f, goodFixture().xml(f), "Response", idp))
	enc := goodFixture()
	enc.Encrypted = true
	f.Add(enc.xml(f))
	f.Add(harWith(f, good, true))
	f.Add(tracerWith(f, good))
	f.Add([]byte("SAMLResponse=PHNhbWxwOlJlc3BvbnNl"))
	f.Add(bytes.Replace(good, []byte("<Subject>"), []byte("<Subject><Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"x\"/>"), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Analyze(Inputs{Metadata: checks.File{Name: "m", Data: md}, Response: &checks.File{Name: "r", Data: data},
			EntityID: entityID, ACSURL: acsURL, EmailAttribute: "Email", GroupAttribute: "g", Now: now})
		checkOutcome(t, a, err)
		if a != nil {
			for _, f := range a.Findings {
				// Nothing is read from a response no signature covers.
				if f.Status == checks.Pass && (f.Check == CheckEmail || f.Check == CheckNameID) && byCheck(a, CheckSignature)[0].Status == checks.Skip {
					t.Errorf("%s passed without a verified signature", f.Check)
				}
			}
		}
	})
}

// checkOutcome fails unless Analyze returned an analysis or an InputError.
func checkOutcome(t *testing.T, a *checks.Analysis, err error) {
	t.Helper()
	var ie *checks.InputError
	switch {
	case err != nil && !errors.As(err, &ie):
		t.Fatalf("an error that is not an InputError: %v", err)
	case err == nil && a == nil:
		t.Fatal("neither an analysis nor an error")
	}
}

// BenchmarkAnalyze50MB measures refusing a 50 MB response.
func BenchmarkAnalyze50MB(b *testing.B) {
	md := entraMetadata(b, current(b))
	big := bytes.Repeat([]byte("PHNhbWxwOlJlc3BvbnNl"), 50<<20/20)
	for b.Loop() {
		if _, err := Analyze(Inputs{Metadata: checks.File{Name: "m", Data: md}, Response: &checks.File{Name: "r", Data: big}, Now: now}); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkAnalyzeLargest measures the largest metadata read: just under
// checks.MaxInput, of as many elements as are read (long certificates'
// worth of text in each).
func BenchmarkAnalyzeLargest(b *testing.B) {
	md := entraMetadata(b, current(b))
	line := "<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" + strings.Repeat(" ", 200) + "</NameIDFormat>\n"
	pad := bytes.Repeat([]byte(line), min((checks.MaxInput-len(md)-1024)/len(line), maxElements-200))
	i := bytes.Index(md, []byte("<SingleSignOnService"))
	data := append(append(append([]byte{}, md[:i]...), pad...), md[i:]...)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(Inputs{Metadata: checks.File{Name: "m", Data: data}, Now: now}); err != nil {
			b.Fatal(err)
		}
	}
}
