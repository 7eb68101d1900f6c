package oidc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"golang.org/x/net/http/httpproxy"
)

// Defaults for HTTP requests.
const (
	DefaultRequestTimeout = 10 * time.Second
	DefaultMaxBody        = 1 << 20 // 1 MiB: discovery documents and key sets are a few KiB
)

// HTTPOptions configures the engine's HTTP client.
type HTTPOptions struct {
	// CAFile names a PEM file of CA certificates trusted in addition to the
	// system roots. Empty means the system roots alone.
	CAFile string
	// Resolver resolves host names. Nil means the system resolver.
	Resolver *net.Resolver
	// Proxy chooses the proxy for a request. Nil means the environment's
	// HTTPS_PROXY, HTTP_PROXY and NO_PROXY, read when the client is made.
	Proxy func(*http.Request) (*url.URL, error)
}

// NewHTTPClient returns a client for the engine. It has no overall timeout:
// every request is bounded by its context (see Fetcher).
func NewHTTPClient(opts HTTPOptions) (*http.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", opts.CAFile)
		}
	}
	proxy := opts.Proxy
	if proxy == nil {
		pf := httpproxy.FromEnvironment().ProxyFunc()
		proxy = func(r *http.Request) (*url.URL, error) { return pf(r.URL) }
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Resolver: opts.Resolver}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: DefaultRequestTimeout,
		MaxIdleConns:          20,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			// An IdP on the internet does not send relying parties into this
			// machine or its network: such a redirect is an attack on what
			// listens there (a sign-in in progress, a router's page).
			if Internal(req.URL.Hostname()) && !Internal(via[0].URL.Hostname()) {
				return &redirectInwardError{to: req.URL.Host}
			}
			return nil
		},
	}, nil
}

// Internal reports whether a host (an IP address or localhost) is this
// machine or its private network: loopback, private, link-local or
// unspecified. A host name other than localhost is not judged: what it
// resolves to is the network's business.
func Internal(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified())
}

// redirectInwardError is a redirect from an IdP on the internet into this
// machine or its network, refused.
type redirectInwardError struct{ to string }

func (e *redirectInwardError) Error() string {
	return "a redirect into this machine or its network (" + e.to + "), which quickdiag does not follow"
}

// Fetcher makes bounded HTTP requests: each has its own timeout and a limit
// on the body it reads.
type Fetcher struct {
	// Client makes the requests. Nil means http.DefaultClient; the engine
	// passes one from NewHTTPClient.
	Client *http.Client
	// Timeout bounds each request, body included. Zero means DefaultRequestTimeout.
	Timeout time.Duration
	// MaxBody is the most bytes read of a body. Zero means DefaultMaxBody.
	MaxBody int64
}

// Response is a fully read HTTP response.
type Response struct {
	URL         string
	Status      int
	Header      http.Header
	Body        []byte
	ContentType string // media type only, lower case
}

// ErrorKind classifies a failed request.
type ErrorKind string

// The ways a request fails.
const (
	ErrDNS      ErrorKind = "dns"
	ErrTLS      ErrorKind = "tls"
	ErrTimeout  ErrorKind = "timeout"
	ErrRefused  ErrorKind = "refused"
	ErrTooLarge ErrorKind = "too_large"
	ErrBadURL   ErrorKind = "bad_url"
	ErrNetwork  ErrorKind = "network"
	// ErrRedirect: a redirect quickdiag refuses to follow.
	ErrRedirect ErrorKind = "redirect"
)

// FetchError is a request that got no usable response.
type FetchError struct {
	Kind ErrorKind
	URL  string
	Err  error
	// Limit is the body limit, for ErrTooLarge; Timeout the bound, for ErrTimeout.
	Limit   int64
	Timeout time.Duration
}

