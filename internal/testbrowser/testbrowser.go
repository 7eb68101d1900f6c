// Package testbrowser drives a real headless Chromium (Debian's chromium)
// for end-to-end tests, through the DevTools protocol with chromedp.
package testbrowser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Path returns the Chromium binary: $CHROMIUM, or Debian's /usr/bin/chromium.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Start starts a headless Chromium for the test and returns a context for
// chromedp actions. Without Chromium the test is skipped, except under CI,
// where it fails. TLS errors are ignored: the test IdPs use a test CA, and
// every address the browser visits is on loopback.
func Start(t testing.TB) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (apt-get install chromium): the browser tests need it")
		}
		t.Skip("chromium is not installed: skipping browser tests (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// NewTab opens a new tab in the browser of ctx, in a browser context of its
// own (no cookies shared with other tabs, like a fresh private window); it
// closes with the test.
func NewTab(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// Every action in a test tab is bounded: a missing element fails the
	// test instead of hanging it.
	tab, cancelTimeout := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return tab
}

// SignIn follows an OIDC sign-in in the tab as a person would with
// oidc-provider's development pages: it types login and password, presses
// Sign-in, presses Continue on the consent page, and returns the text of
// quickdiag's result page once the browser lands on the loopback redirect.
func SignIn(ctx context.Context, signInURL, login string) (string, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(signInURL)); err != nil {
		return "", fmt.Errorf("open the sign-in URL: %w", err)
	}
	return Complete(ctx, login)
}

// Complete finishes a sign-in already under way in the tab (see SignIn).
// When nothing answers the redirect (the browser shows its network error
// page), it returns that page's text.
func Complete(ctx context.Context, login string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	step := "the sign-in URL"
	for {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("sign-in did not finish (last page: %s): %w", step, err)
		}
		kind, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=signin-result]') || location.href.startsWith('chrome-error:') ? 'result'
			: document.querySelector('input[name=login]') ? 'login'
			: document.querySelector('input[name=username]') && document.querySelector('input[name=password]') ? 'username'
			: document.querySelector('input[name=prompt][value=consent]') ? 'consent' : 'other'`))
		if err != nil { // the page is navigating; look again
			_ = chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond))
			continue
		}
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		step = kind + " at " + loc
		switch kind {
		case "result":
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			return strings.TrimSpace(text), err
		case "login":
			err = chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS("input[name=login]"), login),
				chromedp.SendKeys(chromedp.CSS("input[name=password]"), "any password"),
				chromedp.Click(chromedp.CSS("button[type=submit]")),
				chromedp.WaitNotPresent(chromedp.CSS("input[name=login]")),
			)
		case "username": // ZITADEL's example login page: its users' password is fixed
			err = chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS("input[name=username]"), login),
				chromedp.SendKeys(chromedp.CSS("input[name=password]"), "verysecure"),
				chromedp.Click(chromedp.CSS("button[type=submit]")),
				chromedp.WaitNotPresent(chromedp.CSS("input[name=username]")),
			)
		case "consent":
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("button[type=submit]")),
				chromedp.WaitNotPresent(chromedp.CSS("input[name=prompt][value=consent]")),
			)
		default:
			err = chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond))
		}
		_ = err // a step cut short by navigation is looked at again
	}
}

// Screenshot brings the tab to the front and saves a full-page PNG of it
// under dir, for people to look at.
func Screenshot(ctx context.Context, dir, name string) error {
	if _, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{}); err != nil {
		return err
	}
	// A tab that was behind another may report no size until it has a viewport.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		return err
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 makes a PNG; below, a JPEG
	if err != nil {
		// A busy machine may not have laid the page out yet: once more.
		_ = chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond))
		if png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), png, 0o644)
}

// WaitFor waits until the JavaScript expression is true in the tab, or the
// context ends (45 seconds at most). Unlike chromedp.Poll it survives the
// page navigating meanwhile (the wizard moves itself on to its results),
// by evaluating the expression afresh every 100 ms.
func WaitFor(ctx context.Context, expr string) error {
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
		}
		_ = chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond))
	}
}

// Eval evaluates a JavaScript expression in the tab, awaiting a promise.
func Eval[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }))
}

// Click clicks the first element matching the CSS selector once the tab's
// document has finished loading and holds it. It clicks from JavaScript
// rather than through chromedp's DOM node ids, which a navigation that
// commits between the query and the click invalidates ("Could not find node
// with given id").
func Click(ctx context.Context, selector string) error {
	sel := jsQuote(selector)
	if err := WaitFor(ctx, `document.readyState === "complete" && document.querySelector(`+sel+`) !== null`); err != nil {
		return err
	}
	_, err := Eval[bool](ctx, `(() => { document.querySelector(`+sel+`).click(); return true })()`)
	return err
}

// Type focuses the first element matching the CSS selector once the tab's
// document has finished loading, then types text into it as key events
// (input events fire as they would for a user). Like Click it finds the
// element from JavaScript, not through chromedp's DOM node ids.
func Type(ctx context.Context, selector, text string) error {
	sel := jsQuote(selector)
	if err := WaitFor(ctx, `document.readyState === "complete" && document.querySelector(`+sel+`) !== null`); err != nil {
		return err
	}
	if _, err := Eval[bool](ctx, `(() => { document.querySelector(`+sel+`).focus(); return document.activeElement === document.querySelector(`+sel+`) })()`); err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.KeyEvent(text))
}

// SetValue sets the value of the first form field matching the CSS
// selector once the tab's document has finished loading, and fires its
// input and change events, from JavaScript like Click.
func SetValue(ctx context.Context, selector, value string) error {
	sel := jsQuote(selector)
	if err := WaitFor(ctx, `document.readyState === "complete" && document.querySelector(`+sel+`) !== null`); err != nil {
		return err
	}
	_, err := Eval[bool](ctx, `(() => { const e = document.querySelector(`+sel+`); e.value = `+jsQuote(value)+`;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
	return err
}

func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
