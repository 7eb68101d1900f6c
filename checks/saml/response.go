package saml

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// response is a SAML response as received.
type response struct {
	root *etree.Element
	// where says where in the input the response was found ("" for the
	// whole input).
	where     string
	encrypted bool
}

// readResponse finds and parses the SAMLResponse in the input.
func readResponse(in checks.File) (*response, error) {
	x, where, err := responseXML(in)
	if err != nil {
		return nil, err
	}
	const what = "a SAML response (samlp:Response)"
	src := in
	if where != "" {
		src.Name = in.Name + " (" + where + ")"
	}
	doc, err := parseXML(src, x, what)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	switch {
	case is(root, nsProtocol, "Response"):
	case is(root, nsMetadata, "EntityDescriptor") || is(root, nsMetadata, "EntitiesDescriptor"):
		return nil, checks.InputErrorf(src, "IdP metadata, not a SAML response: give it as --metadata, and the SAMLResponse of the sign-in as --response")
	case is(root, nsProtocol, "AuthnRequest"):
		return nil, checks.InputErrorf(src, "a SAML AuthnRequest (what the application sends to the IdP), not the IdP's response: take the SAMLResponse posted back to the application")
	case is(root, nsProtocol, "LogoutRequest") || is(root, nsProtocol, "LogoutResponse"):
		return nil, checks.InputErrorf(src, "a SAML %s, not the sign-in's response: take the SAMLResponse posted to the application after sign-in", root.Tag)
	case strings.EqualFold(root.Tag, "html"):
		return nil, checks.InputErrorf(src, "an HTML page, not %s", what)
	default:
		return nil, checks.InputErrorf(src, "the root element is <%s> (namespace %q), not %s", root.FullTag(), root.NamespaceURI(), what)
	}
	return &response{root: root, where: where, encrypted: child(root, nsAssertion, "EncryptedAssertion") != nil}, nil
}

// encryptedWhy is the reason the assertion checks are skipped for an
// encrypted assertion.
func (r *response) encryptedWhy() string {
	return "the assertion is encrypted (EncryptedAssertion) and quickdiag does not ask for the application's private key; the status, Destination, Issuer and the Response's signature are still checked. To check the assertion, turn off token encryption for a test sign-in (Entra: the enterprise application → Token encryption)"
}

// Status codes and what they mean for an administrator.
const statusPrefix = "urn:oasis:names:tc:SAML:2.0:status:"

var statusWords = map[string]string{
	"Requester":                "the IdP blames the request (the application's side)",
	"Responder":                "the IdP could not sign the user in",
	"VersionMismatch":          "the SAML version of the request is wrong",
	"AuthnFailed":              "the user could not be authenticated",
	"InvalidAttrNameOrValue":   "an attribute name or value is invalid",
	"InvalidNameIDPolicy":      "the IdP cannot issue the NameID format requested",
	"NoAuthnContext":           "the IdP cannot meet the authentication context requested",
	"NoAvailableIDP":           "no IdP is available",
	"NoPassive":                "the user must interact (a passive sign-in was requested)",
	"NoSupportedIDP":           "no supported IdP",
	"PartialLogout":            "sign-out was partial",
	"ProxyCountExceeded":       "too many IdP proxies",
	"RequestDenied":            "the IdP refused the request",
	"RequestUnsupported":       "the IdP does not support the request",
	"RequestVersionDeprecated": "the request's SAML version is deprecated",
	"RequestVersionTooHigh":    "the request's SAML version is too high",
	"RequestVersionTooLow":     "the request's SAML version is too low",
	"ResourceNotRecognized":    "the resource is not recognised",
	"TooManyResponses":         "too many responses",
	"UnknownAttrProfile":       "unknown attribute profile",
	"UnknownPrincipal":         "the IdP does not know the user",
	"UnsupportedBinding":       "the IdP does not support the binding",
}

// aadstsRE finds an Entra error code in a status message.
var aadstsRE = regexp.MustCompile(`AADSTS\d+`)

