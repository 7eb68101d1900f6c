package testidp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// Findings returns the report's findings of one check.
func Findings(r *checks.Report, check string) []checks.Finding {
	var out []checks.Finding
	for _, f := range r.Findings {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

// Dump lists a report's findings, for failure messages.
func Dump(r *checks.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s %s %s: %s %+v\n", f.Check, f.Status, f.Row, f.Title, f.Evidence)
	}
	return b.String()
}

// Expect fails the test unless check reported status with row, in a
// finding whose title, detail or evidence contains want.
func Expect(t testing.TB, r *checks.Report, check string, status checks.Status, row catalog.ID, want string) {
	t.Helper()
	for _, f := range Findings(r, check) {
		text := f.Title + " " + f.Detail
		if f.Evidence != nil {
			text += " " + f.Evidence.Expected + " " + f.Evidence.Got
		}
		if f.Status == status && f.Row == row && strings.Contains(text, want) {
			return
		}
	}
	t.Errorf("want %s %s containing %q from %s; got:\n%s", status, row, want, check, Dump(r))
}

// RoundTripFunc is an http.RoundTripper made of a function.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// CutBody yields Chunk, then, once Ctx is done, a clean EOF: what net/http
// sometimes does when a request's deadline closes the connection in the
// middle of a chunked body.
type CutBody struct {
	Ctx   context.Context
	Chunk string
	sent  bool
}

// Read yields the chunk once, then waits for the context and ends.
func (b *CutBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, b.Chunk), nil
	}
	<-b.Ctx.Done()
	return 0, io.EOF
}

// Close does nothing.
func (b *CutBody) Close() error { return nil }
