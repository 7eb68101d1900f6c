package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/account"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/web"
)

// server holds the wizard's state: its options, the sessions, and the
// sign-ins running in the background.
type server struct {
	opts     Options
	sessions *sessionStore
	// base is the parent of every sign-in's context; stop ends it. mu
	// orders starting a sign-in (signIns.Add) before Close's Wait.
	mu      sync.Mutex
	base    context.Context
	stop    context.CancelFunc
	signIns sync.WaitGroup
	// practice are the practice IdPs started from the Practice IdP page.
	practice practiceIdPs
	// browser is the machine step's browser test on port 18080.
	browser browserTest
}

// startSignIn counts a new background sign-in, unless the wizard is closed.
// The engine holds port 18080 for one sign-in at a time: a new one stops
// the one still waiting, whichever session started it.
func (s *server) startSignIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.base.Err() != nil {
		return false
	}
	s.signIns.Add(1)
	return true
}

// close stops the background sign-ins and waits until they have returned.
func (s *server) close() {
	s.mu.Lock()
	s.stop()
	s.mu.Unlock()
	s.browser.close()
	s.signIns.Wait()
	s.practice.close()
}

func newServer(opts Options) *server {
	if opts.Timeout <= 0 {
		opts.Timeout = 3 * time.Minute
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 64
	}
	base, stop := context.WithCancel(context.Background())
	return &server{opts: opts, sessions: &sessionStore{max: opts.MaxSessions, byID: map[string]*session{}}, base: base, stop: stop}
}

// render writes a component, or a plain error if rendering fails.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		http.Error(w, "render the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// snapshot returns the session's configuration under its lock.
func (s *session) snapshot() checks.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.config
}

// Step 1.

func (s *server) choose(w http.ResponseWriter, r *http.Request) {
	cfg := sessionOf(r).snapshot()
	chosen, err := idp.Parse(cfg.IdP)
	if err != nil {
		chosen = nil
	}
	v := web.ChooseView{Selected: chosen.String()}
	for _, p := range idp.All() {
		v.Options = append(v.Options, web.IdPOption{Value: p.ID, Name: p.Name, Needs: idp.Guide(p).Needs, Checked: p == chosen})
	}
	v.Requires = idp.Guide(chosen).Requires
	render(w, r, http.StatusOK, web.Choose(v))
}

func (s *server) chooseIdP(w http.ResponseWriter, r *http.Request) {
	p, err := idp.Parse(r.PostFormValue("idp"))
	if err != nil || p == nil {
		http.Error(w, "choose one of the identity providers", http.StatusBadRequest)
		return
	}
	sess := sessionOf(r)
	sess.mu.Lock()
	sess.config.IdP = p.ID
	sess.valuesChanged()
	sess.mu.Unlock()
	seeOther(w, r, "/values")
}

// Step 2.

func (s *server) values(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, web.Values(s.valuesView(sessionOf(r).snapshot(), "", "")))
}

func (s *server) valuesView(cfg checks.Config, errMsg, notice string) web.ValuesView {
	p := idp.Resolve(cfg)
	g := idp.Guide(p)
	shown := checks.RedactConfig(cfg)
	v := web.ValuesView{IdPName: p.Name, Error: errMsg, Notice: notice}
	for _, f := range shown.Fields() {
		v.Fields = append(v.Fields, web.InputView{Key: string(f.Key), Label: f.Label, Value: f.Value, Where: g.Where[f.Key], Example: g.Example[f.Key]})
	}
	if p.SecretInTokenURL {
		v.Fields = append(v.Fields, web.InputView{Key: "client_secret", Label: "Client secret (Google)", Secret: true, Set: cfg.ClientSecret != "",
			Where: "Only used to check it matches the one in the token endpoint URL; it is never shown again."})
	}
	if !cfg.Empty() {
		v.Lint = problems(s.opts.Engine.Lint(context.Background(), cfg))
	}
	return v
}

// problems returns the warn and fail findings of a report, as views.
func problems(r *checks.Report) []web.FindingView {
	var out []web.FindingView
	for _, f := range r.Findings {
		if f.Status == checks.Warn || f.Status == checks.Fail {
			out = append(out, web.NewFinding(f))
		}
	}
	return out
}

// maxValuesForm bounds the values form: five console values and a secret
// are a few KiB at most.
const maxValuesForm = 64 << 10

