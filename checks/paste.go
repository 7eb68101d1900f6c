package checks

// PasteStatus says how far a value to paste is proven.
type PasteStatus string

// The statuses of a value to paste, as the contract names them.
const (
	// Verified: the value as entered is the IdP's own, or worked in the sign-in.
	Verified PasteStatus = "verified"
	// Corrected: the IdP's own source (its discovery document) shows what
	// the value must be; Entered holds what was typed, Why the reason.
	Corrected PasteStatus = "corrected"
	// Unverified: nothing could confirm the value; Why says what is missing.
	Unverified PasteStatus = "unverified"
)

// Paste is one value to paste into the console.
type Paste struct {
	Value   string      `json:"value"`
	Status  PasteStatus `json:"status"`
	Entered string      `json:"entered,omitempty"`
	Why     string      `json:"why,omitempty"`
	// NeedsSecret marks a value that must carry a client secret quickdiag
	// was not given (Google's token endpoint): Value holds a placeholder.
	NeedsSecret bool `json:"needs_secret,omitempty"`
}

// PasteValues is the one consistent set of the five values to paste,
// computed together from the IdP's own sources so that they agree; in JSON,
// an object keyed by the values' JSON keys.
type PasteValues map[FieldKey]*Paste

// Get returns the value of one field; nil when the set has none.
func (v PasteValues) Get(k FieldKey) *Paste { return v[k] }

// Set sets the value of one field.
func (v PasteValues) Set(k FieldKey, p *Paste) { v[k] = p }

// Config returns the values as a configuration (for a re-check, or the
// values file), with idp and email from base.
func (v PasteValues) Config(base Config) Config {
	c := Config{IdP: base.IdP, Email: base.Email, ClientSecret: base.ClientSecret}
	for _, f := range Fields {
		if p := v.Get(f.Key); p != nil {
			c.Set(f.Key, p.Value)
		}
	}
	return c
}

// redacted returns a copy with every value passed through red.
func (v PasteValues) redacted(red *Redactor) PasteValues {
	if v == nil {
		return nil
	}
	out := PasteValues{}
	for _, f := range Fields {
		if p := v.Get(f.Key); p != nil {
			q := *p
			q.Value, q.Entered, q.Why = red.String(redactQuery(q.Value)), red.String(redactQuery(q.Entered)), red.String(q.Why)
			out.Set(f.Key, &q)
		}
	}
	return out
}
