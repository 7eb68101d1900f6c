package triage

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/quickdiag/quickdiag/checks"
)

// Facts are the structured fields read out of a reported text: an OAuth
// error response (JSON body, query string, fragment or form, URL-decoded),
// an HTML error page, a log line or a stack trace. Classification reads
// Descriptions and Codes first and falls back to the generic OAuth Error
// only when nothing more specific is there.
type Facts struct {
	// Error is the RFC 6749 error name (invalid_grant, access_denied…).
	Error string `json:"error,omitempty"`
	// Descriptions are error_description, message and errorSummary values.
	Descriptions []string `json:"descriptions,omitempty"`
	// Codes are the vendor codes named: AADSTS50011, E0000011, IDX10214…
	Codes    []string `json:"codes,omitempty"`
	ErrorURI string   `json:"error_uri,omitempty"`
	// TraceID, CorrelationID and Timestamp locate the event in the IdP's
	// logs (Entra prints all three; Okta an error id, AD FS an activity id).
	TraceID       string `json:"trace_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	Timestamp     string `json:"timestamp,omitempty"`
	// ErrorID is Okta's errorId, AD FS's Activity ID, PingOne's id.
	ErrorID string `json:"error_id,omitempty"`
}

func (f *Facts) empty() bool {
	return f.Error == "" && len(f.Descriptions) == 0 && len(f.Codes) == 0
}

func (f *Facts) addDescription(s string) {
	s = strings.TrimSpace(s)
	if s == "" || len(f.Descriptions) >= 8 {
		return
	}
	for _, d := range f.Descriptions {
		if d == s {
			return
		}
	}
	f.Descriptions = append(f.Descriptions, checks.Truncate(s, 2000))
}

func (f *Facts) addCode(c string) {
	if c == "" || len(f.Codes) >= 16 {
		return
	}
	for _, d := range f.Codes {
		if d == c {
			return
		}
	}
	f.Codes = append(f.Codes, c)
}

// maxJSONScan bounds how many JSON objects are decoded out of one text.
const maxJSONScan = 32

// readers are the structured readers' patterns, compiled on first use.
var readers = sync.OnceValue(func() (r struct{ param, label, codeShape *regexp.Regexp }) {
	// error=…, error_description=… in a query string, fragment, form or log.
	r.param = regexp.MustCompile(`(?i)(?:^|[?&#\s;,(\[{"'])(error|error_description|error_uri|error_codes|errorCode|errorSummary|errorId|trace_id|correlation_id)\s*[=:]\s*("[^"]{0,1000}"|'[^']{0,1000}'|[^&#\s"'<>]{1,1000})`)
	// Entra's page and token responses: "Trace ID: …", "Correlation ID: …",
	// "Timestamp: …"; AD FS's "Activity ID: …"; Okta's "Error ID"/"Request ID".
	r.label = regexp.MustCompile(`(?i)\b(trace ?id|correlation ?id|request ?id|activity ?id|error ?id|timestamp)\s*[:=]\s*([0-9A-Za-z][0-9A-Za-z:._+-]{5,80}(?: [0-9:.]{5,20}Z?)?)`)
	// Vendor codes by shape; the code catalogs (data/*.tsv) say what each means.
	r.codeShape = regexp.MustCompile(`\b(AADSTS\d{4,7}|IDX\d{5}|E0000\d{3}|MSIS\d{4}|ADFS\d{3,5})\b`)
	return r
})

// readFacts pulls the structured fields out of a (normalised) text.
func readFacts(text string) Facts {
	var f Facts
	re := readers()
	if strings.Contains(text, "{") {
		readJSONObjects(text, &f)
	}
	for _, m := range re.param.FindAllStringSubmatch(text, 64) {
		v := strings.Trim(m[2], `"'`)
		if d, err := url.QueryUnescape(v); err == nil {
			v = d
		}
		setField(&f, m[1], v)
	}
	for _, m := range re.label.FindAllStringSubmatch(text, 16) {
		label := strings.ToLower(strings.ReplaceAll(m[1], " ", ""))
		v := strings.TrimRight(m[2], ".,;")
		switch label {
		case "traceid":
			setOnce(&f.TraceID, v)
		case "correlationid":
			setOnce(&f.CorrelationID, v)
		case "timestamp":
			setOnce(&f.Timestamp, v)
		case "requestid", "activityid", "errorid":
			setOnce(&f.ErrorID, v)
		}
	}
	for _, c := range re.codeShape.FindAllString(text, 32) {
		f.addCode(c)
	}
	return f
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = checks.Truncate(v, 100)
	}
}