func (s *server) saveValues(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxValuesForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form is larger than the five values can be (64 KiB): nothing was kept", http.StatusRequestEntityTooLarge)
		return
	}
	sess := sessionOf(r)
	sess.mu.Lock()
	old := sess.config
	c := old
	// Values are kept exactly as typed: spaces are findings, not noise.
	for _, f := range checks.Fields {
		c.Set(f.Key, r.PostForm.Get(string(f.Key)))
	}
	if c.TokenEndpoint == checks.RedactConfig(old).TokenEndpoint {
		c.TokenEndpoint = old.TokenEndpoint // the masked value came back unchanged
	}
	if sec := r.PostForm.Get("client_secret"); sec != "" {
		c.ClientSecret = sec
	}
	sess.config = c
	sess.valuesChanged()
	sess.mu.Unlock()
	seeOther(w, r, "/preflight")
}

func (s *server) discover(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	raw := strings.TrimSpace(r.PostFormValue("discovery"))
	ctx, cancel := context.WithTimeout(r.Context(), discoverTimeout)
	defer cancel()
	cfg := sess.snapshot()
	var d checks.Config
	var from string
	var err error
	if raw != "" {
		d, from, err = s.opts.Engine.Discover(ctx, raw)
	}
	if err != nil || raw == "" {
		msg := "Enter an issuer or discovery URL."
		if err != nil && raw != "" {
			msg = "Could not read the discovery document: " + err.Error()
		}
		render(w, r, http.StatusOK, web.Values(s.valuesView(cfg, msg, "")))
		return
	}
	sess.mu.Lock()
	sess.config.Issuer, sess.config.AuthorizationEndpoint, sess.config.TokenEndpoint, sess.config.JWKSURI =
		d.Issuer, d.AuthorizationEndpoint, d.TokenEndpoint, d.JWKSURI
	sess.valuesChanged()
	cfg = sess.config
	sess.mu.Unlock()
	render(w, r, http.StatusOK, web.Values(s.valuesView(cfg, "", "Filled in from "+from+": check the Client ID and, for Google, add ?client_secret= to the token endpoint.")))
}

func (s *server) importValues(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	// A file part over 64 KiB goes to a temporary file; remove it with the
	// request, whatever happens (net/http leaves it in TMPDIR otherwise).
	if err := r.ParseMultipartForm(64 << 10); err == nil {
		defer r.MultipartForm.RemoveAll()
	}
	var src io.Reader = strings.NewReader(r.FormValue("json"))
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		src = f
	}
	c, err := checks.ReadConfig(src)
	if err == nil {
		if _, perr := idp.Parse(c.IdP); perr != nil {
			err = fmt.Errorf("field \"idp\": %v", perr)
		}
	}
	if err != nil {
		render(w, r, http.StatusOK, web.Values(s.valuesView(sess.snapshot(), "Could not import the values: "+err.Error(), "")))
		return
	}
	sess.mu.Lock()
	if c.IdP == "" {
		c.IdP = sess.config.IdP
	}
	sess.config = c
	sess.valuesChanged()
	sess.mu.Unlock()
	seeOther(w, r, "/values")
}

// lint answers the values form's live feedback with the static findings.
func (s *server) lint(w http.ResponseWriter, r *http.Request) {
	var c checks.Config
	if err := json.NewDecoder(io.LimitReader(r.Body, maxValuesForm)).Decode(&c); err != nil {
		http.Error(w, "expected the values as JSON", http.StatusBadRequest)
		return
	}
	stored := sessionOf(r).snapshot()
	c.IdP = stored.IdP
	if c.TokenEndpoint == checks.RedactConfig(stored).TokenEndpoint {
		c.TokenEndpoint = stored.TokenEndpoint
	}
	var fs []web.FindingView
	if !c.Empty() {
		fs = problems(s.opts.Engine.Lint(r.Context(), c))
	}
	render(w, r, http.StatusOK, web.Lint(fs))
}

// Step 3.

// discoverTimeout bounds filling in the values from a discovery document.
const discoverTimeout = 15 * time.Second

func (s *server) preflight(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	cfg, rep := sess.config, sess.preflight
	sess.mu.Unlock()
	v := web.PreflightView{HasValues: !cfg.Empty()}
	switch {
	case !v.HasValues:
	case rep != nil:
		rv := web.NewReport(rep)
		sum := web.NewReportSummary(rep)
		v.Phases, v.Summary = rv.Phases, &sum
	default:
		v.Stream = true
		list := s.opts.Engine.Checks(cfg)
		for _, ph := range checks.Phases {
			g := web.SlotGroup{Name: string(ph)}
			for _, c := range list {
				if c.Phase == ph {
					g.Slots = append(g.Slots, web.CheckSlot{ID: c.ID, Title: c.Title})
				}
			}
			if len(g.Slots) > 0 {
				v.Groups = append(v.Groups, g)
			}
		}
	}
	render(w, r, http.StatusOK, web.Preflight(v))
}

