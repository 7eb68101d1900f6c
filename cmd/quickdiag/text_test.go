package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// hostile is text an IdP can send: an escape sequence that clears the
// screen and rewrites the title, a bidi override that reverses a URL, a
// bell, a carriage return that overwrites the line.
const hostile = "ok\x1b]0;pwned\x07\x1b[2J \u202eevil.com/\u202c \r FAKE PASS"

func TestTextOutputEscapesNetworkText(t *testing.T) {
	r := checks.NewReport(checks.Config{Issuer: "https://idp.example"}, nil, time.Now())
	r.Findings = []checks.Finding{checks.Problem(checks.Fail, catalog.IdPError, "The IdP said "+hostile).
		WithDetail(hostile).WithEvidence("a sign-in page", hostile).WithFix(hostile)}
	r.Finish()
	var out bytes.Buffer
	if err := writeText(&out, r, false); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\r"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("the text output carries %q raw:\n%q", bad, out.String())
		}
	}
	if !strings.Contains(out.String(), `\x1b]0;pwned`) || !strings.Contains(out.String(), `\u202e`) {
		t.Errorf("the escapes are not shown escaped: %q", out.String())
	}
}

// FuzzTermSafe: whatever the input, termSafe's output holds no control
// character but line breaks, and no bidi control.
func FuzzTermSafe(f *testing.F) {
	for _, s := range []string{hostile, "plain", "a\nb\tc", "\xff\xfe", "\u2066x\u2069"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range termSafe(s) {
			if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
				t.Fatalf("termSafe(%q) keeps %U", s, r)
			}
		}
	})
}
