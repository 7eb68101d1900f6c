package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/quickdiag/quickdiag/checks/account"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/har"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/checks/triage"
	"github.com/quickdiag/quickdiag/web"
)

// maxForm bounds one pasted field: the most an analyzer reads (triage
// reads less of it and leaves the rest).
const maxForm = account.MaxInput

func (s *server) triage(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, web.Triage(web.TriageView{}))
}

func (s *server) triagePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, fmt.Sprintf("The pasted text is larger than %d MiB: paste the error and the lines around it.", maxForm>>20), http.StatusRequestEntityTooLarge)
		return
	}
	text := r.PostFormValue("text")
	render(w, r, http.StatusOK, web.Triage(web.NewTriage(text, triage.Analyze(text))))
}

// maxHAR bounds an uploaded HAR: the export itself and its form's framing.
const maxHAR = har.MaxInput + 64<<10

// harUpload reads the uploaded export, streaming the multipart body (no
// temporary file), bounded by har.MaxInput.
func harUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxHAR)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errors.New("choose a HAR file to upload")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, fmt.Errorf("the file is larger than %d MiB; quickdiag reads exports up to that size (export only the sign-in's requests)", har.MaxInput>>20)
			}
			return nil, errors.New("no file in the upload: choose a HAR file")
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, har.MaxInput+1))
		if err != nil || len(data) > har.MaxInput {
			return nil, fmt.Errorf("the file is larger than %d MiB; quickdiag reads exports up to that size (export only the sign-in's requests)", har.MaxInput>>20)
		}
		return data, nil
	}
}

// triageHAR reads an uploaded HAR or SAML-tracer export.
func (s *server) triageHAR(w http.ResponseWriter, r *http.Request) {
	data, err := harUpload(w, r)
	if err != nil {
		render(w, r, http.StatusOK, web.Triage(web.TriageView{Error: err.Error()}))
		return
	}
	entries, err := har.Decode(data)
	if err != nil {
		render(w, r, http.StatusOK, web.Triage(web.TriageView{Error: "Could not read the file: " + err.Error()}))
		return
	}
	render(w, r, http.StatusOK, web.Triage(web.NewTriageHAR(har.Analyze(entries))))
}

// triageHARSanitized answers an uploaded export with its sanitized copy,
// as a download.
func (s *server) triageHARSanitized(w http.ResponseWriter, r *http.Request) {
	data, err := harUpload(w, r)
	var clean []byte
	if err == nil {
		clean, err = har.Sanitize(data)
	}
	if err != nil {
		render(w, r, http.StatusOK, web.Triage(web.TriageView{Error: "Could not sanitize the file: " + err.Error()}))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="sanitized.har"`)
	w.Write(clean)
}

// guide shows one question of the guided triage, or where it ends:
// ?q=<question>, ?row=<catalog row>, or ?from=<question>&step=<the step's page>.
func (s *server) guide(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := web.GuideView{}
	switch {
	case q.Has("row"):
		row, ok := catalog.Lookup(catalog.ID(q.Get("row")))
		if !ok {
			http.NotFound(w, r)
			return
		}
		p := idp.Resolve(sessionOf(r).snapshot())
		v.Row = &web.RowView{ID: string(row.ID), Title: row.Title, Seen: row.Seen, Cause: row.Cause, Fix: p.FixFor(row.ID)}
	case q.Has("step"):
		from, _ := triage.GuideQuestion(q.Get("from"))
		for _, a := range from.Answers {
			if a.Step != "" && stepPath(a.Step) == q.Get("step") {
				v.Step, v.StepWhy = stepPath(a.Step), a.StepWhy
			}
		}
		if v.Step == "" {
			http.NotFound(w, r)
			return
		}
	default:
		id := q.Get("q")
		if id == "" {
			id = triage.GuideStart
		}
		question, ok := triage.GuideQuestion(id)
		if !ok {
			http.NotFound(w, r)
			return
		}
		v.Question = question.Text
		for _, a := range question.Answers {
			params := url.Values{"q": {a.Next}}
			switch {
			case a.Row != "":
				params = url.Values{"row": {string(a.Row)}}
			case a.Step != "":
				params = url.Values{"from": {id}, "step": {stepPath(a.Step)}}
			}
			v.Answers = append(v.Answers, web.GuideAnswer{Text: a.Text, Href: "/triage/guide?" + params.Encode()})
		}
	}
	render(w, r, http.StatusOK, web.Guide(v))
}

func (s *server) analyze(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, web.Analyze(web.AnalyzeView{}))
}

// analyzePost runs one analyzer on pasted output.
func (s *server) analyzePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 3*maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "read the form: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	f := r.PostForm
	v := web.AnalyzeView{Kind: chi.URLParam(r, "kind"),
		KMSPrimary: f.Get("primary"), KMSReplica: f.Get("replica"), Subscription: f.Get("subscription"),
		Region: strings.TrimSpace(f.Get("region")), Quick: f.Get("quick"), IdPUsers: f.Get("idp")}
	input := func(name, text string) account.Input { return account.Input{Name: name, Data: []byte(text)} }
	var a *account.Analysis
	var err error
	switch v.Kind {
	case "kms-policy":
		ins := []account.Input{input("the key policy", v.KMSPrimary)}
		if strings.TrimSpace(v.KMSReplica) != "" {
			ins[0].Name = "the primary key's policy"
			ins = append(ins, input("the replica key's policy", v.KMSReplica))
		}
		a, err = account.AnalyzeKMSPolicies(ins...)
	case "subscription":
		a, err = account.AnalyzeSubscription(input("the subscription output", v.Subscription), v.Region)
	case "users":
		var idp *account.Input
		if strings.TrimSpace(v.IdPUsers) != "" {
			in := input("the IdP's users", v.IdPUsers)
			idp = &in
		}
		a, err = account.AnalyzeUsers(input("the list-users output", v.Quick), idp)
	default:
		http.NotFound(w, r)
		return
	}
	if err == nil {
		sessionOf(r).keepAnalysis(a)
	}
	v.AnalysisResult = web.NewAnalysisResult(a, err)
	render(w, r, http.StatusOK, web.Analyze(v))
}

// stepPath is the wizard page of a guided path's next step.
func stepPath(s triage.Step) string { return "/" + string(s) }