// statusFinding reports the response's Status.
func (r *response) statusFinding(sig *signatureResult) checks.Finding {
	resp := sig.response
	st := child(resp, nsProtocol, "Status")
	code := child(st, nsProtocol, "StatusCode")
	top := attr(code, "Value")
	var second []string
	for sc := child(code, nsProtocol, "StatusCode"); sc != nil; sc = child(sc, nsProtocol, "StatusCode") {
		second = append(second, attr(sc, "Value"))
	}
	msg := checks.Truncate(text(child(st, nsProtocol, "StatusMessage")), 400)
	var d []string
	if r.where != "" {
		d = append(d, "Read from "+r.where+".")
	}
	if iss := text(child(resp, nsAssertion, "Issuer")); iss != "" {
		d = append(d, "Issuer: "+iss)
	}
	if !sig.responseSigned {
		d = append(d, "The Response element is not signed: its status is as received.")
	}
	if top == statusPrefix+"Success" {
		return checks.Passf("The IdP answered Success").WithDetail(strings.Join(d, "\n"))
	}
	if top == "" {
		return checks.Problem(checks.Fail, catalog.SAMLPermissionNeeded, "The response has no StatusCode").WithDetail(strings.Join(d, "\n"))
	}
	words := []string{short(top)}
	explain := []string{}
	for _, v := range append([]string{top}, second...) {
		if w, ok := statusWords[strings.TrimPrefix(v, statusPrefix)]; ok && strings.HasPrefix(v, statusPrefix) {
			explain = append(explain, short(v)+": "+w)
		}
	}
	for _, v := range second {
		words = append(words, short(v))
	}
	if msg != "" {
		d = append([]string{"Message: " + msg}, d...)
	}
	if len(explain) > 0 {
		d = append([]string{strings.Join(explain, "; ") + "."}, d...)
	}
	row, fix := catalog.SAMLPermissionNeeded, "Read the IdP's message above; fix what it names and sign in again."
	switch aadstsRE.FindString(msg) {
	case "AADSTS700016":
		row, fix = catalog.SAMLAudienceMismatch, ""
	case "AADSTS50011":
		row, fix = catalog.SAMLRecipientMismatch, ""
	case "AADSTS50105":
		fix = "Entra: Enterprise applications → the application → Users and groups → assign the user (or a group of theirs)."
	}
	return checks.Problem(checks.Fail, row, "The IdP did not sign the user in: "+strings.Join(words, " / ")).
		WithDetail(strings.Join(d, "\n")).WithFix(fix).
		WithEvidence("Success", strings.Join(words, " / "))
}

// short returns the last part of a SAML URI.
func short(v string) string {
	if i := strings.LastIndex(v, ":"); i >= 0 && i < len(v)-1 {
		return v[i+1:]
	}
	return v
}

// contents checks what the verified assertion says against the
// application's side.
type contents struct {
	resp  *response
	sig   *signatureResult
	sp    app
	now   time.Time
	entra bool
}

// skip is the finding for an assertion check without a verified assertion.
func (c *contents) skip() (checks.Finding, bool) {
	if c.sig.assertion != nil {
		return checks.Finding{}, false
	}
	why := c.sig.why
	if why == "" {
		why = "the response holds no assertion"
	}
	return checks.Skipf("Not checked: %s", why), true
}

func (c *contents) conditions() *etree.Element {
	return child(c.sig.assertion, nsAssertion, "Conditions")
}

// bearerData returns the SubjectConfirmationData of the bearer
// confirmations.
func (c *contents) bearerData() []*etree.Element {
	var out []*etree.Element
	for _, sc := range children(child(c.sig.assertion, nsAssertion, "Subject"), nsAssertion, "SubjectConfirmation") {
		if m := attr(sc, "Method"); m == "" || m == "urn:oasis:names:tc:SAML:2.0:cm:bearer" {
			if d := child(sc, nsAssertion, "SubjectConfirmationData"); d != nil {
				out = append(out, d)
			}
		}
	}
	return out
}

