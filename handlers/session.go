package handlers

import (
	"context"
	"crypto/rand"
	"net/http"
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
	// users and email are what step 4 was given.
	email, users string
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
	mu    sync.Mutex
	max   int
	byID  map[string]*session
	order []string
}

type sessionKey struct{}

// middleware finds the request's session, or starts one under a new
// unguessable id.
func (st *sessionStore) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s *session
		if c, err := r.Cookie(cookieName); err == nil {
			s = st.get(c.Value)
		}
		if s == nil {
			id := rand.Text()
			s = st.add(id)
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

func (st *sessionStore) get(id string) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.byID[id]
}

// add stores a new session, forgetting the oldest beyond the limit.
func (st *sessionStore) add(id string) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &session{}
	st.byID[id] = s
	st.order = append(st.order, id)
	for len(st.order) > st.max {
		old := st.byID[st.order[0]]
		delete(st.byID, st.order[0])
		st.order = st.order[1:]
		old.mu.Lock()
		if old.live.cancel != nil {
			old.live.cancel()
		}
		old.mu.Unlock()
	}
	return s
}

func sessionOf(r *http.Request) *session { return r.Context().Value(sessionKey{}).(*session) }
