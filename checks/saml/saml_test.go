package saml

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// want is what a test expects of one check: its status, row, and words
// its title, detail or evidence hold.
type want struct {
	status checks.Status
	row    catalog.ID
	says   []string
}

func expect(t *testing.T, a *checks.Analysis, wants map[string]want) {
	t.Helper()
	defer func() {
		if t.Failed() {
			t.Log(dump(a))
		}
	}()
	for id, w := range wants {
		fs := byCheck(a, id)
		if len(fs) == 0 {
			t.Errorf("%s: no finding", id)
			continue
		}
		f := fs[0]
		if f.Status != w.status || f.Row != w.row {
			t.Errorf("%s: got %s [%s] %q, want %s [%s]", id, f.Status, f.Row, f.Title, w.status, w.row)
		}
		all := f.Title + "\n" + f.Detail + "\n" + f.Fix
		if f.Evidence != nil {
			all += "\n" + f.Evidence.Expected + "\n" + f.Evidence.Got
		}
		for _, s := range w.says {
			if !strings.Contains(all, s) {
				t.Errorf("%s: %q lacks %q", id, all, s)
			}
		}
	}
}

var pass = want{status: checks.Pass}

// allPass are the findings of a good response.
var allPass = map[string]want{
	CheckMetadata: pass, CheckCertificate: pass, CheckStatus: pass, CheckSignature: pass,
	CheckAudience: pass, CheckRecipient: pass, CheckValidity: pass, CheckNameID: pass, CheckEmail: pass, CheckGroup: pass,
}

func TestGoodResponse(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	for name, resp := range map[string][]byte{
		"assertion signed, base64":    b64(signGo(t, goodFixture().xml(t), "Assertion", idp)),
		"response signed, raw XML":    signGo(t, goodFixture().xml(t), "Response", idp),
		"both signed":                 b64(signGo(t, signGo(t, goodFixture().xml(t), "Assertion", idp), "Response", idp)),
		"form value, URL-encoded":     []byte("SAMLResponse=" + strings.ReplaceAll(strings.ReplaceAll(string(b64(signGo(t, goodFixture().xml(t), "Assertion", idp))), "+", "%2B"), "=", "%3D") + "&RelayState=x"),
		"HAR, postData.params":        harWith(t, signGo(t, goodFixture().xml(t), "Assertion", idp), true),
		"HAR, postData.text":          harWith(t, signGo(t, goodFixture().xml(t), "Assertion", idp), false),
		"SAML-tracer export":          tracerWith(t, signGo(t, goodFixture().xml(t), "Assertion", idp)),
		"base64 broken over lines":    wrap(b64(signGo(t, goodFixture().xml(t), "Assertion", idp)), 76),
		"URL-encoded base64, no name": []byte(strings.ReplaceAll(string(b64(signGo(t, goodFixture().xml(t), "Assertion", idp))), "+", "%2B")),
	} {
		t.Run(name, func(t *testing.T) {
			a := analyze(t, md, resp)
			expect(t, a, allPass)
			if a.Failed() || a.Summary.Warn > 0 || a.Summary.Skip != 1 { // only app_metadata is skipped
				t.Errorf("summary %+v%s", a.Summary, dump(a))
			}
			f := byCheck(a, CheckEmail)[0]
			if !strings.Contains(f.Title, "jane@contoso.example") {
				t.Errorf("email finding %q does not show the mapped email", f.Title)
			}
		})
	}
}

func wrap(b []byte, n int) []byte {
	var out bytes.Buffer
	for len(b) > n {
		out.Write(b[:n])
		out.WriteString("\r\n")
		b = b[n:]
	}
	out.Write(b)
	return out.Bytes()
}

