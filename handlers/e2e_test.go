package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/quickdiag/quickdiag/checks/demo"
	"github.com/quickdiag/quickdiag/checks/suite"
	"github.com/quickdiag/quickdiag/handlers"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// outputDir is where the end-to-end tests leave screenshots and the
// exported report for people to look at.
func outputDir(t *testing.T, name string) string {
	dir := filepath.Join("..", "test-output", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// clickOpensTab clicks what selector names in tab and returns the new tab
// it opens (a form with target=_blank), to close when done.
func clickOpensTab(t *testing.T, tab context.Context, selector string) (context.Context, context.CancelFunc) {
	t.Helper()
	opened := chromedp.WaitNewTarget(tab, func(i *target.Info) bool { return i.Type == "page" })
	// A real click (a user's gesture opens the tab), once the page is whole.
	must(t, testbrowser.WaitFor(tab, `document.readyState === "complete" && document.querySelector(`+jsString(selector)+`) !== null`))
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(selector))))
	select {
	case id := <-opened:
		return chromedp.NewContext(tab, chromedp.WithTargetID(id))
	case <-time.After(30 * time.Second):
		t.Fatalf("clicking %s opened no tab", selector)
		return nil, nil
	}
}

func TestWizardEndToEnd(t *testing.T) {
	server := testidp.OktaServer("default")
	server.Accounts = map[string]testidp.Account{"alice": {Email: "alice@example.com"}}
	idp := testidp.Start(t, testidp.Options{Servers: []testidp.Server{server, testidp.OktaServer("other")}})
	rec := &testidp.TokenRecorder{Base: idp.HTTPClient().Transport}
	ts, _ := wizard(t, handlers.Options{Engine: &suite.Engine{HTTPClient: &http.Client{Transport: rec}, ToolVersion: "e2e"}, Timeout: 90 * time.Second, Version: "e2e"})
	browser := testbrowser.Start(t)
	out := outputDir(t, "wizard")
	shot := func(ctx context.Context, name string) {
		t.Helper()
		if err := testbrowser.Screenshot(ctx, out, name); err != nil {
			t.Logf("screenshot %s not saved: %v", name, err) // an artifact for people, not an assertion
		}
	}
	fill := func(t *testing.T, ctx context.Context, values map[string]string) {
		t.Helper()
		for _, key := range []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "client_id"} {
			must(t, testbrowser.Type(ctx, "#f-"+key, values[key]))
		}
	}
	count := func(t *testing.T, ctx context.Context, sel string) int {
		n, err := testbrowser.Eval[int](ctx, `document.querySelectorAll(`+jsString(sel)+`).length`)
		must(t, err)
		return n
	}
	cfg := idp.ServerConfig("default")
	values := map[string]string{"issuer": cfg.Issuer, "authorization_endpoint": cfg.AuthorizationEndpoint,
		"token_endpoint": cfg.TokenEndpoint, "jwks_uri": cfg.JWKSURI, "client_id": cfg.ClientID}

	t.Run("good values, sign-in, results, export", func(t *testing.T) {
		tab := testbrowser.NewTab(t, browser)
		// 1. Choose the IdP.
		must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/")))
		must(t, testbrowser.Click(tab, `input[value=okta]`))
		shot(tab, "1-choose-idp.png")
		must(t, testbrowser.Click(tab, `button[type=submit]`))
		must(t, testbrowser.WaitFor(tab, `location.pathname === "/values"`))
		// 2. Paste the values; the live feedback has nothing to say.
		fill(t, tab, values)
		must(t, testbrowser.WaitFor(tab, `document.getElementById("lint").textContent.includes("Nothing to report")`))
		shot(tab, "2-values.png")
		must(t, testbrowser.Click(tab, `form.values button[type=submit]`))
		// 3. The preflight streams in.
		must(t, testbrowser.WaitFor(tab, `document.body.dataset.preflight === "done"`))
		shot(tab, "3-preflight.png")
		if n := count(t, tab, `[data-testid=finding]`); n < 10 {
			t.Errorf("%d findings on the page", n)
		}
		if n := count(t, tab, `[data-testid=finding][data-status=fail], [data-testid=finding][data-status=warn], [data-testid=running]`); n != 0 {
			t.Errorf("%d findings failed, warned or never finished", n)
		}
		// 4. Sign in: the button opens the IdP in a new tab; this page follows.
		must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/signin")))
		must(t, testbrowser.Type(tab, "#email", "alice@example.com"))
		shot(tab, "4-signin.png")
		testidp.LockLoopbackPort(t)
		signInTab, closeTab := clickOpensTab(t, tab, `[data-testid=start-signin]`)
		page, err := testbrowser.Complete(signInTab, "alice")
		closeTab()
		must(t, err)
		if !strings.Contains(page, "Signed in — return to quickdiag") {
			t.Errorf("sign-in tab: %q", page)
		}
		// 5. The first tab moved on to the results by itself.
		must(t, testbrowser.WaitFor(tab, `location.pathname === "/results"`))
		shot(tab, "5-results.png")
		email, err := testbrowser.Eval[string](tab, `document.querySelector("[data-testid=email]").textContent`)
		must(t, err)
		if email != "alice@example.com" {
			t.Errorf("highlighted email %q", email)
		}
		if n := count(t, tab, `tr.email`); n < 2 {
			t.Errorf("email claim rows highlighted: %d (ID token and refreshed)", n)
		}
		if n := count(t, tab, `[data-testid=finding][data-status=fail]`); n != 0 {
			t.Errorf("%d failures after the sign-in", n)
		}
		// 6. Export, and open the report offline.
		must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/export")))
		shot(tab, "6-export.png")
		report, err := testbrowser.Eval[string](tab, `fetch("/export/report.html").then(r => r.text())`)
		must(t, err)
		reportJSON, err := testbrowser.Eval[string](tab, `fetch("/export/report.json").then(r => r.text())`)
		must(t, err)
		path, _ := filepath.Abs(filepath.Join(out, "report.html"))
		must(t, os.WriteFile(path, []byte(report), 0o644))
		tokens := rec.Tokens()
		if len(tokens) < 4 {
			t.Fatalf("only %d tokens recorded: the leak check would prove little", len(tokens))
		}
		for _, tok := range tokens {
			if strings.Contains(report, tok) || strings.Contains(reportJSON, tok) {
				t.Error("a raw token or signature appears in the exported report")
			}
		}
		for _, bad := range []string{"<script", "src=\"http", "href=\"http", "@import", "url("} {
			if strings.Contains(report, bad) {
				t.Errorf("the report is not self-contained: it has %q", bad)
			}
		}
		offline := testbrowser.NewTab(t, browser)
		must(t, chromedp.Do(offline, chromedp.Navigate("file://"+path)))
		title, err := testbrowser.Eval[string](offline, `document.querySelector("h1").textContent + " | " + document.querySelectorAll("[data-testid=finding]").length + " | " + getComputedStyle(document.querySelector(".finding")).borderLeftWidth`)
		must(t, err)
		if !strings.HasPrefix(title, "Okta | ") || strings.HasSuffix(title, "| 0px") || strings.Contains(title, "| 0 |") {
			t.Errorf("the offline report renders as %q", title)
		}
		shot(offline, "7-report.png")
	})

	t.Run("a broken value shows its row", func(t *testing.T) {
		tab := testbrowser.NewTab(t, browser)
		broken := map[string]string{}
		for k, v := range values {
			broken[k] = v
		}
		broken["jwks_uri"] = idp.ServerConfig("other").JWKSURI
		must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/")))
		must(t, testbrowser.Click(tab, `input[value=okta]`))
		must(t, testbrowser.Click(tab, `button[type=submit]`))
		must(t, testbrowser.WaitFor(tab, `location.pathname === "/values"`))
		fill(t, tab, broken)
		must(t, testbrowser.WaitFor(tab, `document.querySelector("#lint [data-row=jwks_mismatch]") !== null`))
		must(t, testbrowser.Click(tab, `form.values button[type=submit]`))
		must(t, testbrowser.WaitFor(tab, `document.body.dataset.preflight === "done"`))
		shot(tab, "8-preflight-broken.png")
		if n := count(t, tab, `[data-check="jwks.same_keys"][data-status=fail][data-row=jwks_mismatch]`); n != 1 {
			t.Errorf("jwks.same_keys failing with jwks_mismatch shown %d times", n)
		}
		text, err := testbrowser.Eval[string](tab, `document.querySelector('[data-check="jwks.same_keys"][data-status=fail]').textContent`)
		must(t, err)
		for _, want := range []string{"Fix:", "Expected", idp.ServerConfig("default").JWKSURI} {
			if !strings.Contains(text, want) {
				t.Errorf("the finding lacks %q: %s", want, text)
			}
		}
		// The results lead with the values to paste: the JWKS URI corrected
		// to the issuer's own, and the Client ID, which nothing proved
		// without a sign-in, offered without a copy button.
		must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/results")))
		shot(tab, "8-results-broken.png")
		status, err := testbrowser.Eval[string](tab, `[...document.querySelectorAll("[data-testid=paste] tr")].map(r => r.querySelector("td").dataset.key + "=" + r.dataset.status + (r.querySelector("button") ? "+copy" : "")).join(" ")`)
		must(t, err)
		for _, want := range []string{"jwks_uri=corrected+copy", "issuer=verified+copy"} {
			if !strings.Contains(status, want) {
				t.Errorf("values to paste: %s; want %s", status, want)
			}
		}
		value, err := testbrowser.Eval[string](tab, `document.querySelector('[data-testid=paste] td[data-key=jwks_uri] code').textContent`)
		must(t, err)
		if value != idp.ServerConfig("default").JWKSURI {
			t.Errorf("the JWKS URI to paste is %q, want the issuer's own", value)
		}
		// At a phone's width nothing scrolls sideways.
		for _, page := range []string{"/results", "/preflight", "/values", "/"} {
			must(t, chromedp.Do(tab, chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+page)))
			over, err := testbrowser.Eval[string](tab, `(() => { const w = document.documentElement.clientWidth; return [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 3).map(e => e.tagName + "." + e.className).join(", ") + (document.documentElement.scrollWidth > w ? " scrollWidth " + document.documentElement.scrollWidth : "") })()`)
			must(t, err)
			if over != "" {
				t.Errorf("%s at 390 px wide overflows: %s", page, over)
			}
		}
	})
}

