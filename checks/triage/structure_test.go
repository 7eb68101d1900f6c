package triage_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/triage"
)

// TestCodeCatalogs: every code catalog reads (the embedded files parse on
// first use, or triage panics), every entry names a row and its source,
// every IdP that names a catalog has one, and codes match on word
// boundaries only.
func TestCodeCatalogs(t *testing.T) {
	files := map[string]bool{}
	for _, c := range triage.Codes() {
		files[c.File] = true
		if _, ok := catalog.Lookup(c.Row); !ok || c.Source == "" || c.Meaning == "" {
			t.Errorf("%s %s: row %q, source %q, meaning %q", c.File, c.Code, c.Row, c.Source, c.Meaning)
		}
	}
	for _, p := range idp.All() {
		if p.Codes != "" && !files[p.Codes] {
			t.Errorf("%s names the code catalog %s, which has no entry", p.ID, p.Codes)
		}
	}
	for text, want := range map[string]catalog.ID{
		"AADSTS50011": catalog.RedirectMismatch, "IDX10214: Audience validation failed": catalog.AudienceMismatch,
		"error AADSTS700016 seen": catalog.InvalidClient, "Errors.User.RefreshToken.Invalid": catalog.RefreshTokenRejected,
	} {
		if ms := triage.Rank(text); len(ms) == 0 || ms[0].Row != want {
			t.Errorf("%q: %+v, want %s", text, ms, want)
		}
	}
	// A code inside a longer word is no code.
	for _, text := range []string{"XAADSTS50011", "AADSTS500110000000"} {
		for _, m := range triage.Rank(text) {
			if m.Row == catalog.RedirectMismatch {
				t.Errorf("%q matched %s", text, m.Row)
			}
		}
	}
}

// TestStructuredReading: the fields of an error response are read out of
// JSON, query strings and pages; a specific description outranks the
// generic OAuth name; the event's log location comes with its id.
func TestStructuredReading(t *testing.T) {
	body := `{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'contoso' not found.\r\nTrace ID: 9a8b7c6d-1111-2222-3333-444455556666\r\nCorrelation ID: aaaa1111-bbbb-2222-cccc-3333dddd4444\r\nTimestamp: 2026-11-20 09:15:11Z","error_codes":[90002]}`
	r := triage.Analyze("The app log says: " + body)
	if r.Facts == nil || r.Facts.Error != "invalid_request" || r.Facts.CorrelationID != "aaaa1111-bbbb-2222-cccc-3333dddd4444" ||
		r.Facts.TraceID == "" || !strings.HasPrefix(r.Facts.Timestamp, "2026-11-20 09:15:11") || !strings.Contains(strings.Join(r.Facts.Codes, ","), "AADSTS90002") {
		t.Errorf("facts: %+v", r.Facts)
	}
	if len(r.Matches) == 0 || r.Matches[0].Row != catalog.UnknownTenant {
		t.Errorf("the description's code must outrank invalid_request: %+v", r.Matches)
	}
	if len(r.Next) != 1 || !strings.Contains(r.Next[0], "Correlation ID = aaaa1111-bbbb-2222-cccc-3333dddd4444") || !strings.Contains(r.Next[0], "Sign-in logs") {
		t.Errorf("where to look: %q", r.Next)
	}
	// A redirect URL, URL-encoded: the description decides, not the name.
	r = triage.Analyze("http://localhost:18080/?error=invalid_request&error_description=The+redirect_uri+is+not+registered+for+this+client&state=x")
	if r.Facts == nil || r.Facts.Error != "invalid_request" || len(r.Matches) == 0 || r.Matches[0].Row != catalog.RedirectMismatch {
		t.Errorf("query string: %+v %+v", r.Facts, r.Matches)
	}
	// The generic name alone still answers.
	if ms := triage.Rank("error=invalid_grant"); len(ms) == 0 || ms[0].Row != catalog.RefreshTokenRejected {
		t.Errorf("invalid_grant alone: %+v", ms)
	}
	// The more specific match wins over the one inside it.
	if ms := triage.Rank("The refresh token has expired"); len(ms) == 0 || ms[0].Row != catalog.RefreshTokenRejected {
		t.Errorf("refresh token expired: %+v", ms)
	}
	// A vendor code naming no row keeps the vendor's words.
	if ms := triage.Rank("AADSTS50020"); len(ms) == 0 || ms[0].Row != catalog.IdPError || ms[0].Meaning == "" {
		t.Errorf("AADSTS50020: %+v", ms)
	}
	// Letters whose lower case is shorter or longer in UTF-8 (Turkish İ,
	// the Kelvin sign, ẞ) before the fields do not shift where they are read.
	for _, before := range []string{"İSTANBUL ofisi GİRİŞ hatası: ", strings.Repeat("\u212a", 40) + " ", "STRAẞE: "} {
		r := triage.Analyze(before + body)
		if r.Facts == nil || r.Facts.Error != "invalid_request" || r.Facts.CorrelationID != "aaaa1111-bbbb-2222-cccc-3333dddd4444" {
			t.Errorf("after %q, facts: %+v", before, r.Facts)
		}
		r = triage.Analyze(before + "error=invalid_client Trace ID: 0123456789abcdef")
		if r.Facts == nil || r.Facts.Error != "invalid_client" || r.Facts.TraceID != "0123456789abcdef" {
			t.Errorf("after %q, query facts: %+v", before, r.Facts)
		}
	}
}

// TestFactsInOneOrder: a JSON body's names are read in one order, so the
// same paste always gives the same facts (a map's order would not).
func TestFactsInOneOrder(t *testing.T) {
	const body = `{"error":{"code":"INVALID_DATA","message":"one","details":[{"code":"INVALID_VALUE","target":"scope"}]},"errorCode":"E0000011","error_description":"two","errorSummary":"three","trace_id":"aaaa1111bbbb"}`
	first := triage.Analyze(body)
	if first.Facts == nil || len(first.Facts.Codes) < 2 {
		t.Fatalf("facts %+v", first.Facts)
	}
	for range 50 {
		if got := triage.Analyze(body); !reflect.DeepEqual(got.Facts, first.Facts) {
			t.Fatalf("facts differ between readings of one text: %+v, then %+v", first.Facts, got.Facts)
		}
	}
}