func TestIndependentSigner(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	t.Run("assertion signed by xml-crypto", func(t *testing.T) {
		expect(t, analyze(t, md, b64(signNode(t, goodFixture().xml(t), "Assertion", idp))), allPass)
	})
	t.Run("response signed by xml-crypto", func(t *testing.T) {
		expect(t, analyze(t, md, signNode(t, goodFixture().xml(t), "Response", idp)), allPass)
	})
	t.Run("xml-crypto, wrong audience", func(t *testing.T) {
		f := goodFixture()
		f.Audience = "urn:example:other"
		expect(t, analyze(t, md, b64(signNode(t, f.xml(t), "Assertion", idp))), map[string]want{
			CheckSignature: pass, CheckAudience: {checks.Fail, catalog.SAMLAudienceMismatch, []string{"urn:example:other"}},
		})
	})
	t.Run("xml-crypto, altered after signing", func(t *testing.T) {
		signed := signNode(t, goodFixture().xml(t), "Assertion", idp)
		tampered := bytes.Replace(signed, []byte("jane@contoso.example</AttributeValue></Attribute><Attribute Name=\"http"), []byte("mallory@contoso.example</AttributeValue></Attribute><Attribute Name=\"http"), 1)
		if bytes.Equal(tampered, signed) {
			t.Fatal("tampering changed nothing")
		}
		expect(t, analyze(t, md, tampered), map[string]want{
			CheckSignature: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"digest does not match"}},
			CheckEmail:     {status: checks.Skip},
		})
	})
}

