package har

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/quickdiag/quickdiag/checks"
)

// Removed replaces every value the sanitized copy drops.
const Removed = checks.Redacted

// secretHeaders are the headers whose values never leave the machine.
var secretHeaders = map[string]bool{
	"cookie": true, "set-cookie": true, "authorization": true, "proxy-authorization": true,
	"x-csrf-token": true, "x-xsrf-token": true, "x-okta-xsrftoken": true, "x-amz-security-token": true,
}

// secretParams are the query, form and JSON fields whose values are dropped.
var secretParams = map[string]bool{
	"code": true, "code_verifier": true, "access_token": true, "id_token": true, "refresh_token": true,
	"client_secret": true, "client_assertion": true, "password": true, "passwd": true, "pwd": true,
	"samlresponse": true, "samlart": true, "session_state": true, "token": true, "assertion": true,
	"otp": true, "passcode": true, "credentials": true, "secret": true, "csrftoken": true, "_csrf": true,
	"state_token": true, "statetoken": true, "stateToken": true, "sessiontoken": true,
}

// signatureRE finds the signature values and certificates of SAML
// messages, kept only as their element.
var signatureRE = regexp.MustCompile(`(?s)(<(?:ds:|dsig:)?(?:SignatureValue|DigestValue|X509Certificate)[^>]*>).*?(</(?:ds:|dsig:)?(?:SignatureValue|DigestValue|X509Certificate)>)`)

// Sanitize returns a copy of a HAR or SAML-tracer export that is safe to
// attach to a ticket: cookies, authorization headers, codes, tokens,
// verifiers, passwords, secrets and SAML responses removed; the structure
// and every other field kept, so the copy still opens in a HAR viewer.
func Sanitize(data []byte) ([]byte, error) {
	if len(data) > MaxInput {
		return nil, errors.New("the file is larger than 64 MiB")
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, errors.New(checks.DescribeJSONError(data, err))
	}
	s := &sanitizer{red: &checks.Redactor{}}
	doc = s.value(doc, "")
	var out bytes.Buffer
	out.Grow(len(data))
	writeIndented(&out, doc, 0)
	out.WriteByte('\n')
	return out.Bytes(), nil
}

type sanitizer struct{ red *checks.Redactor }

// param returns a parameter's sanitized value: a secret's removed, a SAML
// response's kept without its signatures and certificates.
func (s *sanitizer) param(name, value string) string {
	n := strings.ToLower(name)
	if n == "samlresponse" {
		if b, err := base64.StdEncoding.DecodeString(value); err == nil && bytes.Contains(b, []byte("<")) {
			return base64.StdEncoding.EncodeToString([]byte(signatureRE.ReplaceAllString(string(b), "${1}"+Removed+"${2}")))
		}
		return Removed
	}
	if secretParams[n] {
		return Removed
	}
	return s.text(value)
}

// value sanitizes one JSON value; key is the name it is held under.
func (s *sanitizer) value(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		return s.object(v)
	case []any:
		if strings.EqualFold(key, "cookies") {
			return []any{}
		}
		if key == "post" || key == "get" { // SAML-tracer: [[name, value], …]
			for _, p := range v {
				if pair, ok := p.([]any); ok && len(pair) == 2 {
					if name, _ := pair[0].(string); name != "" {
						if value, ok := pair[1].(string); ok {
							pair[1] = s.param(name, value)
						} else {
							pair[1] = s.value(pair[1], name)
						}
					}
				}
			}
		}
		if key != "post" && key != "get" {
			for i := range v {
				v[i] = s.value(v[i], key)
			}
		}
		return v
	case string:
		if secretParams[strings.ToLower(key)] || key == "samlart" {
			return Removed
		}
		return s.text(v)
	}
	return v
}

