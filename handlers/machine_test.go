package handlers_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quickdiag/quickdiag/checks/demo"
	"github.com/quickdiag/quickdiag/handlers"
	"github.com/quickdiag/quickdiag/internal/testbrowser"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// TestMachineStep: the machine step runs the doctor's checks against the
// session's IdP (the practice IdP here: its clock and its endpoints), the
// wizard's steps list it before the sign-in, and a browser test refuses
// to start while port 18080 is taken.
func TestMachineStep(t *testing.T) {
	ts, c := wizard(t, handlers.Options{BrowserWait: 2 * time.Second})
	do(t, c, "POST", ts.URL+"/demo/start", form("scenario", "generic-clock-skew"), nil)
	_, page := do(t, c, "GET", ts.URL+"/machine", nil, nil)
	if !strings.Contains(page, `<span aria-current="step">This machine</span>`) || !strings.Contains(page, `data-testid="machine-run"`) {
		t.Fatalf("the machine step:\n%.2000s", page)
	}
	r, _ := do(t, c, "POST", ts.URL+"/machine/run", nil, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: HTTP %d", r.StatusCode)
	}
	_, page = do(t, c, "GET", ts.URL+"/machine", nil, nil)
	for _, want := range []string{`data-check="doctor.port"`, `data-check="doctor.localhost"`, `data-check="doctor.proxy"`,
		`data-check="doctor.clock" data-status="fail" data-row="clock_skew"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the machine step lacks %s:\n%.4000s", want, page)
		}
	}

	testidp.LockLoopbackPort(t)
	held, err := net.Listen("tcp", "127.0.0.1:18080")
	if err != nil {
		t.Fatal(err)
	}
	_, page = do(t, c, "POST", ts.URL+"/machine/browser", nil, nil)
	held.Close()
	if !strings.Contains(page, "Port 18080 is in use") {
		t.Errorf("a browser test with the port taken:\n%.1500s", page)
	}
}

// TestMachineBrowserTestStopsForASignIn: a browser test waiting on port
// 18080 gives the port up when a sign-in starts, and says it was stopped.
func TestMachineBrowserTestStopsForASignIn(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ts, c := wizard(t, handlers.Options{BrowserWait: 30 * time.Second})
	do(t, c, "POST", ts.URL+"/demo/start", form("scenario", "okta-good"), nil)
	if _, page := do(t, c, "POST", ts.URL+"/machine/browser", nil, nil); !strings.Contains(page, `content="0;url=http://localhost:18080/quickdiag-doctor/`) {
		t.Fatalf("the browser test's tab does not go on to the test page:\n%.1500s", page)
	}
	if l, err := net.Listen("tcp", "127.0.0.1:18080"); err == nil {
		l.Close()
		t.Fatal("the browser test does not hold port 18080")
	}
	do(t, c, "POST", ts.URL+"/signin/start", form("email", demo.Users[0].Email), nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := do(t, c, "GET", ts.URL+"/machine/browser/status", nil, nil)
		var st struct {
			Done bool
			HTML string
		}
		json.Unmarshal([]byte(body), &st)
		if st.Done {
			if !strings.Contains(st.HTML, "stopped") {
				t.Errorf("the stopped browser test says: %s", st.HTML)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the browser test did not stop when the sign-in started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, c, "POST", ts.URL+"/signin/cancel", nil, nil)
}

// TestMachineStepInBrowser: in Chromium, the browser test opens its page
// on http://localhost:18080 in a new tab, the page says it works, and the
// machine step shows the browser's arrival.
func TestMachineStepInBrowser(t *testing.T) {
	testidp.LockLoopbackPort(t)
	ts, _ := wizard(t, handlers.Options{BrowserWait: 30 * time.Second})
	browser := testbrowser.Start(t)
	tab := testbrowser.NewTab(t, browser)
	must(t, chromedp.Do(tab, chromedp.Navigate(ts.URL+"/machine")))
	must(t, testbrowser.Click(tab, `[data-testid=machine-run] button`))
	must(t, testbrowser.WaitFor(tab, `document.querySelector("[data-testid=analysis]") !== null && document.readyState === "complete"`))
	testTab, closeTab := clickOpensTab(t, tab, `[data-testid=test-browser]`)
	defer closeTab()
	if err := testbrowser.WaitFor(testTab, `document.querySelector("[data-testid=doctor-browser-result]") !== null`); err != nil {
		loc, _ := testbrowser.Eval[string](testTab, `location.href + " " + document.body.innerText`)
		t.Fatalf("the test page did not show (%v): %s", err, loc)
	}
	must(t, testbrowser.WaitFor(tab, `document.body.dataset.browserTest === "done"`))
	text, err := testbrowser.Eval[string](tab, `document.querySelector("[data-testid=browser-result]").textContent`)
	must(t, err)
	if !strings.Contains(text, "The browser reached http://localhost:18080 over IPv") {
		t.Errorf("the machine step says: %q", text)
	}
	if err := testbrowser.Screenshot(tab, outputDir(t, "wizard"), "15-machine.png"); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}
}

// TestReportCarriesTheSessionsAnalyses: the exported report holds what the
// machine step and the SAML page found in the same session, each its own
// section, without changing the verdict of the values.
func TestReportCarriesTheSessionsAnalyses(t *testing.T) {
	ts, c := wizard(t, handlers.Options{Now: samlExampleTime})
	do(t, c, "POST", ts.URL+"/demo/start", form("scenario", "generic-clock-skew"), nil)
	if _, events := do(t, c, "GET", ts.URL+"/preflight/events", nil, nil); !strings.Contains(events, "event: done") {
		t.Fatalf("the preflight did not finish: %.300s", events)
	}
	_, before := do(t, c, "GET", ts.URL+"/export/report.json", nil, nil)
	do(t, c, "POST", ts.URL+"/machine/run", nil, nil)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("response_text", string(samlFile(t, "response.b64")))
	mw.WriteField("metadata_text", string(samlFile(t, "metadata.xml")))
	mw.WriteField("entity_id", "urn:example:qbusiness:a1b2c3d4")
	mw.WriteField("acs_url", "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/saml")
	mw.Close()
	do(t, c, "POST", ts.URL+"/saml", &body, map[string]string{"Content-Type": mw.FormDataContentType()})

	_, js := do(t, c, "GET", ts.URL+"/export/report.json", nil, nil)
	var rep, was struct {
		Verdict  string
		Analyses []struct {
			Analyzer string
			Findings []struct{ Check, Status, Row string }
		}
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("%v: %.500s", err, js)
	}
	json.Unmarshal([]byte(before), &was)
	if len(was.Analyses) != 0 {
		t.Errorf("analyses before any ran: %+v", was.Analyses)
	}
	var names []string
	clock := false
	for _, a := range rep.Analyses {
		names = append(names, a.Analyzer)
		for _, f := range a.Findings {
			clock = clock || f.Check == "doctor.clock" && f.Status == "fail" && f.Row == "clock_skew"
		}
	}
	if strings.Join(names, ",") != "doctor,saml" || !clock {
		t.Errorf("analyses %v (the machine's clock failing: %v); want doctor,saml", names, clock)
	}
	if rep.Verdict != was.Verdict {
		t.Errorf("the verdict moved from %s to %s with the analyses", was.Verdict, rep.Verdict)
	}
	_, html := do(t, c, "GET", ts.URL+"/export/report.html", nil, nil)
	for _, want := range []string{`data-testid="analyses"`, "This machine", "SAML sign-in to the web app", `data-check="doctor.clock"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %s", want)
		}
	}

	// Other values: the machine checks read the old IdP's endpoints, so
	// they leave the report; the SAML analysis stays.
	do(t, c, "POST", ts.URL+"/demo/start", form("scenario", "okta-good"), nil)
	do(t, c, "GET", ts.URL+"/preflight/events", nil, nil)
	_, js = do(t, c, "GET", ts.URL+"/export/report.json", nil, nil)
	rep.Analyses = nil
	json.Unmarshal([]byte(js), &rep)
	names = nil
	for _, a := range rep.Analyses {
		names = append(names, a.Analyzer)
	}
	if strings.Join(names, ",") != "saml" {
		t.Errorf("analyses after the values changed: %v; want saml only", names)
	}
}
