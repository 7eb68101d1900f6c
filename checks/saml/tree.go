package saml

import (
	"strings"

	"github.com/beevik/etree"
)

// The namespaces read.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// is reports whether el is the element ns:tag.
func is(el *etree.Element, ns, tag string) bool {
	return el != nil && el.Tag == tag && el.NamespaceURI() == ns
}

// child returns el's first child ns:tag, or nil.
func child(el *etree.Element, ns, tag string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			return c
		}
	}
	return nil
}

// children returns el's children ns:tag.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

// path follows a chain of children ns:tag from el.
func path(el *etree.Element, ns string, tags ...string) *etree.Element {
	for _, t := range tags {
		el = child(el, ns, t)
	}
	return el
}

// descendants returns the elements ns:tag below el (not el itself), in
// document order, without recursion.
func descendants(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	walk(el, func(e *etree.Element) {
		if e != el && is(e, ns, tag) {
			out = append(out, e)
		}
	})
	return out
}

// walk calls f for el and every element below it, in document order,
// without recursion.
func walk(el *etree.Element, f func(*etree.Element)) {
	if el == nil {
		return
	}
	stack := []*etree.Element{el}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(e)
		kids := e.ChildElements()
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}

// text returns el's text, trimmed, or "" for nil.
func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

// attr returns el's attribute key (without a prefix), or "" for nil.
func attr(el *etree.Element, key string) string {
	if el == nil {
		return ""
	}
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value
		}
	}
	return ""
}