// audience checks every AudienceRestriction names the entity ID.
func (c *contents) audience() checks.Finding {
	if f, ok := c.skip(); ok {
		return f
	}
	restrictions := children(c.conditions(), nsAssertion, "AudienceRestriction")
	var all []string
	ok := len(restrictions) > 0
	for _, r := range restrictions {
		var auds []string
		for _, a := range children(r, nsAssertion, "Audience") {
			auds = append(auds, text(a))
		}
		all = append(all, auds...)
		found := false
		for _, a := range auds {
			found = found || a == c.sp.entityID
		}
		ok = ok && found
	}
	got := strings.Join(all, ", ")
	if c.sp.entityID == "" {
		return checks.Skipf("Not checked: the application's entity ID is unknown (give --entity-id, or --app); the assertion is for %s", checks.OrNone(got))
	}
	if len(restrictions) == 0 {
		return checks.Problem(checks.Fail, catalog.SAMLAudienceMismatch, "The assertion names no Audience").
			WithDetail("Without an AudienceRestriction the application cannot tell the assertion is meant for it.").
			WithEvidence(c.sp.entityID, "(none)")
	}
	if ok {
		return checks.Passf("The Audience is the application's entity ID (%s)", c.sp.entityID)
	}
	return checks.Problem(checks.Fail, catalog.SAMLAudienceMismatch, "The Audience is not the application's entity ID").
		WithDetail(nearMiss(c.sp.entityID, all, "Entra's Identifier (Entity ID)")).
		WithEvidence(c.sp.entityID, checks.OrNone(got))
}

// nearMiss explains how close values come to want.
func nearMiss(want string, got []string, where string) string {
	for _, g := range got {
		switch {
		case strings.EqualFold(g, want):
			return fmt.Sprintf("%s %q differs from %q in case only: they are compared exactly.", where, g, want)
		case strings.TrimRight(g, "/") == strings.TrimRight(want, "/"):
			return fmt.Sprintf("%s %q differs from %q by a trailing slash: they are compared exactly.", where, g, want)
		case strings.TrimSpace(g) == want:
			return fmt.Sprintf("%s %q has white space around it.", where, g)
		}
	}
	return where + " is another value."
}

// recipient checks the Response's Destination and the bearer
// confirmations' Recipient against the ACS URL.
func (c *contents) recipient() checks.Finding {
	dest := attr(c.sig.response, "Destination")
	var recips []string
	if c.sig.assertion != nil {
		for _, d := range c.bearerData() {
			recips = append(recips, attr(d, "Recipient"))
		}
	}
	if c.sp.acsURL == "" {
		seen := fmt.Sprintf("Destination %s, Recipient %s", checks.OrNone(dest), checks.OrNone(strings.Join(recips, ", ")))
		web := ""
		if len(c.sp.endpoints) > 0 {
			web = "; the web experience is at " + strings.Join(c.sp.endpoints, ", ")
		}
		return checks.Skipf("Not checked: the application's ACS URL is unknown (give --acs-url: the Reply URL the Q Business console shows); the response says %s%s", seen, web)
	}
	want := c.sp.acsURL
	var d []string
	if !c.sig.responseSigned && dest != "" {
		d = append(d, "The Response element is not signed: its Destination is as received.")
	}
	if dest != "" && dest != want {
		return checks.Problem(checks.Fail, catalog.SAMLRecipientMismatch, "The response's Destination is not the application's ACS URL").
			WithDetail(strings.Join(append(d, nearMiss(want, []string{dest}, "The Destination")), "\n")).
			WithEvidence(want, dest)
	}
	if c.sig.assertion == nil {
		if dest == "" {
			f, _ := c.skip()
			return f
		}
		return checks.Passf("The response's Destination is the application's ACS URL (%s)", want).
			WithDetail(strings.Join(append(d, "The Recipient inside the assertion is not checked: "+c.sig.why+"."), "\n"))
	}
	if len(recips) == 0 {
		return checks.Problem(checks.Fail, catalog.SAMLRecipientMismatch, "The assertion has no bearer SubjectConfirmationData with a Recipient").
			WithEvidence(want, "(none)")
	}
	for _, r := range recips {
		if r != want {
			return checks.Problem(checks.Fail, catalog.SAMLRecipientMismatch, "The assertion's Recipient is not the application's ACS URL").
				WithDetail(strings.Join(append(d, nearMiss(want, []string{r}, "The Recipient (Entra's Reply URL)")), "\n")).
				WithEvidence(want, checks.OrNone(r))
		}
	}
	return checks.Passf("The Recipient and Destination are the application's ACS URL (%s)", want).WithDetail(strings.Join(d, "\n"))
}