func TestResponseFaults(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	tests := []struct {
		name   string
		change func(*fixture)
		wants  map[string]want
	}{
		{"status Requester/RequestDenied with an Entra message", func(f *fixture) {
			f.Status, f.Status2 = "urn:oasis:names:tc:SAML:2.0:status:Responder", "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
			f.Message = "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access."
		}, map[string]want{CheckStatus: {checks.Fail, catalog.SAMLPermissionNeeded, []string{"Responder / RequestDenied", "the IdP refused the request", "AADSTS50105", "Users and groups"}}}},
		{"status AADSTS700016 names the audience row", func(f *fixture) {
			f.Status, f.Message = "urn:oasis:names:tc:SAML:2.0:status:Requester", "AADSTS700016: Application with identifier 'urn:x' was not found in the directory"
		}, map[string]want{CheckStatus: {checks.Fail, catalog.SAMLAudienceMismatch, []string{"Requester"}}, CheckAudience: {status: checks.Skip}}},
		{"wrong audience (trailing slash)", func(f *fixture) { f.Audience = entityID + "/" },
			map[string]want{CheckAudience: {checks.Fail, catalog.SAMLAudienceMismatch, []string{"trailing slash", entityID}}}},
		{"wrong recipient", func(f *fixture) { f.Recipient = "https://other.example/saml" },
			map[string]want{CheckRecipient: {checks.Fail, catalog.SAMLRecipientMismatch, []string{"Recipient", "https://other.example/saml"}}}},
		{"wrong destination", func(f *fixture) { f.Destination = strings.ToUpper(acsURL) },
			map[string]want{CheckRecipient: {checks.Fail, catalog.SAMLRecipientMismatch, []string{"Destination", "case only"}}}},
		{"expired", func(f *fixture) {
			f.IssueInstant = now.Add(-3 * time.Hour).Format(time.RFC3339)
			f.NotOnOrAfter = now.Add(-2 * time.Hour).Format(time.RFC3339)
			f.SCNotOnOrAfter = now.Add(-170 * time.Minute).Format(time.RFC3339)
		}, map[string]want{CheckValidity: {checks.Fail, catalog.SAMLAssertionExpired, []string{"expired", "3 minutes of clock skew", "issued at"}}}},
		{"within the skew still valid", func(f *fixture) {
			f.SCNotOnOrAfter = now.Add(-2 * time.Minute).Format(time.RFC3339)
		}, map[string]want{CheckValidity: pass}},
		{"not yet valid", func(f *fixture) { f.NotBefore = now.Add(10 * time.Minute).Format(time.RFC3339) },
			map[string]want{CheckValidity: {checks.Fail, catalog.SAMLAssertionExpired, []string{"not valid yet", "ahead"}}}},
		{"NameID missing", func(f *fixture) { f.NoNameID = true },
			map[string]want{CheckNameID: {checks.Fail, catalog.SAMLNameIDFormat, []string{"no NameID"}}}},
		{"NameID persistent", func(f *fixture) { f.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" },
			map[string]want{CheckNameID: {checks.Fail, catalog.SAMLNameIDFormat, []string{"Persistent", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"}}}},
		{"NameID without Format", func(f *fixture) { f.NameIDFormat = "" },
			map[string]want{CheckNameID: {checks.Pass, "", []string{"SAML's default"}}}},
		{"email attribute missing: Entra's emailaddress sent instead", func(f *fixture) {
			f.Attrs = replaceAttr(f.Attrs, "Email", attrFix{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", []string{"jane@contoso.example"}})
		}, map[string]want{CheckEmail: {checks.Fail, catalog.SAMLEmailAttributeMissing, []string{
			"You send http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress (emailaddress, from user.mail) but the application maps Email.",
			"givenname", "Mail attribute is empty in Entra"}}}},
		{"email attribute empty", func(f *fixture) { f.Attrs = replaceAttr(f.Attrs, "Email", attrFix{"Email", []string{""}}) },
			map[string]want{CheckEmail: {checks.Fail, catalog.SAMLEmailAttributeMissing, []string{"empty", "The user's Mail attribute is empty in Entra"}}}},
		{"email attribute case differs", func(f *fixture) {
			f.Attrs = replaceAttr(f.Attrs, "Email", attrFix{"email", []string{"jane@contoso.example"}})
		},
			map[string]want{CheckEmail: {checks.Fail, catalog.SAMLEmailAttributeMissing, []string{"case only", "email", "Email"}}}},
		{"email attribute not an email", func(f *fixture) { f.Attrs = replaceAttr(f.Attrs, "Email", attrFix{"Email", []string{"Jane Doe"}}) },
			map[string]want{CheckEmail: {checks.Fail, catalog.SAMLEmailAttributeMissing, []string{"not an email address"}}}},
		{"group attribute missing", func(f *fixture) {
			f.Attrs = replaceAttr(f.Attrs, "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", attrFix{claimGroupsLink, []string{"https://graph.windows.net/x"}})
		}, map[string]want{CheckGroup: {checks.Warn, catalog.SAMLPermissionNeeded, []string{"groups.link"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := goodFixture()
			tt.change(f)
			a := analyze(t, md, b64(signGo(t, f.xml(t), "Assertion", idp)))
			expect(t, a, tt.wants)
		})
	}
}

func replaceAttr(as []attrFix, name string, with attrFix) []attrFix {
	out := append([]attrFix(nil), as...)
	for i := range out {
		if out[i].Name == name {
			out[i] = with
		}
	}
	return out
}

// TestRedaction: attribute values other than the mapped email and group,
// signature values and certificates' base64 never reach the output.
func TestRedaction(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	f := goodFixture()
	f.Attrs = replaceAttr(f.Attrs, "Email", attrFix{"Mail", []string{"jane@contoso.example"}})
	f.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	f.NameID = "S3cr3tPersistentIdentifier"
	signed := signGo(t, f.xml(t), "Assertion", idp)
	a := analyze(t, md, b64(signed))
	all := dump(a)
	for _, f := range a.Findings {
		if f.Evidence != nil {
			all += f.Evidence.Expected + f.Evidence.Got
		}
		all += f.Fix
	}
	doc := etree.NewDocument()
	_ = doc.ReadFromBytes(signed)
	sv := doc.FindElement("//SignatureValue").Text()
	for _, secret := range []string{"d2b1c6a0-0000-4000-8000-1234567890ab", "S3cr3tPersistentIdentifier", sv[:24], idp.b64()[:40], ">Jane<"} {
		if strings.Contains(all, secret) {
			t.Errorf("output holds %q:%s", secret, all)
		}
	}
	if !strings.Contains(all, "\"S3\"… (26 characters, redacted)") || !strings.Contains(all, "thumbprint "+thumbprint(idp.cert)) {
		t.Errorf("output lacks the redacted NameID or the thumbprint:%s", all)
	}
}

func TestSignatureWrapping(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	evil := goodFixture()
	evil.Attrs = replaceAttr(evil.Attrs, "Email", attrFix{"Email", []string{"admin@contoso.example"}})
	evilAssertion := func(t *testing.T, id string) *etree.Element {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(evil.xml(t)); err != nil {
			t.Fatal(err)
		}
		a := child(doc.Root(), nsAssertion, "Assertion")
		a.CreateAttr("ID", id)
		return a
	}
	mutate := func(t *testing.T, signed []byte, f func(root, signedAssertion *etree.Element)) []byte {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(signed); err != nil {
			t.Fatal(err)
		}
		f(doc.Root(), child(doc.Root(), nsAssertion, "Assertion"))
		out, _ := doc.WriteToBytes()
		return out
	}
	signedA := signGo(t, goodFixture().xml(t), "Assertion", idp)
	signedR := signGo(t, goodFixture().xml(t), "Response", idp)
	tests := []struct {
		name string
		resp []byte
		says string
	}{
		{"XSW: unsigned assertion before the signed one", mutate(t, signedA, func(root, sa *etree.Element) {
			root.InsertChildAt(sa.Index(), evilAssertion(t, "_evil"))
		}), "2 assertions"},
		{"XSW: unsigned assertion after the signed one", mutate(t, signedA, func(root, sa *etree.Element) {
			root.AddChild(evilAssertion(t, "_evil"))
		}), "2 assertions"},
		{"XSW: signed assertion wrapped inside the forged one", mutate(t, signedA, func(root, sa *etree.Element) {
			e := evilAssertion(t, "_evil")
			root.RemoveChild(sa)
			child(e, nsAssertion, "Subject").AddChild(sa)
			root.AddChild(e)
		}), "2 assertions"},
		{"XSW: the assertion's ID changed, signature references the old", mutate(t, signedA, func(root, sa *etree.Element) {
			sa.CreateAttr("ID", "_evil")
		}), "references \"#_asrt-0b9c\""},
		{"XSW: signed response moved into Extensions of a forged one", func() []byte {
			doc := etree.NewDocument()
			_ = doc.ReadFromBytes(evil.xml(t))
			orig := etree.NewDocument()
			_ = orig.ReadFromBytes(signedR)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(orig.Root())
			doc.Root().InsertChildAt(1, ext)
			out, _ := doc.WriteToBytes()
			return out
		}(), "Response inside the Response"},
		{"XSW: signature moved into the forged assertion's Advice", mutate(t, signedA, func(root, sa *etree.Element) {
			sig := child(sa, nsDSig, "Signature")
			sa.RemoveChild(sig)
			adv := etree.NewElement("Advice")
			adv.AddChild(sig)
			sa.InsertChildAt(1, adv)
		}), "A signature inside <Advice>"},
		{"duplicate IDs", mutate(t, signedA, func(root, sa *etree.Element) {
			root.CreateAttr("ID", "_asrt-0b9c")
		}), "Two elements carry the ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyze(t, md, tt.resp)
			expect(t, a, map[string]want{
				CheckSignature: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"Signature wrapping", tt.says}},
				CheckEmail:     {checks.Skip, "", []string{"signature-wrapping"}},
				CheckAudience:  {status: checks.Skip},
			})
			if strings.Contains(dump(a), "admin@contoso.example") {
				t.Errorf("a value of the forged assertion was read:%s", dump(a))
			}
		})
	}
}

func TestUnsignedAndRolledOver(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	t.Run("unsigned", func(t *testing.T) {
		expect(t, analyze(t, md, b64(goodFixture().xml(t))), map[string]want{
			CheckSignature: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"not signed"}},
			CheckEmail:     {checks.Skip, "", []string{"not signed"}},
			CheckStatus:    {checks.Pass, "", []string{"as received"}},
		})
	})
	t.Run("signed by a rolled-over certificate", func(t *testing.T) {
		next := newSigner(t, 1, now.Add(-24*time.Hour), now.Add(3*365*24*time.Hour))
		a := analyze(t, md, b64(signGo(t, goodFixture().xml(t), "Assertion", next)))
		expect(t, a, map[string]want{
			CheckSignature: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"not in the metadata", thumbprint(next.cert), thumbprint(idp.cert), day(idp.cert.NotAfter), day(next.cert.NotAfter)}},
			CheckEmail:     pass, // read as that certificate signed it
		})
	})
	t.Run("signed by another key with the metadata's certificate in KeyInfo", func(t *testing.T) {
		other := newSigner(t, 2, now.Add(-time.Hour), now.Add(time.Hour))
		forged := signer{key: other.key, cert: idp.cert}
		expect(t, analyze(t, md, b64(signGo(t, goodFixture().xml(t), "Assertion", forged))), map[string]want{
			CheckSignature: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"does not match the certificate's key"}},
			CheckEmail:     {status: checks.Skip},
		})
	})
	t.Run("signing certificate expired", func(t *testing.T) {
		old := newSigner(t, 1, now.Add(-3*365*24*time.Hour), now.Add(-24*time.Hour))
		a := analyze(t, entraMetadata(t, old), b64(signGo(t, goodFixture().xml(t), "Assertion", old)))
		expect(t, a, map[string]want{
			CheckCertificate: {checks.Fail, catalog.SAMLCertificateExpiring, []string{"expired on " + day(old.cert.NotAfter)}},
			CheckSignature:   {checks.Fail, catalog.SAMLCertificateExpiring, []string{"not valid now"}},
		})
	})
}

