package har_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/har"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// record signs in as the desktop app would, in headless Chromium, against
// the test provider's server, and returns DevTools' HAR of it. The redirect
// to localhost:18080 finds nothing listening, as when the app is not
// running: the HAR holds the IdP's answer all the same.
func record(t *testing.T, idp *testidp.IdP, server string, edit func(q url.Values)) []byte {
	t.Helper()
	cfg := idp.ServerConfig(server)
	oc := oauth2.Config{ClientID: cfg.ClientID, RedirectURL: har.Loopback, Scopes: []string{"openid", "email", "profile", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: cfg.AuthorizationEndpoint, TokenURL: cfg.TokenEndpoint}}
	u, _ := url.Parse(oc.AuthCodeURL("st4te", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if edit != nil {
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
	}
	tab := testbrowser.NewTab(t, testbrowser.Start(t))
	rec, err := testbrowser.Record(tab)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		// The IdP refuses the request on its own page: nothing to sign in to.
		if err := chromedp.Do(tab, chromedp.Navigate(u.String())); err != nil {
			t.Fatal(err)
		}
	} else if _, err := testbrowser.SignIn(tab, u.String(), "alice"); err != nil {
		t.Logf("sign-in: %v", err) // an error redirect ends it early; the HAR says what happened
	}
	data := rec.HAR()
	if dir := os.Getenv("QUICKDIAG_TEST_OUTPUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "har-"+server+".har"), data, 0o644)
	}
	return data
}

func analyze(t *testing.T, data []byte) *har.Analysis {
	t.Helper()
	entries, err := har.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return har.Analyze(entries)
}

// TestRecordedHARs reads HARs that headless Chromium recorded against the
// test provider: a refused redirect URI, a refused scope, and a good
// sign-in whose code must vanish from the sanitized copy.
func TestRecordedHARs(t *testing.T) {
	testidp.Require(t)
	testidp.LockLoopbackPort(t) // nothing of ours answers the redirect
	noScope := testidp.OktaServer("noscope")
	noScope.RejectScopes = []string{"offline_access"}
	idp := testidp.Start(t, testidp.Options{Servers: []testidp.Server{testidp.OktaServer("default"), noScope}})

	t.Run("redirect refused", func(t *testing.T) {
		data := record(t, idp, "default", func(q url.Values) { q.Set("redirect_uri", "http://localhost:18080/callback") })
		a := analyze(t, data)
		if len(a.Matches) == 0 || a.Matches[0].Row != catalog.RedirectMismatch {
			t.Fatalf("matches %+v", a.Matches)
		}
		auth := a.Requests[0]
		if auth.Kind != "authorize" || param(auth, "redirect_uri").OK || param(auth, "scope").OK != true || !param(auth, "code_challenge_method").OK {
			t.Errorf("authorize request: %+v", auth)
		}
		if !hasAnswer(a, catalog.RedirectMismatch) {
			t.Errorf("no answer names the IdP's refusal: %+v", a.Requests)
		}
	})
	t.Run("scope refused", func(t *testing.T) {
		a := analyze(t, record(t, idp, "noscope", nil))
		if len(a.Matches) == 0 || a.Matches[0].Row != catalog.InvalidScope {
			t.Fatalf("matches %+v", a.Matches)
		}
		for _, p := range a.Requests[0].Params {
			if !p.OK {
				t.Errorf("the app's request is right, yet %s is marked: %+v", p.Name, p)
			}
		}
		if !hasKind(a, "redirect") {
			t.Errorf("the error redirect is not among the answers: %+v", a.Requests)
		}
	})
	t.Run("good sign-in, sanitized", func(t *testing.T) {
		data := record(t, idp, "default", nil)
		a := analyze(t, data)
		if !hasKind(a, "redirect") || !hasAnswer(a, catalog.LoopbackUnavailable) {
			t.Errorf("want the code sent back and nothing listening on 18080: %+v", a.Requests)
		}
		code := codeIn(t, data)
		clean, err := har.Sanitize(data)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(clean, []byte(code)) {
			t.Errorf("the sanitized copy still holds the code %s", code)
		}
		for _, secret := range []string{"any password", "code_challenge=" + "x"} {
			if secret == "any password" && bytes.Contains(clean, []byte(url.QueryEscape(secret))) {
				t.Errorf("the sanitized copy holds the password")
			}
		}
		if _, err := har.Decode(clean); err != nil || !json.Valid(clean) {
			t.Errorf("the sanitized copy is no longer a HAR: %v", err)
		}
		if !bytes.Contains(clean, []byte(`"redirect_uri"`)) && !bytes.Contains(clean, []byte("redirect_uri=")) {
			t.Error("the sanitized copy lost the request's parameters")
		}
	})
}

func param(r har.Request, name string) har.Param {
	for _, p := range r.Params {
		if p.Name == name {
			return p
		}
	}
	return har.Param{}
}

func hasKind(a *har.Analysis, kind string) bool {
	for _, r := range a.Requests {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

func hasAnswer(a *har.Analysis, row catalog.ID) bool {
	for _, r := range a.Requests {
		if r.Row == row {
			return true
		}
	}
	return false
}

// codeIn returns the authorization code the IdP sent back in the HAR.
func codeIn(t *testing.T, data []byte) string {
	t.Helper()
	entries, _ := har.Decode(data)
	for _, e := range entries {
		for _, s := range []string{e.URL, e.Location} {
			if u, err := url.Parse(s); err == nil && u.Query().Get("code") != "" && strings.Contains(u.Host, "18080") {
				return u.Query().Get("code")
			}
		}
	}
	t.Fatal("no code in the recorded HAR")
	return ""
}

// TestFirefoxHAR: Firefox's dialect (relative redirect URLs, decoded query
// strings, bodies left out) with an error redirect after the sign-in.
func TestFirefoxHAR(t *testing.T) {
	data, err := os.ReadFile("testdata/firefox-policy.har")
	if err != nil {
		t.Fatal(err)
	}
	a := analyze(t, data)
	if len(a.Matches) == 0 || a.Matches[0].Row != catalog.AccessDeniedPolicy {
		t.Fatalf("matches %+v", a.Matches)
	}
	for _, p := range a.Requests[0].Params {
		if !p.OK {
			t.Errorf("%s marked wrong: %+v", p.Name, p)
		}
	}
	if hasKind(a, "answer") {
		t.Errorf("the favicon's 404 was taken for an answer: %+v", a.Requests)
	}
	clean, err := har.Sanitize(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"102f7Kd9sEsSIONcookie", "Winter2026!", "20111ZfN4fQJ8QmbrxeSessionTok", "DI1abcdef"} {
		if bytes.Contains(clean, []byte(secret)) {
			t.Errorf("the sanitized copy holds %s", secret)
		}
	}
	for _, kept := range []string{"Policy+evaluation+failed", "alice@acme.example", "code_challenge_method=S256"} {
		if !bytes.Contains(clean, []byte(kept)) {
			t.Errorf("the sanitized copy lost %s", kept)
		}
	}
}

// TestSAMLTracerExport: SAML-tracer's export (no bodies, masked post
// values) of an Entra sign-in that asked without offline_access and was
// refused by assignment.
func TestSAMLTracerExport(t *testing.T) {
	data, err := os.ReadFile("testdata/samltracer-entra.json")
	if err != nil {
		t.Fatal(err)
	}
	a := analyze(t, data)
	if len(a.Matches) < 2 || a.Matches[0].Row != catalog.RefreshTokenMissing {
		t.Fatalf("matches %+v", a.Matches)
	}
	if p := param(a.Requests[0], "scope"); p.OK || p.Row != catalog.RefreshTokenMissing {
		t.Errorf("scope: %+v", p)
	}
	if !hasAnswer(a, catalog.AccessDeniedPolicy) {
		t.Errorf("AADSTS50105's redirect not read: %+v", a.Requests)
	}
}

// TestSanitizeSAMLResponse: a posted SAML response keeps its assertion and
// loses its signature and certificate.
func TestSanitizeSAMLResponse(t *testing.T) {
	xml := `<samlp:Response><saml:Assertion><saml:Subject><saml:NameID>alice@acme.example</saml:NameID></saml:Subject><ds:Signature><ds:SignatureValue>c2lnbmF0dXJlVmFsdWU=</ds:SignatureValue><ds:X509Certificate>MIICertificateBytes</ds:X509Certificate></ds:Signature></saml:Assertion></samlp:Response>`
	doc := map[string]any{"log": map[string]any{"entries": []any{map[string]any{
		"request": map[string]any{"method": "POST", "url": "https://sp.example/acs", "headers": []any{},
			"postData": map[string]any{"mimeType": "application/x-www-form-urlencoded",
				"params": []any{map[string]any{"name": "SAMLResponse", "value": base64.StdEncoding.EncodeToString([]byte(xml))}},
				"text":   "SAMLResponse=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(xml)))}},
		"response": map[string]any{"status": 200, "headers": []any{}, "content": map[string]any{}}}}}}
	data, _ := json.Marshal(doc)
	clean, err := har.Sanitize(data)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Log struct {
			Entries []struct {
				Request struct {
					PostData struct {
						Params []struct{ Value string }
						Text   string
					}
				}
			}
		}
	}
	if err := json.Unmarshal(clean, &out); err != nil {
		t.Fatal(err)
	}
	pd := out.Log.Entries[0].Request.PostData
	q, _ := url.ParseQuery(pd.Text)
	for _, v := range []string{pd.Params[0].Value, q.Get("SAMLResponse")} {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Fatalf("SAMLResponse no longer base64: %q", v)
		}
		s := string(b)
		if strings.Contains(s, "c2lnbmF0dXJlVmFsdWU=") || strings.Contains(s, "MIICertificateBytes") || !strings.Contains(s, "alice@acme.example") {
			t.Errorf("sanitized SAML response: %s", s)
		}
	}
}

// TestSanitizeMultipart: a multipart form's password and code are removed,
// its other fields kept.
func TestSanitizeMultipart(t *testing.T) {
	body := "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nWinter2026!\r\n--b\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nSplxlOBeZQQYbYS6WxSbIA\r\n--b--\r\n"
	doc := map[string]any{"log": map[string]any{"entries": []any{map[string]any{
		"request":  map[string]any{"method": "POST", "url": "https://idp.example/login", "postData": map[string]any{"mimeType": "multipart/form-data; boundary=b", "text": body}},
		"response": map[string]any{"status": 200}}}}}
	data, _ := json.Marshal(doc)
	clean, err := har.Sanitize(data)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(clean, []byte("Winter2026!")) || bytes.Contains(clean, []byte("SplxlOBeZQQYbYS6WxSbIA")) || !bytes.Contains(clean, []byte("alice")) {
		t.Errorf("sanitized multipart: %s", clean)
	}
}