// Error says what failed, naming the host only: a URL may carry a secret.
func (e *FetchError) Error() string {
	host := "the URL" // never the URL itself, which may carry a secret
	if u, err := url.Parse(e.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	switch e.Kind {
	case ErrDNS:
		var dnsErr *net.DNSError
		if errors.As(e.Err, &dnsErr) && dnsErr.IsTimeout {
			return fmt.Sprintf("no DNS answer for the host name %s", hostOnly(host))
		}
		return fmt.Sprintf("the host name %s does not resolve", hostOnly(host))
	case ErrTLS:
		return fmt.Sprintf("the TLS certificate of %s is not trusted: %v", host, UnwrapMsg(e.Err))
	case ErrTimeout:
		return fmt.Sprintf("no complete answer from %s within %s", host, e.Timeout)
	case ErrRefused:
		return fmt.Sprintf("%s refused the connection", host)
	case ErrTooLarge:
		return fmt.Sprintf("the response from %s is larger than %d KiB; this is not an OIDC document", host, e.Limit>>10)
	case ErrRedirect:
		return fmt.Sprintf("%s answered with %s", host, UnwrapMsg(e.Err))
	case ErrBadURL:
		if e.Err != nil && e.Err.Error() == "credentials in the URL" {
			return "the URL carries a user name or password; quickdiag does not send them"
		}
		return "not an absolute https URL that can be fetched"
	}
	return fmt.Sprintf("request to %s failed: %v", host, UnwrapMsg(e.Err))
}

// Unwrap returns the transport error.
func (e *FetchError) Unwrap() error { return e.Err }

// Row returns the catalog row for the failure.
func (e *FetchError) Row() catalog.ID {
	switch e.Kind {
	case ErrDNS:
		return catalog.DNSUnresolved
	case ErrTLS:
		return catalog.TLSUntrusted
	case ErrRedirect:
		return catalog.EndpointRedirects
	}
	return catalog.DiscoveryUnreachable
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// UnwrapMsg returns the innermost useful message of a transport error,
// without Go's "Get \"url\":" prefix.
func UnwrapMsg(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// RequestTimeout returns the bound of each request.
func (f *Fetcher) RequestTimeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultRequestTimeout
}

func (f *Fetcher) maxBody() int64 {
	if f.MaxBody > 0 {
		return f.MaxBody
	}
	return DefaultMaxBody
}

// Get fetches rawURL with the given Accept header. Any HTTP status is a
// response; only a failure to get one is an error, always a *FetchError.
func (f *Fetcher) Get(ctx context.Context, rawURL, accept string) (*Response, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &FetchError{Kind: ErrBadURL, URL: rawURL, Err: err}
	}
	if (req.URL.Scheme != "https" && req.URL.Scheme != "http") || req.URL.Host == "" {
		return nil, &FetchError{Kind: ErrBadURL, URL: rawURL, Err: errors.New("not an absolute http or https URL")}
	}
	if req.URL.User != nil {
		// net/http would send them as Basic credentials: never.
		return nil, &FetchError{Kind: ErrBadURL, URL: rawURL, Err: errors.New("credentials in the URL")}
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return f.Do(ctx, req)
}

// Do sends req bounded by the fetcher's timeout and reads at most MaxBody
// bytes of the response.
func (f *Fetcher) Do(ctx context.Context, req *http.Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, f.RequestTimeout())
	defer cancel()
	req = req.WithContext(ctx)
	req.Header.Set("User-Agent", "quickdiag (OIDC configuration check)")
	rawURL := req.URL.String()
	start := time.Now()
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, ClassifyError(ctx, rawURL, err, time.Since(start))
	}
	defer resp.Body.Close()
	limit := f.maxBody()
	body, err := io.ReadAll(io.LimitReader(DeadlineBody{resp.Body, ctx}, limit+1))
	if err != nil {
		return nil, ClassifyError(ctx, rawURL, err, time.Since(start))
	}
	if int64(len(body)) > limit {
		return nil, &FetchError{Kind: ErrTooLarge, URL: rawURL, Limit: limit, Err: errors.New("body too large")}
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return &Response{
		URL:         resp.Request.URL.String(),
		Status:      resp.StatusCode,
		Header:      resp.Header,
		Body:        body,
		ContentType: strings.ToLower(mt),
	}, nil
}

// DeadlineBody reports the end of a body read after its request's deadline
// as that deadline. net/http may end a chunked body with a clean EOF when the
// deadline closes the connection mid-body: what was read is a fragment, not
// the answer, even when it happens to parse.
type DeadlineBody struct {
	io.ReadCloser
	// Ctx is the request's context.
	Ctx context.Context
}

// Read reads the body, ending it with the deadline's error once that has passed.
func (b DeadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.Ctx.Err() != nil {
		err = context.Cause(b.Ctx)
	}
	return n, err
}

// ClassifyError turns a transport error into a *FetchError.
func ClassifyError(ctx context.Context, rawURL string, err error, elapsed time.Duration) *FetchError {
	fe := &FetchError{Kind: ErrNetwork, URL: rawURL, Err: err}
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var netErr net.Error
	var inward *redirectInwardError
	switch {
	case errors.As(err, &inward):
		fe.Kind = ErrRedirect
	case errors.As(err, &dnsErr):
		fe.Kind = ErrDNS
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &verify):
		fe.Kind = ErrTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		fe.Kind = ErrRefused
	case errors.Is(err, context.DeadlineExceeded), ctx.Err() != nil, errors.As(err, &netErr) && netErr.Timeout():
		fe.Kind = ErrTimeout
		fe.Timeout = elapsed.Round(100 * time.Millisecond)
	}
	return fe
}
