// Package har reads a browser's record of a failed desktop sign-in: a HAR
// export (Chromium's and Firefox's dialects) or SAML-tracer's JSON export.
// It finds the desktop app's authorization request and compares it with
// what the app must send, finds the IdP's answers that decided the outcome
// and classifies them, and writes a copy safe to attach to a ticket.
package har

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/quickdiag/quickdiag/checks"
)

// MaxInput is the largest export read.
const MaxInput = 64 << 20

// Entry is one request of the export and its response.
type Entry struct {
	Method   string
	URL      string
	Status   int
	Location string
	// RequestHeaders and ResponseHeaders by lower-case name (the last
	// value of a repeated one).
	RequestHeaders  map[string]string
	ResponseHeaders map[string]string
	// Post is the request body (a form or JSON), decoded.
	Post string
	// Body is the response body when the export holds it (bounded).
	Body     string
	MimeType string
	// Error is the browser's network error (Chromium's _error:
	// net::ERR_CONNECTION_REFUSED), when the request never got an answer.
	Error string
}

// maxBody bounds the response body kept per entry.
const maxBody = 256 << 10

// Decode decodes a HAR (log.entries) or a SAML-tracer export (requests)
// held in memory; callers bound it to MaxInput.
func Decode(data []byte) ([]Entry, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file: expected a HAR export (DevTools → Network → Export HAR) or a SAML-tracer export")
	}
	var doc struct {
		Log *struct {
			Entries []harEntry `json:"entries"`
		} `json:"log"`
		Requests []tracerRequest `json:"requests"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New(checks.DescribeJSONError(data, err))
	}
	switch {
	case doc.Log != nil:
		out := make([]Entry, 0, len(doc.Log.Entries))
		for _, e := range doc.Log.Entries {
			out = append(out, e.entry())
		}
		return out, nil
	case doc.Requests != nil:
		out := make([]Entry, 0, len(doc.Requests))
		for _, r := range doc.Requests {
			out = append(out, r.entry())
		}
		return out, nil
	}
	return nil, errors.New(`neither "log.entries" (a HAR export) nor "requests" (a SAML-tracer export)`)
}

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harEntry is the part of a HAR 1.2 entry read here; Chromium adds
// _error, _resourceType…, Firefox leaves postData.params empty and may
// base64 a body.
type harEntry struct {
	Request struct {
		Method   string      `json:"method"`
		URL      string      `json:"url"`
		Headers  []nameValue `json:"headers"`
		PostData *struct {
			MimeType string      `json:"mimeType"`
			Text     string      `json:"text"`
			Params   []nameValue `json:"params"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status      int         `json:"status"`
		Headers     []nameValue `json:"headers"`
		RedirectURL string      `json:"redirectURL"`
		Content     struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
		Error *string `json:"_error"`
	} `json:"response"`
}

func headerMap(hs []nameValue) map[string]string {
	m := make(map[string]string, len(hs))
	for _, h := range hs {
		m[strings.ToLower(h.Name)] = h.Value
	}
	return m
}

func (e harEntry) entry() Entry {
	out := Entry{Method: e.Request.Method, URL: e.Request.URL, Status: e.Response.Status,
		RequestHeaders: headerMap(e.Request.Headers), ResponseHeaders: headerMap(e.Response.Headers),
		MimeType: e.Response.Content.MimeType}
	if e.Response.Error != nil {
		out.Error = *e.Response.Error
	}
	out.Location = e.Response.RedirectURL
	if out.Location == "" {
		out.Location = out.ResponseHeaders["location"]
	}
	if pd := e.Request.PostData; pd != nil {
		out.Post = pd.Text
		if out.Post == "" && len(pd.Params) > 0 {
			v := url.Values{}
			for _, p := range pd.Params {
				v.Add(p.Name, p.Value)
			}
			out.Post = v.Encode()
		}
	}
	out.Location = resolve(out.URL, out.Location)
	out.Body = bodyText(e.Response.Content.Text, e.Response.Content.Encoding)
	return out
}

// resolve makes a Location value absolute (browsers record it raw, and
// it may be relative: "/cb?error=…").
func resolve(base, loc string) string {
	if loc == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return loc
	}
	l, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return b.ResolveReference(l).String()
}

// bodyText returns a response body as text: base64 decoded, bounded, and
// empty when it is not text.
func bodyText(text, encoding string) string {
	if strings.EqualFold(encoding, "base64") {
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil || !utf8.Valid(b) {
			return ""
		}
		text = string(b)
	}
	if len(text) > maxBody {
		text = text[:maxBody]
	}
	return text
}

// tracerRequest is one request of a SAML-tracer export.
type tracerRequest struct {
	Method          string          `json:"method"`
	URL             string          `json:"url"`
	RequestHeaders  []nameValue     `json:"requestHeaders"`
	ResponseStatus  int             `json:"responseStatus"`
	ResponseHeaders []nameValue     `json:"responseHeaders"`
	Post            json.RawMessage `json:"post"`
	SAML            string          `json:"saml"`
}

func (r tracerRequest) entry() Entry {
	out := Entry{Method: r.Method, URL: r.URL, Status: r.ResponseStatus,
		RequestHeaders: headerMap(r.RequestHeaders), ResponseHeaders: headerMap(r.ResponseHeaders)}
	out.Location = out.ResponseHeaders["location"]
	// post is [[name, value], …]; a masked export's values are {"hash": …}.
	var pairs [][]any
	if json.Unmarshal(r.Post, &pairs) == nil {
		v := url.Values{}
		for _, p := range pairs {
			if len(p) == 2 {
				name, _ := p[0].(string)
				value, _ := p[1].(string)
				v.Add(name, value)
			}
		}
		out.Post = v.Encode()
	}
	out.Location = resolve(out.URL, out.Location)
	return out
}
