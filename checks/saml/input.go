package saml

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/beevik/etree"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/har"
)

// maxDepth bounds the nesting of the XML read: SAML documents nest about
// ten deep, and the signature code recurses over the tree.
const maxDepth = 64

// maxElements bounds the elements of the XML read, and with them the
// memory of its tree: Entra's metadata has about a hundred, a response
// fewer; a federation's aggregate of a few hundred IdPs fits.
const maxElements = 50000

// bounded returns the input's data without a byte order mark, refusing
// input larger than checks.MaxInput.
func bounded(in checks.File) ([]byte, error) {
	if len(in.Data) > checks.MaxInput {
		return nil, checks.InputErrorf(in, "%d MiB: larger than the %d MiB quickdiag reads; give the document itself, not an archive or a whole browser recording", len(in.Data)>>20, checks.MaxInput>>20)
	}
	data := bytes.TrimPrefix(in.Data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, checks.InputErrorf(in, "empty input")
	}
	return data, nil
}

// parseXML parses an XML document, refusing a DOCTYPE or entity
// declaration (an entity-expansion bomb is refused, not expanded) and
// nesting deeper than maxDepth. what names the document expected, for the
// messages.
func parseXML(in checks.File, data []byte, what string) (*etree.Document, error) {
	if looksHTML(data) {
		return nil, checks.InputErrorf(in, "an HTML page, not %s: save the document itself (for Entra, Download next to Federation Metadata XML), not the page showing it", what)
	}
	if data[0] != '<' {
		return nil, checks.InputErrorf(in, "not XML (it starts with %q): expected %s", checks.Truncate(printable(data, 20), 24), what)
	}
	// A first pass with the standard tokenizer: it names the line of a
	// syntax error and sees every directive.
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	depth, elements := 0, 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				if strings.Contains(se.Msg, "unexpected EOF") {
					return nil, checks.InputErrorf(in, "the XML ends early (line %d): the document looks truncated; copy all of it", se.Line)
				}
				return nil, checks.InputErrorf(in, "not well-formed XML: line %d: %s", se.Line, se.Msg)
			}
			return nil, checks.InputErrorf(in, "not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			line, _ := dec.InputPos()
			return nil, checks.InputErrorf(in, "line %d: a <!%s…> declaration: quickdiag refuses any DOCTYPE or entity declaration (SAML documents have none; they can hide an entity-expansion bomb or fetch files)", line, checks.Truncate(strings.Fields(string(t) + " x")[0], 12))
		case xml.StartElement:
			depth++
			if elements++; elements > maxElements {
				line, _ := dec.InputPos()
				return nil, checks.InputErrorf(in, "line %d: more than %d elements: not %s (give the IdP's own metadata, not a federation's aggregate)", line, maxElements, what)
			}
			if depth > maxDepth {
				line, _ := dec.InputPos()
				return nil, checks.InputErrorf(in, "line %d: elements nested more than %d deep: not %s", line, maxDepth, what)
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth > 0 {
		return nil, checks.InputErrorf(in, "the XML ends early (%d elements left open): the document looks truncated; copy all of it", depth)
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{MaxDepth: maxDepth + 1}
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, checks.InputErrorf(in, "not well-formed XML: %v", err)
	}
	if doc.Root() == nil {
		return nil, checks.InputErrorf(in, "no XML element: expected %s", what)
	}
	return doc, nil
}

// looksHTML reports whether data is an HTML page (a sign-in or error page
// saved instead of the document).
func looksHTML(data []byte) bool {
	head := strings.ToLower(string(data[:min(len(data), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") || strings.HasPrefix(head, "<head")
}

// printable returns the first n bytes of data with control bytes shown as '.'.
func printable(data []byte, n int) string {
	b := []byte(string(data[:min(len(data), n)]))
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = '.'
		}
	}
	return string(b)
}

// responseXML returns the XML of the SAMLResponse in the input, and where
// in the input it was found (empty for the whole input).
func responseXML(in checks.File) ([]byte, string, error) {
	data, err := bounded(in)
	if err != nil {
		return nil, "", err
	}
	switch {
	case data[0] == '<':
		return data, "", nil
	case data[0] == '{' || data[0] == '[':
		return fromHAR(in, data)
	}
	s := string(data)
	if strings.Contains(s, "SAMLResponse=") {
		q, err := url.ParseQuery(strings.TrimPrefix(s[strings.Index(s, "SAMLResponse="):], "?"))
		if err != nil || q.Get("SAMLResponse") == "" {
			return nil, "", checks.InputErrorf(in, "a SAMLResponse= form value that does not decode: copy the whole value")
		}
		// ParseQuery reads an unescaped '+' of the base64 as a space.
		x, err := decodeBase64(strings.ReplaceAll(q.Get("SAMLResponse"), " ", "+"), false)
		if err != nil {
			return nil, "", checks.InputErrorf(in, "the SAMLResponse form value: %v", err)
		}
		return x, "the SAMLResponse form value", nil
	}
	x, err := decodeBase64(s, true)
	if err != nil {
		return nil, "", checks.InputErrorf(in, "%v", err)
	}
	return x, "", nil
}

// decodeBase64 decodes a SAMLResponse value: base64 (URL-encoded or not,
// broken over lines or not), of XML or of DEFLATE-compressed XML (the
// HTTP-Redirect binding).
func decodeBase64(s string, unescape bool) ([]byte, error) {
	if unescape && strings.Contains(s, "%") {
		// PathUnescape keeps '+', which in a SAMLResponse is base64's.
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	notBase64 := errors.New("neither XML nor base64: expected a SAMLResponse (base64 as posted, the XML, or a HAR or SAML-tracer export)")
	if strings.Contains(strings.TrimSpace(s), " ") || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("+/=-_\r\n\t ", r))
	}) {
		return nil, notBase64
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw2, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err2 == nil && len(s)%4 != 1 {
			raw, err = raw2, nil
		} else if raw3, err3 := base64.URLEncoding.DecodeString(s); err3 == nil {
			raw, err = raw3, nil
		}
	}
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) && int(ce) >= len(s)-4 {
			return nil, fmt.Errorf("the base64 ends early (%d characters): the SAMLResponse looks truncated; copy the whole value", len(s))
		}
		return nil, notBase64
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '<' {
		return raw, nil
	}
	// The HTTP-Redirect binding deflates before encoding.
	inflated, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), checks.MaxInput+1))
	if err == nil && len(inflated) <= checks.MaxInput && len(bytes.TrimSpace(inflated)) > 0 && bytes.TrimSpace(inflated)[0] == '<' {
		return bytes.TrimSpace(inflated), nil
	}
	return nil, errors.New("base64 that does not decode to XML: expected a SAMLResponse")
}

