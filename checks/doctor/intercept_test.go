package doctor

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"
)

var testNow = time.Date(2024, 5, 15, 14, 30, 15, 0, time.UTC)

func TestRecognizeInterceptor(t *testing.T) {
	cert := func(subject, issuer pkix.Name) *x509.Certificate {
		return &x509.Certificate{Subject: subject, Issuer: issuer}
	}
	leaf := pkix.Name{CommonName: "login.example.com"}
	tests := []struct {
		issuer pkix.Name
		want   string
	}{
		{pkix.Name{CommonName: "Zscaler Intermediate Root CA (zscalertwo.net)", Organization: []string{"Zscaler Inc."}}, "Zscaler"},
		{pkix.Name{CommonName: "ca.corp.goskope.com", Organization: []string{"Netskope Inc"}}, "Netskope"},
		{pkix.Name{CommonName: "Forward Trust", Organization: []string{"Palo Alto Networks"}}, "Palo Alto Networks"},
		{pkix.Name{CommonName: "FortiGate CA", Organization: []string{"Fortinet"}}, "Fortinet FortiGate"},
		{pkix.Name{CommonName: "Cisco Umbrella Secondary SubCA ash-SG"}, "Cisco Umbrella"},
		{pkix.Name{CommonName: "Blue Coat ProxySG"}, "Symantec / Blue Coat"},
		{pkix.Name{CommonName: "Microsoft Defender for Endpoint TLS Inspection"}, "Microsoft Defender"},
		{pkix.Name{CommonName: "mitmproxy", Organization: []string{"mitmproxy"}}, "mitmproxy"},
		{pkix.Name{CommonName: "Charles Proxy CA (15 May 2024, laptop)"}, "Charles"},
		{pkix.Name{CommonName: "DO_NOT_TRUST_FiddlerRoot"}, "Fiddler"},
		{pkix.Name{CommonName: "R11", Organization: []string{"Let's Encrypt"}}, ""},
		{pkix.Name{CommonName: "DigiCert Global G2 TLS RSA SHA256 2020 CA1"}, ""},
	}
	for _, tt := range tests {
		in, ok := RecognizeInterceptor([]*x509.Certificate{cert(leaf, tt.issuer)})
		if ok != (tt.want != "") || in.Product != tt.want {
			t.Errorf("issuer %s: got %q (%v), want %q", tt.issuer, in.Product, ok, tt.want)
		}
	}
	// A leaf's own subject is the site's: a site named after a product is not an interception.
	if in, ok := RecognizeInterceptor([]*x509.Certificate{cert(pkix.Name{CommonName: "www.zscaler.com"}, pkix.Name{CommonName: "DigiCert"})}); ok {
		t.Errorf("the site zscaler.com recognised as %s", in.Product)
	}
	// The root, further up the chain, names the product too.
	chain := []*x509.Certificate{cert(leaf, pkix.Name{CommonName: "Corp Issuing CA 1"}), cert(pkix.Name{CommonName: "Corp Issuing CA 1"}, pkix.Name{CommonName: "Zscaler Root CA"})}
	if in, _ := RecognizeInterceptor(chain); in.Product != "Zscaler" {
		t.Errorf("chain: got %q", in.Product)
	}
}