func TestCertificates(t *testing.T) {
	t.Run("expiring in 10 days", func(t *testing.T) {
		soon := newSigner(t, 0, now.Add(-1000*24*time.Hour), now.Add(10*24*time.Hour))
		expect(t, analyze(t, entraMetadata(t, soon), nil), map[string]want{
			CheckCertificate: {checks.Warn, catalog.SAMLCertificateExpiring, []string{"in 10 days", day(soon.cert.NotAfter), "thumbprint " + thumbprint(soon.cert)}},
			CheckSignature:   {checks.Skip, "", []string{"no SAML response"}},
		})
	})
	t.Run("rollover: two certificates", func(t *testing.T) {
		idp, next := current(t), newSigner(t, 1, now.Add(-time.Hour), now.Add(3*365*24*time.Hour))
		md := entraMetadata(t, idp, next)
		a := analyze(t, md, b64(signGo(t, goodFixture().xml(t), "Assertion", next)))
		if fs := byCheck(a, CheckCertificate); len(fs) != 2 || !strings.Contains(fs[0].Detail, "rollover") || fs[1].Status != checks.Pass {
			t.Errorf("certificate findings:%s", dump(a))
		}
		expect(t, a, map[string]want{CheckSignature: pass})
	})
	t.Run("EntitiesDescriptor, generic IdP", func(t *testing.T) {
		idp := current(t)
		md := `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntityDescriptor entityID="https://sp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor><md:EntityDescriptor entityID="https://idp.example/saml"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` + idp.b64() + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>`
		expect(t, analyze(t, []byte(md), nil), map[string]want{
			CheckMetadata:    {checks.Pass, "", []string{"https://idp.example/saml", "HTTP-POST", "2 entities"}},
			CheckCertificate: pass,
		})
	})
	t.Run("no signing certificate", func(t *testing.T) {
		expect(t, analyze(t, entraMetadata(t), nil), map[string]want{
			CheckCertificate: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"no signing certificate"}},
		})
	})
}

func TestEntraMetadataShape(t *testing.T) {
	idp := current(t)
	a := analyze(t, entraMetadata(t, idp), nil)
	expect(t, a, map[string]want{
		CheckMetadata: {checks.Pass, "", []string{issuer, "Entra ID, tenant " + tenant, "Sign-in URL (HTTP-POST): https://login.microsoftonline.com/" + tenant + "/saml2", "Sign-in URL (HTTP-Redirect)"}},
	})
	// The same certificate in the two RoleDescriptors and the
	// IDPSSODescriptor is one certificate.
	if fs := byCheck(a, CheckCertificate); len(fs) != 1 {
		t.Errorf("certificates:%s", dump(a))
	}
}

func TestAppMetadata(t *testing.T) {
	idp := current(t)
	next := newSigner(t, 1, now.Add(-time.Hour), now.Add(3*365*24*time.Hour))
	run := func(t *testing.T, given, held []byte, resp []byte, flags bool) *checks.Analysis {
		in := Inputs{Metadata: checks.File{Name: "metadata.xml", Data: given}, App: &checks.File{Name: "app.json", Data: appJSON(t, held)}, ACSURL: acsURL, EntityID: entityID, Now: now}
		if resp != nil {
			in.Response = &checks.File{Name: "r", Data: resp}
		}
		if flags {
			in.EmailAttribute = "Mail"
		}
		a, err := Analyze(in)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	t.Run("current", func(t *testing.T) {
		a := run(t, entraMetadata(t, idp), entraMetadata(t, idp), b64(signGo(t, goodFixture().xml(t), "Assertion", idp)), false)
		expect(t, a, allPass)
		expect(t, a, map[string]want{CheckAppMetadata: pass})
	})
	t.Run("stale after a rollover", func(t *testing.T) {
		a := run(t, entraMetadata(t, next), entraMetadata(t, idp), nil, false)
		expect(t, a, map[string]want{CheckAppMetadata: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"rollover", "Only in the metadata given (new)", thumbprint(next.cert), thumbprint(idp.cert)}}})
	})
	t.Run("response signed by a certificate the app does not hold", func(t *testing.T) {
		a := run(t, entraMetadata(t, idp, next), entraMetadata(t, idp), b64(signGo(t, goodFixture().xml(t), "Assertion", next)), false)
		expect(t, a, map[string]want{
			CheckAppMetadata: {checks.Fail, catalog.SAMLSignatureInvalid, []string{"does not hold", thumbprint(next.cert)}},
			CheckSignature:   pass,
		})
	})
	t.Run("flags override the app file", func(t *testing.T) {
		a := run(t, entraMetadata(t, idp), entraMetadata(t, idp), b64(signGo(t, goodFixture().xml(t), "Assertion", idp)), true)
		expect(t, a, map[string]want{CheckEmail: {checks.Fail, catalog.SAMLEmailAttributeMissing, []string{"Mail"}}, CheckGroup: pass})
	})
	t.Run("identity provider configuration nesting", func(t *testing.T) {
		app := []byte(`{"identityProviderConfiguration":{"samlConfiguration":{"authenticationUrl":"https://myapps.microsoft.com/signin/x"}},"samlConfiguration":{"userIdAttribute":"Email"},"endpoints":[{"endpoint":"https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/"}]}`)
		a, err := Analyze(Inputs{Metadata: checks.File{Name: "m", Data: entraMetadata(t, idp)}, App: &checks.File{Name: "app.json", Data: app},
			Response: &checks.File{Name: "r", Data: b64(signGo(t, goodFixture().xml(t), "Assertion", idp))}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, a, map[string]want{
			CheckEmail:       pass,
			CheckRecipient:   {checks.Skip, "", []string{"--acs-url", acsURL, "https://a1b2c3d4.chat.qbusiness.us-east-1.on.aws/"}},
			CheckAudience:    {checks.Skip, "", []string{"--entity-id", entityID}},
			CheckGroup:       {status: checks.Skip},
			CheckAppMetadata: {status: checks.Skip},
		})
	})
}

func TestEncryptedAssertion(t *testing.T) {
	idp := current(t)
	md := entraMetadata(t, idp)
	f := goodFixture()
	f.Encrypted = true
	a := analyze(t, md, b64(signGo(t, f.xml(t), "Response", idp)))
	wantSkip := want{checks.Skip, "", []string{"encrypted", "private key"}}
	expect(t, a, map[string]want{
		CheckStatus:    pass,
		CheckSignature: {checks.Pass, "", []string{"the Response is signed"}},
		CheckRecipient: {checks.Pass, "", []string{"Recipient inside the assertion is not checked"}},
		CheckAudience:  wantSkip, CheckValidity: wantSkip, CheckNameID: wantSkip, CheckEmail: wantSkip, CheckGroup: wantSkip,
	})
	t.Run("unsigned response", func(t *testing.T) {
		a := analyze(t, md, b64(f.xml(t)))
		expect(t, a, map[string]want{CheckSignature: wantSkip, CheckEmail: wantSkip})
	})
}
