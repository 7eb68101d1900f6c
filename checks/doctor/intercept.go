package doctor

import (
	"crypto/x509"
	"strings"
)

// Interceptor is a TLS-inspecting product recognised from the
// certificates it issues.
type Interceptor struct {
	// Product names it for the person reading the report.
	Product string
	// match are lower-case fragments of its CA's subject or issuer.
	match []string
	// Debugging is true for a developer's debugging proxy (not an
	// enterprise's inspection), which the user can simply stop.
	Debugging bool
}

// Interceptors is the table of TLS-inspecting products recognised by the
// names their CAs carry.
var Interceptors = []Interceptor{
	{Product: "Zscaler", match: []string{"zscaler"}},
	{Product: "Netskope", match: []string{"netskope", "goskope"}},
	{Product: "Palo Alto Networks", match: []string{"palo alto networks", "paloalto", "palo alto"}},
	{Product: "Fortinet FortiGate", match: []string{"fortinet", "fortigate", "fortiproxy"}},
	{Product: "Cisco Umbrella", match: []string{"cisco umbrella", "umbrella", "opendns"}},
	{Product: "Symantec / Blue Coat", match: []string{"blue coat", "bluecoat", "proxysg", "symantec web", "ssl visibility"}},
	{Product: "Microsoft Defender", match: []string{"microsoft defender", "defender for", "global secure access"}},
	{Product: "mitmproxy", match: []string{"mitmproxy"}, Debugging: true},
	{Product: "Charles", match: []string{"charles proxy", "charlesproxy"}, Debugging: true},
	{Product: "Fiddler", match: []string{"fiddler"}, Debugging: true},
}

// names returns the distinguished names a certificate's issuer and subject
// carry, lower case.
func names(c *x509.Certificate) string {
	var b strings.Builder
	for _, n := range []string{c.Issuer.String(), c.Subject.String()} {
		b.WriteString(strings.ToLower(n))
		b.WriteByte('\n')
	}
	return b.String()
}

// RecognizeInterceptor names the TLS-inspecting product that issued a
// chain, from the issuer and subject of its CA certificates and of the
// leaf's issuer; ok is false when none in the table matches.
func RecognizeInterceptor(chain []*x509.Certificate) (Interceptor, bool) {
	for i, c := range chain {
		text := names(c)
		if i == 0 {
			text = strings.ToLower(c.Issuer.String()) // a leaf's own subject is the site's
		}
		for _, in := range Interceptors {
			for _, m := range in.match {
				if strings.Contains(text, m) {
					return in, true
				}
			}
		}
	}
	return Interceptor{}, false
}
