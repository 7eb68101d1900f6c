package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/oidc"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

// roundTripFunc is an http.RoundTripper made of a function.

func TestFetchBodyCutByDeadlineIsATimeout(t *testing.T) {
	client := &http.Client{Transport: testidp.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: &testidp.CutBody{Ctx: r.Context(), Chunk: `{"issuer":`}, Request: r}, nil
	})}
	f := &oidc.Fetcher{Client: client, Timeout: 50 * time.Millisecond}
	resp, err := f.Get(context.Background(), "https://127.0.0.1/.well-known/openid-configuration", "application/json")
	var fe *oidc.FetchError
	if !errors.As(err, &fe) || fe.Kind != oidc.ErrTimeout {
		t.Fatalf("want a timeout, got response %v, error %v", resp, err)
	}
	if !strings.Contains(fe.Error(), "no complete answer from 127.0.0.1") {
		t.Errorf("message %q does not say the answer was incomplete", fe.Error())
	}
}

// TestClockFinding: within the token checks' leeway the clocks agree;
// beyond it, clock_skew says by how much and which way.
func TestClockFinding(t *testing.T) {
	for _, tt := range []struct {
		offset time.Duration
		status checks.Status
		want   string
	}{
		{0, checks.Pass, "within 1s"},
		{-4*time.Minute - 59*time.Second, checks.Pass, "within 4m59s"},
		{-10 * time.Minute, checks.Fail, "10m0s behind the IdP's"},
		{6*time.Minute + 400*time.Millisecond, checks.Fail, "6m0s ahead of the IdP's"},
	} {
		f := oidc.ClockFinding(tt.offset, "https://idp.example/.well-known/openid-configuration")
		if f.Status != tt.status || !strings.Contains(f.Title, tt.want) || (tt.status == checks.Fail && f.Row != catalog.ClockSkew) {
			t.Errorf("%s: %s %s %q", tt.offset, f.Status, f.Row, f.Title)
		}
	}
}
