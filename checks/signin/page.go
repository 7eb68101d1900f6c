package signin

import (
	"html/template"
	"io"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

// signInPage is what the browser tab shows after the redirect.
type signInPage struct {
	Title string
	OK    bool
	Lines []string
}

func (p *signInPage) fail(fs []checks.Finding) {
	p.Title, p.OK = "Sign-in failed — see quickdiag", false
	for _, f := range fs {
		if f.Status == checks.Fail {
			line := f.Title
			if row, ok := catalog.Lookup(f.Row); ok {
				line += " (" + row.Title + ")"
			}
			p.Lines = append(p.Lines, line)
			if f.Fix != "" {
				p.Lines = append(p.Lines, "Fix: "+f.Fix)
			}
		}
	}
	p.Lines = append(p.Lines, "You can close this tab; quickdiag has the details.")
}

// done says how the whole sign-in ended. It says the desktop app would
// accept the sign-in only when nothing failed and the ID token verified
// with the values as entered; a step that could not run is named.
func (p *signInPage) done(fs []checks.Finding) {
	verified := false
	var unverified []string
	for _, f := range fs {
		switch {
		case f.Status == checks.Fail:
			p.fail(fs)
			return
		case f.Check == StepIDToken && f.Status == checks.Pass:
			verified = true
		case f.Status == checks.Skip:
			unverified = append(unverified, f.Title+": "+f.Detail)
		}
	}
	if !verified {
		p.Title, p.OK = "Signed in, but not verified — see quickdiag", false
		p.Lines = append([]string{"The IdP sent a code and tokens, but the ID token could not be verified with the values as entered, so quickdiag cannot say that the desktop app would accept this sign-in."}, unverified...)
		p.Lines = append(p.Lines, "You can close this tab; quickdiag has the details.")
		return
	}
	p.Title, p.OK = "Signed in — return to quickdiag", true
	p.Lines = []string{"The desktop app would accept this sign-in. You can close this tab."}
	if len(unverified) > 0 {
		p.Lines = append([]string{"The ID token verified; not checked:"}, append(unverified, "You can close this tab.")...)
	}
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { max-width: 40rem; margin: 4rem auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.5rem; }
.ok { color: #17803d; } .fail { color: #b42318; }
@media (prefers-color-scheme: dark) { .ok { color: #4ade80; } .fail { color: #f87171; } }
</style></head>
<body><h1 class="{{if .OK}}ok{{else}}fail{{end}}" data-testid="signin-result">{{if .OK}}✓{{else}}✗{{end}} {{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>{{end}}
</body></html>`))

func writePage(w io.Writer, p signInPage) { _ = pageTmpl.Execute(w, p) }
