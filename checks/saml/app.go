package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// app is the application's side: what it expects of a response.
type app struct {
	entityID, acsURL, emailAttr, groupAttr string
	// endpoints are the web experience's URLs (defaultEndpoint, endpoints).
	endpoints []string
	// hasMetadata: the configuration holds metadataXML; md is it parsed,
	// mdErr why it did not parse.
	hasMetadata bool
	md          *metadata
	mdErr       error
}

// The keys read from the application's JSON, in any nesting and any case:
// the first found, nearest the top, wins.
var (
	keysMetadata  = []string{"metadataxml"}
	keysEmail     = []string{"useridattribute"}
	keysGroup     = []string{"usergroupattribute"}
	keysEntityID  = []string{"entityid", "spentityid", "audienceuri", "audience"}
	keysACS       = []string{"acsurl", "assertionconsumerserviceurl", "replyurl"}
	keysEndpoints = []string{"defaultendpoint", "endpoints", "endpoint"}
)

// readApp reads the application's identity provider configuration: the
// JSON that 'aws qbusiness get-web-experience' prints, or the
// samlConfiguration object alone, leniently nested.
func readApp(in checks.File) (app, error) {
	data, err := bounded(in)
	if err != nil {
		return app{}, err
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		if data[0] == '<' {
			return app{}, checks.InputErrorf(in, "XML, not the application's JSON: give the IdP's metadata as --metadata, and as --app the JSON 'aws qbusiness get-web-experience' prints")
		}
		return app{}, checks.InputErrorf(in, "%s", checks.DescribeJSONError(data, err))
	}
	vals := map[string][]string{}
	collect(doc, vals)
	first := func(keys []string) string {
		for _, k := range keys {
			for _, v := range vals[k] {
				if strings.TrimSpace(v) != "" {
					return strings.TrimSpace(v)
				}
			}
		}
		return ""
	}
	sp := app{
		entityID:  first(keysEntityID),
		acsURL:    first(keysACS),
		emailAttr: first(keysEmail),
		groupAttr: first(keysGroup),
	}
	for _, k := range keysEndpoints {
		for _, v := range vals[k] {
			if v = strings.TrimSpace(v); strings.HasPrefix(v, "http") && !slices.Contains(sp.endpoints, v) {
				sp.endpoints = append(sp.endpoints, v)
			}
		}
	}
	if x := first(keysMetadata); x != "" {
		sp.hasMetadata = true
		mdIn := checks.File{Name: in.Name + " (metadataXML)", Data: []byte(x)}
		sp.md, sp.mdErr = readMetadata(mdIn)
	}
	if !sp.hasMetadata && sp.emailAttr == "" && sp.groupAttr == "" && sp.entityID == "" && sp.acsURL == "" && len(sp.endpoints) == 0 {
		return app{}, checks.InputErrorf(in, "no samlConfiguration (metadataXML, userIdAttribute) or web experience URLs: expected the JSON 'aws qbusiness get-web-experience' prints")
	}
	return sp, nil
}

// collect gathers the string values of every key of v, by lower-case key,
// breadth first (nearest the top first) and in key order at each level.
func collect(v any, into map[string][]string) {
	level := []any{v}
	for depth := 0; len(level) > 0 && depth < 32; depth++ {
		var next []any
		for _, v := range level {
			switch t := v.(type) {
			case map[string]any:
				keys := make([]string, 0, len(t))
				for k := range t {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					lk := strings.ToLower(k)
					switch x := t[k].(type) {
					case string:
						into[lk] = append(into[lk], x)
					case []any:
						for _, e := range x {
							if s, ok := e.(string); ok {
								into[lk] = append(into[lk], s)
							}
						}
					}
					next = append(next, t[k])
				}
			case []any:
				next = append(next, t...)
			}
		}
		level = next
	}
}

// override applies the flags, which win over the file.
func (sp *app) override(in Inputs) {
	for _, f := range []struct {
		dst *string
		v   string
	}{{&sp.entityID, in.EntityID}, {&sp.acsURL, in.ACSURL}, {&sp.emailAttr, in.EmailAttribute}, {&sp.groupAttr, in.GroupAttribute}} {
		if strings.TrimSpace(f.v) != "" {
			*f.dst = checks.Clean(f.v)
		}
	}
}

// compareAppMetadata compares the metadata the application holds with the
// IdP's current one given, and with the certificate that signed the
// response.
func compareAppMetadata(md *metadata, sp app, sig *signatureResult) checks.Finding {
	if !sp.hasMetadata {
		return checks.Skipf("Not checked: no metadata of the application's to compare (--app with samlConfiguration.metadataXML)")
	}
	stale := func(title, detail string) checks.Finding {
		return checks.Problem(checks.Fail, catalog.SAMLSignatureInvalid, title).WithDetail(detail)
	}
	if sp.mdErr != nil {
		return stale("The application's metadataXML cannot be read", sp.mdErr.Error()+"\nThe application cannot verify responses against it.")
	}
	old := sp.md
	if old.entityID != md.entityID {
		return stale("The application holds the metadata of another IdP", fmt.Sprintf("The application's metadata is for %s; the metadata given is for %s.", checks.OrNone(old.entityID), checks.OrNone(md.entityID))).
			WithEvidence(md.entityID, old.entityID)
	}
	onlyNew, onlyOld := certDiff(md.certs, old.certs), certDiff(old.certs, md.certs)
	if sig != nil && sig.signer != nil && !slices.ContainsFunc(old.certs, sig.signer.Equal) {
		return stale("The response is signed by a certificate the application's metadata does not hold",
			"Signed by: "+describeCert(sig.signer)+"\nThe application holds: "+describeCerts(old.certs)+"\nThe application rejects the response: its metadata is stale after a certificate rollover.").
			WithEvidence("a certificate of "+thumbprints(old.certs), thumbprint(sig.signer))
	}
	if len(onlyNew) > 0 || len(onlyOld) > 0 {
		var d []string
		if len(onlyNew) > 0 {
			d = append(d, "Only in the metadata given (new): "+describeCerts(onlyNew))
		}
		if len(onlyOld) > 0 {
			d = append(d, "Only in the application's metadata (old): "+describeCerts(onlyOld))
		}
		d = append(d, "The application holds metadata from before a certificate rollover: once the IdP signs with the new certificate, sign-in fails.")
		return stale("The application's metadata has other signing certificates than the IdP's current metadata", strings.Join(d, "\n")).
			WithEvidence(thumbprints(md.certs), thumbprints(old.certs))
	}
	return checks.Passf("The application's metadata has the IdP's current signing certificates (%s)", thumbprints(md.certs))
}

// certDiff returns the certificates of a that b lacks.
func certDiff(a, b []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range a {
		if !slices.ContainsFunc(b, func(d *x509.Certificate) bool { return bytes.Equal(c.Raw, d.Raw) }) {
			out = append(out, c)
		}
	}
	return out
}

func describeCerts(cs []*x509.Certificate) string {
	if len(cs) == 0 {
		return "(no certificate)"
	}
	var s []string
	for _, c := range cs {
		s = append(s, describeCert(c))
	}
	return strings.Join(s, "; ")
}

func thumbprints(cs []*x509.Certificate) string {
	if len(cs) == 0 {
		return "(none)"
	}
	var s []string
	for _, c := range cs {
		s = append(s, thumbprint(c))
	}
	return strings.Join(s, ", ")
}
