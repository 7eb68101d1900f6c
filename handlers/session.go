package handlers

import (
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"sync"

	"github.com/quickdiag/quickdiag/checks"
)

// cookieName names the wizard's session cookie.
const cookieName = "quickdiag_session"

// session is one administrator's wizard, kept in memory.
type session struct {
	mu     sync.Mutex
	config checks.Config
	// preflight is the last preflight's report.
	preflight *checks.Report
	// live is the last sign-in's state.
	live liveState
	// users and email are what the sign-in step was given.
	email, users string
	// practice is the hidden scenario of practice mode.
	practice string
	// machine is the "This machine" step.
	machine machineState
	// analyses are the last SAML and account-side analyses, by analyzer
	// name, for the exported report.
	analyses map[string]*checks.Analysis
}

// valuesChanged forgets what was found for the values before: the
// preflight and the machine checks (which read the IdP's endpoints). The
// browser test, the SAML and the account-side analyses hold. The caller
// holds s.mu.
func (s *session) valuesChanged() {
	s.preflight = nil
	s.machine.result = nil
}

// keepAnalysis keeps a for the exported report (nil is ignored), in place
// of the last analysis by the same analyzer.
func (s *session) keepAnalysis(a *checks.Analysis) {
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.analyses == nil {
		s.analyses = map[string]*checks.Analysis{}
	}
	s.analyses[a.Analyzer] = a
}

// liveState tracks a sign-in running in the background.
type liveState struct {
	running bool
	url     string
	result  *checks.SignInResult
	cancel  context.CancelFunc
	done    chan struct{}
}

type sessionStore struct {
	mu   sync.Mutex
	max  int
	byID map[string]*session
	// order holds the ids, least recently used first.
	order []string
}

type sessionKey struct{}

// middleware finds the request's session, or starts one under a new
// unguessable id — but only for a top-level navigation that is not
// cross-site, so that another web page's requests (an image, a form) can
// neither create sessions nor push the admin's out. Such a request gets a
// session of its own that is not kept.
func (st *sessionStore) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s *session
		if c, err := r.Cookie(cookieName); err == nil {
			s = st.get(c.Value)
		}
		if s == nil {
			if mayStartSession(r) {
				id := rand.Text()
				s = st.add(id)
				http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			} else {
				s = &session{} // answered, not kept
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// mayStartSession reports whether a request may start a session: a
// top-level navigation of this origin or typed by the person. Browsers
// say so in Sec-Fetch-Site and Sec-Fetch-Mode; a client that sends neither
// (a script, curl) is not a web page's sub-request.
func mayStartSession(r *http.Request) bool {
	site, mode := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Sec-Fetch-Mode")
	if site == "" && mode == "" {
		return true
	}
	return (site == "none" || site == "same-origin") && mode == "navigate"
}

// get returns the session with the id and marks it used.
func (st *sessionStore) get(id string) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.byID[id]
	if s != nil {
		st.touch(id)
	}
	return s
}

// touch moves id to the most recently used end. st.mu is held.
func (st *sessionStore) touch(id string) {
	if i := slices.Index(st.order, id); i >= 0 {
		st.order = append(st.order[:i], st.order[i+1:]...)
	}
	st.order = append(st.order, id)
}

// add stores a new session, forgetting the least recently used beyond the
// limit — never one whose sign-in is still waiting for its redirect.
func (st *sessionStore) add(id string) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &session{}
	st.byID[id] = s
	st.touch(id)
	for i := 0; len(st.byID) > st.max && i < len(st.order); {
		old := st.order[i]
		o := st.byID[old]
		o.mu.Lock()
		busy := o.live.running
		o.mu.Unlock()
		if busy || old == id {
			i++
			continue
		}
		delete(st.byID, old)
		st.order = append(st.order[:i], st.order[i+1:]...)
	}
	return s
}

func sessionOf(r *http.Request) *session { return r.Context().Value(sessionKey{}).(*session) }