// runPreflight runs the preflight for the session and keeps its report,
// unless the run was interrupted (the page was left or reloaded) or the
// values changed meanwhile: a half-run or stale report is not a result.
func (s *server) runPreflight(ctx context.Context, sess *session, progress func(*checks.Check, []checks.Finding)) *checks.Report {
	cfg := sess.snapshot()
	runCtx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	rep := s.opts.Engine.Preflight(runCtx, cfg, progress)
	sess.mu.Lock()
	if ctx.Err() == nil && sess.config == cfg {
		sess.preflight = rep
	}
	sess.mu.Unlock()
	return rep
}

func (s *server) preflightRun(w http.ResponseWriter, r *http.Request) {
	s.runPreflight(r.Context(), sessionOf(r), nil)
	seeOther(w, r, "/preflight")
}

// preflightEvents streams each check's findings as it finishes
// (server-sent events: "check" per check, then "done").
func (s *server) preflightEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	sess := sessionOf(r)
	if sess.snapshot().Empty() {
		http.Error(w, "no values to check", http.StatusConflict)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	send := func(event string, payload any) {
		b, _ := json.Marshal(payload)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		flusher.Flush()
	}
	fragment := func(c templ.Component) string {
		var buf bytes.Buffer
		_ = c.Render(r.Context(), &buf)
		return buf.String()
	}
	rep := s.runPreflight(r.Context(), sess, func(c *checks.Check, fs []checks.Finding) {
		// Redact a copy: the findings belong to the engine.
		rep := checks.NewReport(sess.snapshot(), nil, time.Time{})
		rep.Findings = append([]checks.Finding(nil), fs...)
		rep.Finish()
		var views []web.FindingView
		for _, f := range rep.Findings {
			views = append(views, web.NewFinding(f))
		}
		send("check", map[string]string{"id": c.ID, "html": fragment(web.CheckResult(c.ID, views))})
	})
	send("done", map[string]string{"html": fragment(web.SummaryBar(web.NewReportSummary(rep)))})
}

// Step 5: the sign-in.

func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	v := web.SignInView{HasValues: !sess.config.Empty(), Running: sess.live.running, Done: sess.live.result != nil && !sess.live.running,
		Email: sess.email, Users: sess.users}
	v.Message = liveMessage(&sess.live)
	if sess.preflight != nil {
		for _, f := range sess.preflight.Findings {
			if breaksSignIn(f) {
				v.Blockers = append(v.Blockers, web.NewFinding(f))
			}
		}
	}
	sess.mu.Unlock()
	render(w, r, http.StatusOK, web.SignIn(v))
}

// breaksSignIn reports whether a preflight finding will stop the sign-in:
// the probe's failure, or a failure of a row the sign-in meets.
func breaksSignIn(f checks.Finding) bool {
	if f.Status != checks.Fail {
		return false
	}
	r, _ := catalog.Lookup(f.Row)
	return f.Check == "probe.authorize" || r.Group == catalog.GroupSignIn
}

// signInCancel stops the session's sign-in still waiting for its redirect,
// which frees port 18080.
func (s *server) signInCancel(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	if sess.live.running && sess.live.cancel != nil {
		sess.live.cancel()
	}
	done := sess.live.done
	sess.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	seeOther(w, r, "/signin")
}

func liveMessage(l *liveState) string {
	switch {
	case l.running:
		return "Waiting for the sign-in in the other tab…"
	case l.result != nil:
		for _, f := range l.result.Findings {
			if f.Status == checks.Fail {
				return "The sign-in ended: " + f.Title + ". See the results."
			}
		}
		if fs := l.result.Findings; l.result.Token == nil && len(fs) > 0 { // it did not get as far as tokens
			last := fs[len(fs)-1]
			return "The sign-in did not finish: " + strings.TrimSuffix(last.Title, ".") + ". " + last.Detail
		}
		return "Signed in. See the results."
	}
	return ""
}