// validity checks the NotBefore and NotOnOrAfter bounds against now.
func (c *contents) validity() checks.Finding {
	if f, ok := c.skip(); ok {
		return f
	}
	type bound struct {
		where, name, value string
	}
	var bounds []bound
	cond := c.conditions()
	for _, n := range []string{"NotBefore", "NotOnOrAfter"} {
		if v := attr(cond, n); v != "" {
			bounds = append(bounds, bound{"Conditions", n, v})
		}
	}
	for _, d := range c.bearerData() {
		for _, n := range []string{"NotBefore", "NotOnOrAfter"} {
			if v := attr(d, n); v != "" {
				bounds = append(bounds, bound{"SubjectConfirmationData", n, v})
			}
		}
	}
	at := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
	ctx := fmt.Sprintf("Checked against %s, allowing %d minutes of clock skew.", at(c.now), int(Skew.Minutes()))
	if ii, err := time.Parse(time.RFC3339Nano, attr(c.sig.assertion, "IssueInstant")); err == nil {
		ctx += fmt.Sprintf(" The assertion was issued at %s (%s).", at(ii), ago(c.now.Sub(ii)))
	}
	if len(bounds) == 0 {
		return checks.Problem(checks.Warn, catalog.SAMLAssertionExpired, "The assertion states no validity window").
			WithDetail("Neither Conditions nor SubjectConfirmationData has NotBefore or NotOnOrAfter; an application may reject it. " + ctx)
	}
	latest := time.Time{}
	for _, b := range bounds {
		t, err := time.Parse(time.RFC3339Nano, b.value)
		if err != nil {
			return checks.Problem(checks.Fail, catalog.SAMLAssertionExpired, fmt.Sprintf("The %s %s is not a time", b.where, b.name)).
				WithEvidence("an xs:dateTime such as 2025-01-02T15:04:05Z", checks.Truncate(b.value, 60))
		}
		switch b.name {
		case "NotBefore":
			if c.now.Add(Skew).Before(t) {
				return checks.Problem(checks.Fail, catalog.SAMLAssertionExpired, fmt.Sprintf("The assertion is not valid yet: %s %s is %s", b.where, b.name, at(t))).
					WithDetail("It becomes valid in "+c.now.Sub(t).Abs().Round(time.Second).String()+": the IdP's clock is ahead, or this machine's is behind. "+ctx).
					WithEvidence("NotBefore at or before "+at(c.now.Add(Skew)), at(t))
			}
		case "NotOnOrAfter":
			if !c.now.Add(-Skew).Before(t) {
				return checks.Problem(checks.Fail, catalog.SAMLAssertionExpired, fmt.Sprintf("The assertion has expired: %s %s was %s", b.where, b.name, at(t))).
					WithDetail("It expired "+ago(c.now.Sub(t))+". If this response was captured earlier, capture a fresh sign-in; otherwise a clock is off, or the response was replayed. "+ctx).
					WithEvidence("NotOnOrAfter after "+at(c.now.Add(-Skew)), at(t))
			}
			if latest.IsZero() || t.Before(latest) {
				latest = t
			}
		}
	}
	title := "The assertion is valid now"
	if !latest.IsZero() {
		title += " (until " + at(latest) + ")"
	}
	return checks.Passf("%s", title).WithDetail(ctx)
}

// ago says how long ago d was, in words: to the second within two days,
// in days beyond.
func ago(d time.Duration) string {
	span := func(d time.Duration) string {
		if d >= 48*time.Hour {
			return fmt.Sprintf("%d days", d/(24*time.Hour))
		}
		return d.Round(time.Second).String()
	}
	if d < 0 {
		return "in " + span(-d)
	}
	return span(d) + " ago"
}

// nameIDFormats names the SAML NameID formats.
var nameIDFormats = map[string]string{
	NameIDUnspecified: "Unspecified",
	"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress":               "Email address",
	"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":                 "Persistent",
	"urn:oasis:names:tc:SAML:2.0:nameid-format:transient":                  "Transient",
	"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName":            "X509 subject name",
	"urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName": "Windows domain qualified name",
	"urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos":                   "Kerberos",
	"urn:oasis:names:tc:SAML:2.0:nameid-format:entity":                     "Entity",
}

