package main

import (
	"flag"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/idp"
)

// valueFlags are the flags that give the IdP's values, as check and doctor
// take them: --config, a flag per console field, and --idp.
type valueFlags struct {
	fs     *flag.FlagSet
	config *string
	values map[checks.FieldKey]*string
	idp    *string
}

// addValueFlags defines the value flags on fs.
func addValueFlags(fs *flag.FlagSet) *valueFlags {
	v := &valueFlags{fs: fs, values: map[checks.FieldKey]*string{}}
	v.config = fs.String("config", "", "read the values from a JSON `file` (flags override it)")
	for _, f := range checks.Fields {
		v.values[f.Key] = fs.String(f.Flag(), "", f.Usage)
	}
	v.idp = fs.String("idp", idp.Auto, "the IdP: "+idp.Auto+", "+strings.Join(idp.IDs(), ", "))
	return v
}

// read returns the values once fs is parsed: --config's, overridden by the
// flags given, and the names of the flags given.
func (v *valueFlags) read() (checks.Config, map[string]bool, error) {
	var cfg checks.Config
	if *v.config != "" {
		c, err := checks.LoadConfig(*v.config)
		if err != nil {
			return cfg, nil, usagef("read --config: %v", err)
		}
		cfg = c
	}
	set := map[string]bool{}
	v.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, f := range checks.Fields {
		if set[f.Flag()] {
			cfg.Set(f.Key, *v.values[f.Key])
		}
	}
	if set["idp"] || cfg.IdP == "" {
		cfg.IdP = *v.idp
	}
	if _, err := idp.Parse(cfg.IdP); err != nil {
		return cfg, nil, usagef("--idp: %v", err)
	}
	return cfg, set, nil
}