// fromHAR finds the SAMLResponse of a HAR or SAML-tracer export: the last
// one posted (or sent in a query), which is the sign-in that failed.
func fromHAR(in checks.File, data []byte) ([]byte, string, error) {
	entries, err := har.Decode(data)
	if err != nil {
		return nil, "", checks.InputErrorf(in, "%v", err)
	}
	type found struct{ value, url string }
	var all []found
	for _, e := range entries {
		if v := samlParam(e.Post); v != "" {
			all = append(all, found{v, e.URL})
			continue
		}
		if u, err := url.Parse(e.URL); err == nil && u.Query().Get("SAMLResponse") != "" {
			all = append(all, found{u.Query().Get("SAMLResponse"), e.URL})
		}
	}
	if len(all) == 0 {
		return nil, "", checks.InputErrorf(in, "no SAMLResponse in the export's %d requests: record the sign-in from the start (DevTools → Network → Preserve log, or SAML-tracer) and export again", len(entries))
	}
	last := all[len(all)-1]
	x, err := decodeBase64(last.value, false)
	if err != nil {
		return nil, "", checks.InputErrorf(in, "the SAMLResponse sent to %s: %v", checks.StripQuery(last.url), err)
	}
	where := "the SAMLResponse sent to " + checks.StripQuery(last.url)
	if len(all) > 1 {
		where = fmt.Sprintf("the last of %d SAMLResponses in the export (sent to %s)", len(all), checks.StripQuery(last.url))
	}
	return x, where, nil
}

// samlParam returns the SAMLResponse field of a form body, or "".
func samlParam(post string) string {
	if !strings.Contains(post, "SAMLResponse") {
		return ""
	}
	q, err := url.ParseQuery(strings.TrimSpace(post))
	if err != nil {
		return ""
	}
	return q.Get("SAMLResponse")
}