// nameID checks the NameID is present and Unspecified.
func (c *contents) nameID() checks.Finding {
	if f, ok := c.skip(); ok {
		return f
	}
	subject := child(c.sig.assertion, nsAssertion, "Subject")
	nid := child(subject, nsAssertion, "NameID")
	if nid == nil {
		if child(subject, nsAssertion, "EncryptedID") != nil {
			return checks.Skipf("Not checked: the NameID is encrypted (EncryptedID), and quickdiag does not ask for the application's private key")
		}
		return checks.Problem(checks.Fail, catalog.SAMLNameIDFormat, "The assertion has no NameID").
			WithDetail("The Subject carries no NameID (Entra: Attributes & Claims → Unique User Identifier (Name ID)).").
			WithEvidence("a NameID of format Unspecified", "(none)")
	}
	value := text(nid)
	format := attr(nid, "Format")
	name := nameIDFormats[format]
	if name == "" {
		name = checks.OrNone(format)
	}
	if value == "" {
		return checks.Problem(checks.Fail, catalog.SAMLNameIDFormat, "The NameID is empty").
			WithDetail("Entra sends an empty NameID when its source attribute is empty for the user.").
			WithEvidence("a value", "(empty)")
	}
	if format == "" || format == NameIDUnspecified {
		f := checks.Passf("The NameID format is Unspecified, as the application expects").WithDetail("NameID " + redactShort(value) + ".")
		if format == "" {
			f.Detail += " It has no Format attribute: SAML's default, unspecified."
		}
		return f
	}
	return checks.Problem(checks.Fail, catalog.SAMLNameIDFormat, "The NameID format is "+name+", not Unspecified").
		WithDetail("NameID "+redactShort(value)+" of format "+format+". The Q Business setup expects the nameidentifier claim's format Unspecified.").
		WithEvidence(NameIDUnspecified, format)
}

// redactShort shows a value by its first characters and its length.
func redactShort(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= 4 {
		return fmt.Sprintf("(%d characters, redacted)", n)
	}
	r := []rune(v)
	return fmt.Sprintf("%q… (%d characters, redacted)", string(r[:2]), n)
}

// attribute is one Attribute of the assertion.
type attribute struct {
	name   string
	values []string
}

func (c *contents) attributes() []attribute {
	var out []attribute
	for _, st := range children(c.sig.assertion, nsAssertion, "AttributeStatement") {
		for _, a := range children(st, nsAssertion, "Attribute") {
			at := attribute{name: attr(a, "Name")}
			for _, v := range children(a, nsAssertion, "AttributeValue") {
				at.values = append(at.values, text(v))
			}
			out = append(out, at)
		}
	}
	return out
}

// nonEmpty returns the values that are not empty.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// isEmail reports whether v is a bare email address.
func isEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && a.Name == ""
}

// attributeNames lists the attributes' names, each named in words.
func attributeNames(as []attribute) string {
	if len(as) == 0 {
		return "(no attributes)"
	}
	var s []string
	for _, a := range as {
		s = append(s, claimLabel(a.name))
	}
	return strings.Join(s, "; ")
}

