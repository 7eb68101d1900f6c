package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/saml"
	"github.com/quickdiag/quickdiag/web"
)

// maxSAML bounds the SAML page's upload: three inputs at the analyzers'
// bound each, and the form's short fields.
const maxSAML = 3*checks.MaxInput + 1<<20

// samlPage shows the SAML analyzer's form.
func (s *server) samlPage(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, web.SAML(web.SAMLView{}))
}

// samlPost runs the SAML analyzer on the uploaded or pasted inputs. The
// multipart body is streamed (no temporary file); each input is bounded by
// checks.MaxInput.
func (s *server) samlPost(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	if s.opts.Now != nil {
		now = s.opts.Now()
	}
	v, in, err := readSAMLForm(w, r, now)
	var a *checks.Analysis
	if err == nil {
		a, err = saml.Analyze(in)
	}
	if err == nil {
		sessionOf(r).keepAnalysis(a)
	}
	v.AnalysisResult = web.NewAnalysisResult(a, err)
	render(w, r, http.StatusOK, web.SAML(v))
}

// samlInputs are the form's three inputs: a file, or text pasted instead.
var samlInputs = map[string]string{
	"metadata": "the metadata",
	"response": "the SAML response",
	"app":      "the application's configuration",
}

// readSAMLForm reads the SAML page's multipart form.
func readSAMLForm(w http.ResponseWriter, r *http.Request, now time.Time) (web.SAMLView, saml.Inputs, error) {
	var v web.SAMLView
	var in saml.Inputs
	r.Body = http.MaxBytesReader(w, r.Body, maxSAML)
	mr, err := r.MultipartReader()
	if err != nil {
		return v, in, errors.New("the form could not be read: send it from the SAML page")
	}
	files := map[string]*checks.File{}
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return v, in, fmt.Errorf("the upload is larger than %d MiB", maxSAML>>20)
			}
			return v, in, errors.New("the form could not be read: " + err.Error())
		}
		name := part.FormName()
		key, isFile := strings.CutSuffix(name, "_file")
		key, isText := strings.CutSuffix(key, "_text")
		data, err := io.ReadAll(io.LimitReader(part, checks.MaxInput+1))
		if err != nil {
			return v, in, errors.New("the form could not be read: " + err.Error())
		}
		what, ok := samlInputs[key]
		ok = ok && (isFile || isText)
		switch {
		case ok && len(data) > checks.MaxInput:
			return v, in, fmt.Errorf("%s is larger than %d MiB; quickdiag reads inputs up to that size", what, checks.MaxInput>>20)
		case ok && isFile && len(data) > 0:
			n := what
			if part.FileName() != "" {
				n = part.FileName()
			}
			files[key] = &checks.File{Name: n, Data: data}
		case ok && isText && strings.TrimSpace(string(data)) != "":
			if files[key] == nil {
				files[key] = &checks.File{Name: what, Data: data}
			}
			fields[name] = string(data)
		case !ok && len(data) <= 4096:
			fields[name] = strings.TrimSpace(string(data))
		}
	}
	// A file chosen wins over text pasted in the same input.
	keep := func(s string) string {
		if len(s) > 256<<10 {
			return "" // too large to put back in the page
		}
		return s
	}
	v.MetadataText, v.ResponseText, v.AppText = keep(fields["metadata_text"]), keep(fields["response_text"]), keep(fields["app_text"])
	v.EntityID, v.ACSURL, v.EmailAttribute, v.GroupAttribute = fields["entity_id"], fields["acs_url"], fields["email_attribute"], fields["group_attribute"]
	if files["metadata"] == nil {
		return v, in, errors.New("give the IdP's metadata: Entra's Federation Metadata XML (Enterprise applications → the app → Single sign-on → SAML Certificates)")
	}
	in = saml.Inputs{Metadata: *files["metadata"], Response: files["response"], App: files["app"], Now: now,
		EntityID: v.EntityID, ACSURL: v.ACSURL, EmailAttribute: v.EmailAttribute, GroupAttribute: v.GroupAttribute}
	return v, in, nil
}
