package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quickdiag/quickdiag/handlers"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
)

// samlExample is the SAML analyzer's example sign-in (checks/saml
// TestExampleFiles), checked at the time it was posted.
var (
	samlExample     = filepath.Join("..", "checks", "saml", "testdata", "example")
	samlExampleTime = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
)

func samlFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samlExample, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSAMLPage: the SAML page reads uploaded files and pasted text, names
// the claim to change, keeps no secret in the page, and says what is
// wrong with input it cannot read.
func TestSAMLPage(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ts, c := wizard(t, handlers.Options{Now: samlExampleTime})
	if _, page := do(t, c, "GET", ts.URL+"/saml", nil, nil); !strings.Contains(page, `data-testid="saml-form"`) {
		t.Fatalf("no form on the SAML page:\n%.1000s", page)
	}
	post := func(fields map[string]string, files map[string][]byte) string {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range files {
			fw, _ := mw.CreateFormFile(k, k+".upload")
			fw.Write(v)
		}
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		mw.Close()
		r, page := do(t, c, "POST", ts.URL+"/saml", &body, map[string]string{"Content-Type": mw.FormDataContentType()})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("POST /saml: HTTP %d", r.StatusCode)
		}
		return page
	}
	resp := samlFile(t, "response.b64")
	page := post(map[string]string{"response_text": string(resp), "entity_id": "urn:example:qbusiness:a1b2c3d4",
		"acs_url": "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/saml"},
		map[string][]byte{"metadata_file": samlFile(t, "metadata.xml"), "app_file": samlFile(t, "app.json")})
	for _, want := range []string{`data-testid="analysis"`, `data-row="saml_email_attribute_missing"`, "emailaddress", "but the application maps Email"} {
		if !strings.Contains(page, want) {
			t.Errorf("the results lack %q:\n%.3000s", want, page)
		}
	}
	if n := strings.Count(page, `data-status="fail"`); n != 1 {
		t.Errorf("%d failures, want only the email attribute's", n)
	}
	if strings.Contains(page, "Jane") || strings.Contains(page, "d2b1c6a0-0000-4000-8000-1234567890ab") {
		t.Error("an attribute value other than the email and group is shown")
	}
	// A response is kept in the form to edit; the metadata file is not.
	if !strings.Contains(page, string(resp[:40])) {
		t.Error("the pasted response is not kept in the form")
	}

	for _, tt := range []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"no metadata", nil, "give the IdP&#39;s metadata"},
		{"HTML as metadata", map[string][]byte{"metadata_file": []byte("<html><body>Sign in</body></html>")}, "Could not read"},
		{"entity bomb", map[string][]byte{"metadata_file": []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><EntityDescriptor>&lol2;</EntityDescriptor>`)}, "Could not read"},
		{"too large", map[string][]byte{"metadata_file": bytes.Repeat([]byte("<a>"), 6<<20)}, "larger than 16 MiB"},
	} {
		if page := post(nil, tt.files); !strings.Contains(page, tt.want) || !strings.Contains(page, `data-testid="error"`) {
			t.Errorf("%s: the page does not say %q:\n%.2000s", tt.name, tt.want, page)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestSAMLPageInBrowser: an administrator pastes the example into the
// SAML page in Chromium and sees the claim to change (the README's
// screenshot).
func TestSAMLPageInBrowser(t *testing.T) {
	ts, _ := wizard(t, handlers.Options{Now: samlExampleTime})
	browser := testbrowser.Start(t)
	tab := testbrowser.NewTab(t, browser)
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/saml")))
	for _, f := range []struct{ sel, value string }{
		{"#metadata-text", string(samlFile(t, "metadata.xml"))},
		{"#response-text", string(samlFile(t, "response.b64"))},
		{"#app-text", string(samlFile(t, "app.json"))},
		{"#entity-id", "urn:example:qbusiness:a1b2c3d4"},
		{"#acs-url", "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/saml"},
	} {
		must(t, testbrowser.SetValue(tab, f.sel, f.value))
	}
	must(t, testbrowser.Click(tab, `[data-testid=saml-form] button[type=submit]`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=analysis]") !== null && document.readyState === "complete"`))
	rows, err := testbrowser.Eval[[]string](tab, `Array.from(document.querySelectorAll("[data-testid=finding][data-status=fail]")).map(e => e.dataset.row)`)
	must(t, err)
	if len(rows) != 1 || rows[0] != "saml_email_attribute_missing" {
		t.Errorf("failures %v, want only saml_email_attribute_missing", rows)
	}
	if err := testbrowser.Screenshot(tab, outputDir(t, "wizard"), "14-saml.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
}