// object sanitizes a JSON object: a header or parameter ({name, value}),
// a response body ({text, encoding}) or any other.
func (s *sanitizer) object(m map[string]any) map[string]any {
	if name, ok := m["name"].(string); ok {
		if value, ok := m["value"].(string); ok {
			if secretHeaders[strings.ToLower(name)] {
				m["value"] = Removed
			} else {
				m["value"] = s.param(name, value)
			}
			return m
		}
	}
	if enc, _ := m["encoding"].(string); strings.EqualFold(enc, "base64") {
		if t, ok := m["text"].(string); ok {
			if b, err := base64.StdEncoding.DecodeString(t); err == nil && utf8.Valid(b) {
				m["text"] = string(b)
				delete(m, "encoding")
			} else {
				m["text"] = "" // binary: an image or a font, dropped
				m["comment"] = "body removed by quickdiag"
			}
		}
	}
	for k, v := range m {
		if k == "text" {
			if t, ok := v.(string); ok {
				m[k] = s.body(t)
				continue
			}
		}
		m[k] = s.value(v, k)
	}
	return m
}

// body sanitizes a request or response body: JSON by its field names, a
// form by its parameters, anything else as text.
func (s *sanitizer) body(t string) string {
	trim := strings.TrimSpace(t)
	if strings.HasPrefix(trim, "{") || strings.HasPrefix(trim, "[") {
		var v any
		dec := json.NewDecoder(strings.NewReader(trim))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			if b, err := json.Marshal(s.value(v, "")); err == nil {
				return string(b)
			}
		}
	}
	if !strings.ContainsAny(trim, " <\n") && strings.Contains(trim, "=") {
		if q, err := url.ParseQuery(trim); err == nil {
			for k, vs := range q {
				for i := range vs {
					vs[i] = s.param(k, vs[i])
				}
			}
			return q.Encode()
		}
	}
	return s.text(t)
}

// multipartRE finds a multipart form's fields: their names and values.
var multipartRE = regexp.MustCompile(`(?i)(Content-Disposition:\s*form-data;\s*name="([^"]+)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)([^\r\n]*)`)

// multipart removes the values of a multipart form's secret fields.
func (s *sanitizer) multipart(t string) string {
	return multipartRE.ReplaceAllStringFunc(t, func(m string) string {
		sub := multipartRE.FindStringSubmatch(m)
		if secretParams[strings.ToLower(sub[2])] {
			return sub[1] + Removed
		}
		return m
	})
}

// hiddenInputRE finds the value of a form field a page posts on (a SAML
// response, a code in form_post mode, a CSRF token).
var hiddenInputRE = regexp.MustCompile(`(?is)(<input[^>]*\bname=["']?(?:SAMLResponse|SAMLart|code|id_token|access_token|state_token|_csrf|csrf_token|RelayState)["']?[^>]*\bvalue=["'])[^"']*(["'])|(<input[^>]*\bvalue=["'])[^"']*(["'][^>]*\bname=["']?(?:SAMLResponse|SAMLart|code|id_token|access_token|_csrf|csrf_token)\b)`)

// text redacts a string: URLs' secret parameters, token shapes, SAML
// signatures, a page's hidden form values.
func (s *sanitizer) text(t string) string {
	if strings.Contains(t, "form-data") {
		t = s.multipart(t)
	}
	if strings.Contains(t, "Value>") || strings.Contains(t, "Certificate>") {
		t = signatureRE.ReplaceAllString(t, "${1}"+Removed+"${2}")
	}
	if strings.Contains(t, "<input") || strings.Contains(t, "<INPUT") {
		t = hiddenInputRE.ReplaceAllString(t, "${1}${3}"+Removed+"${2}${4}")
	}
	// A URL is one word with a scheme: a body of text is not parsed as one.
	if strings.Contains(t, "://") && !strings.ContainsAny(t, " \n") {
		if u, err := url.Parse(t); err == nil && u.Scheme != "" && u.Host != "" {
			t = sanitizeURL(u)
		}
	}
	return s.red.String(t)
}

// sanitizeURL drops the secret parameters of a URL's query and fragment.
func sanitizeURL(u *url.URL) string {
	clean := func(raw string) string {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return raw
		}
		changed := false
		for k := range q {
			if secretParams[strings.ToLower(k)] {
				q[k] = []string{Removed}
				changed = true
			}
		}
		if !changed {
			return raw
		}
		return q.Encode()
	}
	u.RawQuery = clean(u.RawQuery)
	if u.Fragment != "" {
		u.RawFragment = ""
		u.Fragment = clean(u.Fragment)
	}
	u.User = nil
	return u.String()
}
