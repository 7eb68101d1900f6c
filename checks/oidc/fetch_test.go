package oidc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks/oidc"
)

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cutBody yields its chunk, then, once the request's deadline has passed,
// a clean EOF: what net/http sometimes does when the deadline closes the
// connection in the middle of a chunked body.
type cutBody struct {
	ctx   context.Context
	chunk string
	sent  bool
}

func (b *cutBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, b.chunk), nil
	}
	<-b.ctx.Done()
	return 0, io.EOF
}

func (b *cutBody) Close() error { return nil }

func TestFetchBodyCutByDeadlineIsATimeout(t *testing.T) {
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: &cutBody{ctx: r.Context(), chunk: `{"issuer":`}, Request: r}, nil
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