// signInStart starts a live sign-in and sends the new tab on to the IdP.
func (s *server) signInStart(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	email, usersJSON := strings.TrimSpace(r.PostFormValue("email")), strings.TrimSpace(r.PostFormValue("users"))
	var users []account.User
	if usersJSON != "" {
		var err error
		if users, err = account.ReadUsers(strings.NewReader(usersJSON)); err != nil {
			render(w, r, http.StatusOK, web.Redirecting("", "The list of users could not be read: "+err.Error()))
			return
		}
	}
	s.browser.close() // the sign-in needs port 18080
	ctx, cancel := context.WithTimeout(s.base, s.opts.Timeout)
	done := make(chan struct{})
	if !s.startSignIn() {
		cancel()
		render(w, r, http.StatusOK, web.Redirecting("", "quickdiag is stopping; start it again to sign in."))
		return
	}
	sess.mu.Lock()
	sess.email, sess.users = email, usersJSON
	cfg := sess.config
	if email != "" {
		cfg.Email = email
	}
	pre := sess.preflight
	sess.live = liveState{running: true, cancel: cancel, done: done}
	sess.mu.Unlock()

	urls := make(chan string, 1)
	go func() {
		defer s.signIns.Done()
		defer close(done)
		defer cancel()
		res := s.opts.Engine.SignIn(ctx, cfg, pre, account.Emails(users), func(u string) { urls <- u })
		sess.mu.Lock()
		if sess.live.done == done {
			sess.live.running, sess.live.result = false, res
		}
		sess.mu.Unlock()
	}()
	select {
	case u := <-urls:
		sess.mu.Lock()
		sess.live.url = u
		sess.mu.Unlock()
		render(w, r, http.StatusOK, web.Redirecting(u, ""))
	case <-done:
		sess.mu.Lock()
		msg := liveMessage(&sess.live)
		sess.mu.Unlock()
		render(w, r, http.StatusOK, web.Redirecting("", msg))
	}
}

func (s *server) signInStatus(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	st := map[string]any{"running": sess.live.running, "done": sess.live.result != nil && !sess.live.running, "message": liveMessage(&sess.live)}
	sess.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st)
}

// Step 6: the results.

// report returns the session's whole result: the preflight with the
// sign-in's findings and decoded tokens, redacted. Nil when nothing ran.
func (s *server) report(sess *session) *checks.Report {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	var live *checks.SignInResult
	if !sess.live.running {
		live = sess.live.result
	}
	rep := s.opts.Engine.Report(sess.config, sess.preflight, live)
	if rep == nil {
		return nil
	}
	as := []*checks.Analysis{sess.machine.analysis()}
	for _, name := range []string{"saml", "kms-policy", "subscription", "users"} {
		as = append(as, sess.analyses[name])
	}
	return rep.WithAnalyses(as...)
}

func (s *server) results(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	rep := s.report(sess)
	v := web.ResultsView{}
	if rep != nil {
		rv := web.NewReport(rep)
		sum := web.NewReportSummary(rep)
		v.Report, v.Summary, v.SignedIn = &rv, &sum, rep.Token != nil
		v.Paste = web.NewPaste(rep, func(k checks.FieldKey) string { return "/api/value/" + string(k) })
	}
	render(w, r, http.StatusOK, web.Results(v))
}

// value returns one value to paste, as it must be pasted, for a copy
// button: secrets reach the clipboard without ever sitting in a page.
// Before any check ran, it is the value as typed.
func (s *server) value(w http.ResponseWriter, r *http.Request) {
	key := checks.FieldKey(chi.URLParam(r, "key"))
	sess := sessionOf(r)
	cfg := sess.snapshot()
	for _, f := range cfg.Fields() {
		if f.Key != key {
			continue
		}
		v := f.Value
		if rep := s.report(sess); rep != nil && rep.RawPaste(key) != "" {
			v = rep.RawPaste(key)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, v)
		return
	}
	http.NotFound(w, r)
}

// Step 7: the export.

func (s *server) export(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, web.Export(s.report(sessionOf(r)) != nil))
}

func attachment(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
}

func stamp() string { return time.Now().UTC().Format("20060102-150405") }

func (s *server) exportHTML(w http.ResponseWriter, r *http.Request) {
	rep := s.report(sessionOf(r))
	if rep == nil {
		http.Error(w, "nothing to export yet: run the preflight first", http.StatusConflict)
		return
	}
	var buf bytes.Buffer
	if err := web.RenderReport(r.Context(), &buf, rep); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	attachment(w, "quickdiag-report-"+stamp()+".html", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func (s *server) exportJSON(w http.ResponseWriter, r *http.Request) {
	rep := s.report(sessionOf(r))
	if rep == nil {
		http.Error(w, "nothing to export yet: run the preflight first", http.StatusConflict)
		return
	}
	attachment(w, "quickdiag-report-"+stamp()+".json", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(rep)
}

// exportValues exports the values to import later, with the secret left out.
//
// They are the values to paste once a check ran (corrected where the IdP's
// discovery document showed what they must be), else the values as typed.
// A client secret is left out: the token endpoint carries the placeholder
// <CLIENT_SECRET> in its place, which the checks flag when it is imported.
func (s *server) exportValues(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	c := sess.snapshot()
	if rep := s.report(sess); rep != nil && rep.ValuesToPaste != nil {
		for _, f := range checks.Fields {
			if v := rep.RawPaste(f.Key); v != "" {
				c.Set(f.Key, v)
			}
		}
	}
	c.TokenEndpoint = checks.SecretPlaceholder(c.TokenEndpoint)
	c.ClientSecret = ""
	attachment(w, "quickdiag-values.json", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(c)
}