// email checks the attribute the application maps as the user's email.
func (c *contents) email() checks.Finding {
	if f, ok := c.skip(); ok {
		return f
	}
	as := c.attributes()
	want := c.sp.emailAttr
	names := "The assertion's attributes: " + attributeNames(as) + "."
	if want == "" {
		return checks.Skipf("Not checked: the attribute the application maps as the user's email (userIdAttribute) is unknown: give --email-attribute or --app").WithDetail(names)
	}
	emptyMail := ""
	if c.entra {
		emptyMail = " The user's Mail attribute is empty in Entra (Entra sends the claim empty, or leaves it out): populate Mail for the user, or source the claim from another attribute."
	}
	for _, a := range as {
		if a.name != want {
			continue
		}
		vals := nonEmpty(a.values)
		switch {
		case len(vals) == 0:
			return checks.Problem(checks.Fail, catalog.SAMLEmailAttributeMissing, "The email attribute "+want+" is empty").
				WithDetail(strings.TrimSpace("The assertion carries "+want+" with no value."+emptyMail)).
				WithEvidence("an email address", "(empty)")
		case !isEmail(vals[0]):
			return checks.Problem(checks.Fail, catalog.SAMLEmailAttributeMissing, "The email attribute "+want+" holds a value that is not an email address").
				WithDetail("The application maps the user by this value; it must be the user's email address.").
				WithEvidence("an email address", checks.Truncate(vals[0], 120))
		case len(vals) > 1:
			return checks.Problem(checks.Warn, catalog.SAMLEmailAttributeMissing, fmt.Sprintf("The email attribute %s has %d values", want, len(vals))).
				WithDetail("Values: " + checks.Truncate(strings.Join(vals, ", "), 300) + ". The application maps one user by one email.")
		}
		return checks.Passf("The email attribute %s holds %s", want, vals[0])
	}
	for _, a := range as {
		if strings.EqualFold(a.name, want) {
			return checks.Problem(checks.Fail, catalog.SAMLEmailAttributeMissing, fmt.Sprintf("The assertion sends %s; the application maps %s: they differ in case only", a.name, want)).
				WithDetail("Attribute names are compared exactly, case included. "+names).
				WithFix(fmt.Sprintf("Rename the claim in Entra to %s exactly, or map %s as the email attribute in the application.", want, a.name)).
				WithEvidence(want, a.name)
		}
	}
	var d []string
	var fix string
	// An attribute named for mail is the likely one; failing that, one
	// whose value is an email address.
	for _, byValue := range []bool{false, true} {
		for _, a := range as {
			v := nonEmpty(a.values)
			if !byValue && strings.Contains(strings.ToLower(a.name), "mail") || byValue && len(v) > 0 && isEmail(v[0]) {
				d = append(d, fmt.Sprintf("You send %s but the application maps %s.", claimLabel(a.name), want))
				if fix == "" {
					fix = fmt.Sprintf("Map %s as the email attribute in the application, or add a claim named %s with source user.mail in Entra (Attributes & Claims → Add new claim).", a.name, want)
				}
			}
		}
		if len(d) > 0 {
			break
		}
	}
	d = append(d, names)
	if emptyMail != "" {
		d = append(d, "If a claim "+want+" with source user.mail is configured in Entra, Entra left it out because the user's Mail attribute is empty in Entra: populate Mail for the user.")
	}
	return checks.Problem(checks.Fail, catalog.SAMLEmailAttributeMissing, "The assertion has no attribute "+want+" (the application's email attribute)").
		WithDetail(strings.Join(d, "\n")).WithFix(fix).
		WithEvidence(want, attributeNamesShort(as))
}

func attributeNamesShort(as []attribute) string {
	if len(as) == 0 {
		return "(no attributes)"
	}
	var s []string
	for _, a := range as {
		s = append(s, a.name)
	}
	return strings.Join(s, ", ")
}

// group checks the group attribute, when the application maps one.
func (c *contents) group() checks.Finding {
	want := c.sp.groupAttr
	if want == "" {
		return checks.Skipf("Not checked: the application maps no group attribute (userGroupAttribute)")
	}
	if f, ok := c.skip(); ok {
		return f
	}
	as := c.attributes()
	for _, a := range as {
		if a.name == want {
			vals := nonEmpty(a.values)
			if len(vals) == 0 {
				break
			}
			shown := vals
			if len(shown) > 10 {
				shown = shown[:10]
			}
			n := fmt.Sprintf("%d groups", len(vals))
			if len(vals) == 1 {
				n = "1 group"
			}
			return checks.Passf("The group attribute %s carries %s", want, n).WithDetail("Groups: " + checks.Truncate(strings.Join(shown, ", "), 500))
		}
	}
	d := []string{"Users get no group-based access. The assertion's attributes: " + attributeNames(as) + "."}
	for _, a := range as {
		switch {
		case a.name == claimGroupsLink:
			d = append(d, "Entra sent groups.link instead of the groups: the user is in more groups than a SAML token carries (150); filter the group claim (Groups assigned to the application).")
		case strings.EqualFold(a.name, want) && a.name != want:
			d = append(d, fmt.Sprintf("The assertion sends %s; the application maps %s: they differ in case only.", a.name, want))
		}
	}
	return checks.Problem(checks.Warn, catalog.SAMLPermissionNeeded, "The assertion has no group attribute "+want).
		WithDetail(strings.Join(d, "\n")).
		WithFix("Entra: Attributes & Claims → Add a group claim, and name it as the application's group attribute (Customize the name), or map the name Entra sends.").
		WithEvidence(want, attributeNamesShort(as))
}