// setField records one named field of an error response.
func setField(f *Facts, name, v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	switch strings.ToLower(name) {
	case "error":
		if oauthErrorName(v) {
			setOnce(&f.Error, v)
		} else {
			f.addDescription(v) // {"error": "Some sentence"}
		}
	case "error_description", "errorsummary", "message", "detail", "error_message", "errormessage":
		f.addDescription(v)
		for _, c := range readers().codeShape.FindAllString(v, 8) {
			f.addCode(c)
		}
	case "error_uri":
		setOnce(&f.ErrorURI, v)
	case "errorcode", "code":
		if vendorCode(v) {
			f.addCode(v)
		}
	case "errorid":
		setOnce(&f.ErrorID, v)
	case "trace_id", "traceid":
		setOnce(&f.TraceID, v)
	case "correlation_id", "correlationid":
		setOnce(&f.CorrelationID, v)
	case "timestamp":
		setOnce(&f.Timestamp, v)
	}
}

// oauthErrorName reports whether v has the shape of an RFC 6749 error
// name (lower case, digits and '_').
func oauthErrorName(v string) bool {
	if len(v) < 3 || len(v) > 60 || v[0] < 'a' || v[0] > 'z' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// vendorCode reports whether v has the shape of a code worth looking up:
// letters then digits (E0000011), an upper-case name (INVALID_DATA) or an
// exception name.
func vendorCode(v string) bool {
	if len(v) < 4 || len(v) > 60 || v[0] < 'A' || v[0] > 'Z' || strings.ContainsAny(v, " \t") {
		return false
	}
	return strings.HasSuffix(v, "Exception") || strings.ToUpper(v) == v || strings.IndexAny(v, "0123456789") > 0
}

// readJSONObjects decodes the JSON objects in text (a token response, an
// Okta or PingOne error body, a log line carrying one) and reads their
// error fields, at any depth up to four (Google nests {"error": {…}}).
func readJSONObjects(text string, f *Facts) {
	data := []byte(text)
	for n, i := 0, 0; n < maxJSONScan && i < len(data); n++ {
		j := bytes.IndexByte(data[i:], '{')
		if j < 0 {
			return
		}
		i += j
		dec := json.NewDecoder(bytes.NewReader(data[i:]))
		var v any
		if err := dec.Decode(&v); err != nil {
			i++
			continue
		}
		walkJSON(v, f, 0)
		i += int(dec.InputOffset())
	}
}

func walkJSON(v any, f *Facts, depth int) {
	if depth > 4 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch x := x.(type) {
			case string:
				setField(f, k, x)
			case float64:
				if strings.EqualFold(k, "error_codes") || strings.EqualFold(k, "errorCode") {
					f.addCode("AADSTS" + strconv.FormatInt(int64(x), 10))
				}
			case []any:
				if strings.EqualFold(k, "error_codes") {
					for _, c := range x {
						if n, ok := c.(float64); ok && n > 0 {
							f.addCode("AADSTS" + strconv.FormatInt(int64(n), 10))
						}
					}
					continue
				}
				walkJSON(x, f, depth+1)
			default:
				walkJSON(x, f, depth+1)
			}
		}
	case []any:
		for i, x := range v {
			if i >= 16 {
				return
			}
			walkJSON(x, f, depth+1)
		}
	}
}
