package triage

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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

// paramNames are the fields of an error response read out of query
// strings, fragments, forms, logs ("error=…", "error_description: …").
var paramNames = []string{"error_description", "error_uri", "error_codes", "errorcode", "errorsummary", "errorid", "trace_id", "correlation_id", "error"}

// labels are the labelled ids of error pages: Entra's "Trace ID: …",
// "Correlation ID: …", "Timestamp: …", AD FS's "Activity ID: …", Okta's
// "Error ID"/"Request ID".
var labels = []struct{ label, kind string }{
	{"trace id", "traceid"}, {"traceid", "traceid"}, {"correlation id", "correlationid"}, {"correlationid", "correlationid"},
	{"error id", "errorid"}, {"request id", "requestid"}, {"requestid", "requestid"}, {"activity id", "activityid"}, {"activityid", "activityid"},
	{"timestamp", "timestamp"},
}

// codePrefixes are the shapes of vendor codes kept as facts even when no
// code catalog knows them.
var codePrefixes = []struct {
	prefix string
	digits int
}{{"AADSTS", 4}, {"IDX", 5}, {"E0000", 3}, {"MSIS", 4}}

// alignedLower lower-cases s letter by letter, keeping each letter whose
// lower case is longer or shorter in UTF-8 (the Kelvin sign, İ, ẞ) as it is,
// so that an offset in the result is the same offset in s: the readers
// that find a name in lower case read its value from s.
func alignedLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if l := unicode.ToLower(r); r != utf8.RuneError && utf8.RuneLen(l) == n {
			b.WriteRune(l)
		} else {
			b.WriteString(s[i : i+n]) // a byte that is no letter stays the byte
		}
		i += n
	}
	return b.String()
}

// isASCII reports whether s is ASCII, whose lower case keeps offsets.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// readFacts pulls the structured fields out of a (normalised) text. It
// scans for literal names rather than running patterns over the text, so
// a megabyte of log costs a few milliseconds. lower is alignedLower(text);
// holds, when not nil, says which names (paramNames, labels) the text may
// hold (from the prefilter's pass): the others are not searched for.
func readFacts(text, lower string, holds func(name string) bool) Facts {
	var f Facts
	if strings.Contains(text, "{") {
		readJSONObjects(text, &f)
	}
	for _, name := range paramNames {
		if holds == nil || holds(name) {
			eachField(text, lower, name, 16, func(i, from int, v string) { setField(&f, text[i:from], v) })
		}
	}
	// A JSON description holds its own labelled ids ("…\r\nTrace ID: …"),
	// its line breaks escaped in the text: read them from the decoded value.
	for _, d := range f.Descriptions {
		readLabels(d, alignedLower(d), &f, nil)
	}
	readLabels(text, lower, &f, holds)
	f.addShapedCodes(text)
	return f
}

// readLabels reads the labelled ids of text (Trace ID: …, Timestamp: …);
// holds is readFacts's.
func readLabels(text, lower string, f *Facts, holds func(name string) bool) {
	for _, l := range labels {
		if holds != nil && !holds(l.label) {
			continue
		}
		kind := l.kind
		eachField(text, lower, l.label, 4, func(_, from int, v string) {
			if len(v) < 6 || !isWordByte(v[0]) {
				return
			}
			v = strings.TrimRight(v, ".,;")
			switch kind {
			case "traceid":
				setOnce(&f.TraceID, v)
			case "correlationid":
				setOnce(&f.CorrelationID, v)
			case "timestamp":
				setOnce(&f.Timestamp, timestampAfter(text, from, v))
			default:
				setOnce(&f.ErrorID, v)
			}
		})
	}
}

// addShapedCodes records the vendor codes in text by their shape
// (codePrefixes), known to a code catalog or not.
func (f *Facts) addShapedCodes(text string) {
	codeWords(text, func(w string, _, _ int) bool {
		for _, p := range codePrefixes {
			if len(w) >= len(p.prefix)+p.digits && strings.HasPrefix(w, p.prefix) && allDigits(w[len(p.prefix):]) {
				f.addCode(w)
			}
		}
		return len(f.Codes) < 16
	})
}

// eachField calls visit with the value of each of the first n fields
// named name (a whole word of lower, the lower-cased text) that has one.
func eachField(text, lower, name string, n int, visit func(start, end int, value string)) {
	for from := 0; n > 0; n-- {
		i := strings.Index(lower[from:], name)
		if i < 0 {
			return
		}
		i += from
		from = i + len(name)
		if i > 0 && isWordByte(lower[i-1]) || from < len(lower) && isWordByte(lower[from]) {
			continue // part of a longer name
		}
		if v, ok := valueAfter(text, from); ok {
			visit(i, from, v)
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// valueAfter reads the value of a field whose name ends at i: after "=",
// ":" or "\":" (JSON in a log), quoted or up to the next separator,
// URL-decoded, at most 1,000 bytes.
func valueAfter(text string, i int) (string, bool) {
	j := i
	for j < len(text) && (text[j] == ' ' || text[j] == '"' || text[j] == '\\' || text[j] == '\'') {
		j++
	}
	if j >= len(text) || text[j] != '=' && text[j] != ':' {
		return "", false
	}
	j++
	for j < len(text) && text[j] == ' ' {
		j++
	}
	if j >= len(text) {
		return "", false
	}
	var v string
	if q := text[j]; q == '"' || q == '\'' {
		end := strings.IndexByte(text[j+1:min(len(text), j+1+1000)], q)
		if end < 0 {
			return "", false
		}
		v = text[j+1 : j+1+end]
	} else {
		end := j
		for end < len(text) && end-j < 1000 && !strings.ContainsRune("&# \"'<>,;)]}\r\n\t", rune(text[end])) {
			end++
		}
		v = text[j:end]
	}
	if d, err := url.QueryUnescape(v); err == nil {
		v = d
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

// timestampAfter extends a timestamp's date to its time of day when the
// two are separated by a space ("2026-11-20 09:15:11Z").
func timestampAfter(text string, from int, v string) string {
	i := strings.Index(text[from:], v)
	if i < 0 {
		return v
	}
	rest := text[from+i+len(v):]
	if len(rest) > 1 && rest[0] == ' ' && rest[1] >= '0' && rest[1] <= '9' {
		end := 1
		for end < len(rest) && end < 20 && (rest[end] >= '0' && rest[end] <= '9' || rest[end] == ':' || rest[end] == '.' || rest[end] == 'Z') {
			end++
		}
		return v + rest[:end]
	}
	return v
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
		f.addShapedCodes(v)
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
		// In the order of the names, not the map's: the same text always
		// gives the same facts.
		for _, k := range slices.Sorted(maps.Keys(v)) {
			switch x := v[k].(type) {
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
