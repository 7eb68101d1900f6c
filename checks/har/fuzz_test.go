package har_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/har"
)

// FuzzHAR feeds arbitrary exports to the reader, the analysis and the
// sanitizer: none may panic, and a sanitized copy reads back.
func FuzzHAR(f *testing.F) {
	for _, name := range []string{"testdata/firefox-policy.har", "testdata/samltracer-entra.json"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"log":{"entries":[{"request":{"url":"http://localhost:18080/?error=x"},"response":{"status":0,"_error":"net::ERR_CONNECTION_REFUSED"}}]}}`))
	f.Add([]byte(`{"requests":[{"post":[["SAMLResponse",{"hash":"x"}]],"saml":"<a><ds:SignatureValue>x</ds:SignatureValue></a>"}]}`))
	f.Add([]byte(`<html>not a HAR</html>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if entries, err := har.Decode(data); err == nil {
			har.Analyze(entries)
		}
		if clean, err := har.Sanitize(data); err == nil {
			if _, err := har.Sanitize(clean); err != nil {
				t.Errorf("the sanitized copy does not read back: %v", err)
			}
		}
	})
}

// bigHAR returns a HAR of about size bytes: a sign-in's requests among
// many page loads with bodies, as a long DevTools session exports.
func bigHAR(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"entries":[`)
	b.WriteString(`{"request":{"method":"GET","url":"https://acme.okta.com/oauth2/default/v1/authorize?client_id=0oa8f2kq1zXyZ9AbC4x7&response_type=code&scope=openid+email+profile+offline_access&redirect_uri=http%3A%2F%2Flocalhost%3A18080&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256","headers":[]},"response":{"status":302,"headers":[],"content":{},"redirectURL":"http://localhost:18080?error=access_denied&error_description=Policy+evaluation+failed+for+this+request"}}`)
	page := strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>", 200)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `,{"request":{"method":"GET","url":"https://intranet.acme.example/page/%d","headers":[{"name":"Cookie","value":"s=%d"}]},"response":{"status":200,"headers":[{"name":"Content-Type","value":"text/html"}],"content":{"mimeType":"text/html","text":%q}}}`, i, i, page)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// BenchmarkHAR50MB reads, analyses and sanitizes a 50 MB HAR.
func BenchmarkHAR50MB(b *testing.B) {
	data := bigHAR(50 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		entries, err := har.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if a := har.Analyze(entries); len(a.Matches) == 0 {
			b.Fatal("no match")
		}
		if _, err := har.Sanitize(data); err != nil {
			b.Fatal(err)
		}
	}
}
