package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

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
