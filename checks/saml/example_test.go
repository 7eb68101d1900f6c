package saml

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// exampleDir holds a sign-in that failed with "Permission needed", as an
// administrator would bring it: Entra's metadata, the SAMLResponse the
// browser posted (base64), and the application's configuration. The
// README's example and the wizard's tests read it.
var exampleDir = filepath.Join("testdata", "example")

// TestExampleFiles: the committed example (made by the fixtures, with a
// key of their own; QUICKDIAG_UPDATE_SAML_EXAMPLE=1 writes it again) and its analysis
// names exactly one problem at the time it was posted (the fixtures' now): Entra sends the email as emailaddress, the
// application maps Email.
func TestExampleFiles(t *testing.T) {
	// A certificate valid for twenty years, so that the example never
	// shows an expiring certificate.
	cert := newSigner(t, 2, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2044, 1, 1, 0, 0, 0, 0, time.UTC))
	if os.Getenv("QUICKDIAG_UPDATE_SAML_EXAMPLE") != "" {
		f := goodFixture()
		f.Attrs[4].Name = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
		md := entraMetadata(t, cert)
		files := map[string][]byte{
			"metadata.xml": md,
			"response.b64": b64(signGo(t, f.xml(t), "Assertion", cert)),
			"app.json":     appJSON(t, md),
		}
		if err := os.MkdirAll(exampleDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(exampleDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(exampleDir, name))
		if err != nil {
			t.Fatalf("%v (write it with QUICKDIAG_UPDATE_SAML_EXAMPLE=1)", err)
		}
		return b
	}
	md, resp := read("metadata.xml"), read("response.b64")
	a := analyze(t, md, resp)
	want := map[string]want{
		CheckMetadata: pass, CheckCertificate: pass, CheckStatus: pass, CheckSignature: pass, CheckAudience: pass,
		CheckRecipient: pass, CheckValidity: pass, CheckNameID: pass, CheckGroup: pass,
		CheckEmail: {status: "fail", row: "saml_email_attribute_missing", says: []string{"emailaddress", "Email"}},
	}
	expect(t, a, want)
	if a.Summary.Fail != 1 || a.Summary.Warn != 0 {
		t.Errorf("want exactly one problem:%s", dump(a))
	}
}