func TestTriagePageInBrowser(t *testing.T) {
	ts, _ := wizard(t, handlers.Options{})
	browser := testbrowser.Start(t)
	tab := testbrowser.NewTab(t, browser)
	out := outputDir(t, "wizard")
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/triage")))
	must(t, testbrowser.Type(tab, "#text", "Sign-in failed\nUser not found\nCorrelation Id: 0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b"))
	must(t, testbrowser.Click(tab, `form button[type=submit]`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=question]") !== null`))
	rows, err := testbrowser.Eval[string](tab, `[...document.querySelectorAll("[data-testid=match]")].map(e => e.dataset.row).join(",")`)
	must(t, err)
	if rows != "email_claim_missing,email_not_provisioned,email_case_mismatch" {
		t.Errorf("candidates %q", rows)
	}
	// The matched words are marked inside the text around them.
	marked, err := testbrowser.Eval[string](tab, `document.querySelector("[data-testid=matched] mark").textContent + " | " + document.querySelector("[data-testid=matched]").textContent`)
	must(t, err)
	if marked != "User not found | Sign-in failed User not found Correlation Id: 0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b" {
		t.Errorf("matched: %q", marked)
	}
	if err := testbrowser.Screenshot(tab, out, "9-triage.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
	// A HAR export uploaded: the request compared, the IdP's answer named.
	harFile, err := filepath.Abs("../checks/har/testdata/firefox-policy.har")
	must(t, err)
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/triage"), chromedp.SetUploadFiles(chromedp.CSS("#har"), []string{harFile})))
	must(t, testbrowser.Click(tab, `[data-testid=har-form] button[type=submit]:not([formaction])`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=har-answer][data-row=access_denied_policy]") !== null`))
	if first, err := testbrowser.Eval[string](tab, `document.querySelector("[data-testid=match]").dataset.row`); err != nil || first != "access_denied_policy" {
		t.Errorf("HAR: first match %q (%v)", first, err)
	}
	if err := testbrowser.Screenshot(tab, out, "11-triage-har.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
	// The guided path, by keyboard-free clicks through to a conclusion.
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/triage/guide")))
	must(t, testbrowser.Click(tab, `a[href="/triage/guide?q=after"]`))
	must(t, testbrowser.WaitFor(tab, `location.search === "?q=after"`))
	must(t, testbrowser.Click(tab, `a[href="/triage/guide?q=user"]`))
	must(t, testbrowser.WaitFor(tab, `location.search === "?q=user"`))
	must(t, testbrowser.Click(tab, `a[href="/triage/guide?row=email_claim_missing"]`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=conclusion][data-row=email_claim_missing]") !== null`))
	if err := testbrowser.Screenshot(tab, out, "10-guided.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestPracticeIdPInBrowser: from the wizard's first page to the practice
// IdP, a scenario whose failure only a sign-in shows (the email differs in
// letter case): its values filled, a clean preflight, the sign-in through
// the practice login page, the results with its row; then practice mode,
// answered right.
func TestPracticeIdPInBrowser(t *testing.T) {
	ts, _ := wizard(t, handlers.Options{Timeout: 60 * time.Second, PracticePick: func(broken []demo.Scenario) demo.Scenario {
		for _, s := range broken {
			if s.Name == "entra-no-email" {
				return s
			}
		}
		return broken[0]
	}})
	browser := testbrowser.Start(t)
	tab := testbrowser.NewTab(t, browser)
	out := outputDir(t, "wizard")
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/")))
	must(t, testbrowser.Click(tab, `[data-testid=try-demo] a`))
	must(t, testbrowser.WaitFor(tab, `location.pathname === "/demo" && document.readyState === "complete"`))
	if n, err := testbrowser.Eval[int](tab, `document.querySelectorAll("[data-testid=demo-group]").length`); err != nil || n < 10 {
		t.Errorf("%d IdP groups on the practice page (%v)", n, err)
	}
	if err := testbrowser.Screenshot(tab, out, "12-demo.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
	must(t, testbrowser.Click(tab, `[data-testid=scenario][data-name=okta-email-case] button`))
	must(t, testbrowser.WaitFor(tab, `location.pathname === "/values" && document.querySelector("#f-issuer").value.startsWith("http://127.0.0.1:")`))
	must(t, testbrowser.Click(tab, `form.values button[type=submit]`))
	must(t, testbrowser.WaitFor(tab, `document.body.dataset.preflight === "done"`))
	if n, err := testbrowser.Eval[int](tab, `document.querySelectorAll("[data-testid=finding][data-status=fail], [data-testid=finding][data-status=warn]").length`); err != nil || n != 0 {
		t.Errorf("the preflight of a sign-in-only scenario found %d problems (%v)", n, err)
	}
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/signin")))
	if email, _ := testbrowser.Eval[string](tab, `document.querySelector("#email").value`); email != demo.Users[0].Email {
		t.Errorf("the sign-in's email is %q, want the provisioned user's", email)
	}
	testidp.LockLoopbackPort(t)
	signInTab, closeTab := clickOpensTab(t, tab, `[data-testid=start-signin]`)
	_, err := testbrowser.Complete(signInTab, demo.Users[0].Username)
	closeTab()
	must(t, err)
	must(t, testbrowser.WaitFor(tab, `location.pathname === "/results"`))
	if n, err := testbrowser.Eval[int](tab, `document.querySelectorAll("[data-testid=finding][data-status=fail][data-row=email_case_mismatch]").length`); err != nil || n == 0 {
		t.Errorf("the results do not name email_case_mismatch (%v)", err)
	}
	// Practice mode: the symptom only, then the answer.
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/practice")))
	must(t, testbrowser.Click(tab, `[data-testid=practice-new]`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=symptom]") !== null && document.readyState === "complete"`))
	symptom, _ := testbrowser.Eval[string](tab, `document.querySelector("[data-testid=symptom]").textContent`)
	if !strings.Contains(symptom, "User not found") || strings.Contains(symptom, "optional claim") {
		t.Errorf("symptom %q", symptom)
	}
	must(t, testbrowser.SetValue(tab, "#row", "email_claim_missing"))
	must(t, testbrowser.Click(tab, `[data-testid=practice-answer] button[type=submit]`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=verdict]") !== null`))
	if right, _ := testbrowser.Eval[string](tab, `document.querySelector("[data-testid=verdict]").dataset.right`); right != "true" {
		t.Errorf("the right answer was not taken as right: %q", right)
	}
	if err := testbrowser.Screenshot(tab, out, "13-practice.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
}

// TestDemoShapesInBrowser: one scenario in each IdP's URL shape, chosen on
// the practice page and walked in the wizard as an administrator would —
// values, preflight, the live sign-in through the practice login (and the
// vendor's consent page where it has one) — ends with exactly the
// scenario's row, or clean for a good one.
func TestDemoShapesInBrowser(t *testing.T) {
	walks := []string{"okta-policy", "entra-no-email", "google-good", "pingfederate-refresh-no-id-token", "pingone-good",
		"cognito-good", "auth0-good", "keycloak-good", "adfs-good", "generic-wrong-audience"}
	ts, _ := wizard(t, handlers.Options{Timeout: 60 * time.Second})
	browser := testbrowser.Start(t)
	seen := map[string]bool{}
	for _, name := range walks {
		sc, ok := demo.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s", name)
		}
		seen[sc.IdP] = true
		t.Run(name, func(t *testing.T) {
			tab := testbrowser.NewTab(t, browser)
			must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/demo")))
			must(t, testbrowser.WaitFor(tab, `document.readyState === "complete"`))
			must(t, testbrowser.Click(tab, `[data-testid=scenario][data-name=`+name+`] button`))
			must(t, testbrowser.WaitFor(tab, `location.pathname === "/values" && document.querySelector("#f-issuer").value.startsWith("http://127.0.0.1:")`))
			must(t, testbrowser.Click(tab, `form.values button[type=submit]`))
			must(t, testbrowser.WaitFor(tab, `document.body.dataset.preflight === "done"`))
			problems := `Array.from(document.querySelectorAll("[data-testid=finding][data-status=fail], [data-testid=finding][data-status=warn]")).map(e => e.dataset.row)`
			if rows, err := testbrowser.Eval[[]string](tab, problems); err != nil || len(rows) != 0 {
				t.Errorf("the preflight found %v (%v); want nothing before the sign-in", rows, err)
			}
			must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/signin")))
			testidp.LockLoopbackPort(t)
			signInTab, closeTab := clickOpensTab(t, tab, `[data-testid=start-signin]`)
			_, err := testbrowser.Complete(signInTab, demo.Users[0].Username)
			closeTab()
			must(t, err)
			must(t, testbrowser.WaitFor(tab, `location.pathname === "/results"`))
			rows, err := testbrowser.Eval[[]string](tab, problems)
			must(t, err)
			switch {
			case sc.Row == "" && len(rows) != 0:
				t.Errorf("a good configuration ended with %v", rows)
			case sc.Row != "" && !slices.Contains(rows, string(sc.Row)):
				t.Errorf("want %s, the results name %v", sc.Row, rows)
			}
		})
	}
	for _, s := range demo.All() {
		if !seen[s.IdP] {
			t.Errorf("no walk in %s's shape", s.IdP)
		}
	}
}
