package handlers

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/demo"
	"github.com/quickdiag/quickdiag/checks/idp"
	"github.com/quickdiag/quickdiag/web"
)

// maxPractice bounds the practice IdPs running at once; the least recently
// chosen stops first, and starts again on its old address when chosen again
// (so values a tab still holds keep working).
const maxPractice = 8

// practiceIdPs are the practice providers the wizard started, one per
// scenario, on loopback; they stop with the wizard.
type practiceIdPs struct {
	mu      sync.Mutex
	running map[string]*demo.Provider
	order   []string          // least recently chosen first
	addrs   map[string]string // where each scenario last listened
}

// start returns the scenario's running provider, starting it if needed.
func (p *practiceIdPs) start(s demo.Scenario) (*demo.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.order = slices.DeleteFunc(p.order, func(n string) bool { return n == s.Name })
	if pr, ok := p.running[s.Name]; ok {
		p.order = append(p.order, s.Name)
		return pr, nil
	}
	const anyPort = "127.0.0.1:0"
	addr := p.addrs[s.Name]
	if addr == "" {
		addr = anyPort
	}
	pr, err := demo.Start(s, addr)
	if err != nil && addr != anyPort { // its old port is taken now
		pr, err = demo.Start(s, anyPort)
	}
	if err != nil {
		return nil, err
	}
	if p.running == nil {
		p.running, p.addrs = map[string]*demo.Provider{}, map[string]string{}
	}
	p.running[s.Name] = pr
	p.addrs[s.Name] = strings.TrimPrefix(pr.Origin, "http://")
	p.order = append(p.order, s.Name)
	if len(p.order) > maxPractice {
		oldest := p.order[0]
		p.order = p.order[1:]
		p.running[oldest].Close()
		delete(p.running, oldest)
	}
	return pr, nil
}

// close stops every practice provider.
func (p *practiceIdPs) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.running {
		pr.Close()
	}
	p.running, p.order = nil, nil
}

// demoPage lists the scenarios to choose from, by IdP or (?by=symptom) by
// the row each shows; ?scenario=NAME offers that one first.
func (s *server) demoPage(w http.ResponseWriter, r *http.Request) {
	name := func(id string) string {
		if p := idp.Lookup(id); p != nil {
			return p.Name
		}
		return id
	}
	render(w, r, http.StatusOK, web.Demo(web.NewDemoView(demo.All(), name, r.URL.Query().Get("by") == "symptom", r.URL.Query().Get("scenario"))))
}

// demoStart starts a scenario's provider and fills the session's values
// with what its administrator entered.
func (s *server) demoStart(w http.ResponseWriter, r *http.Request) {
	sc, ok := demo.Lookup(r.PostFormValue("scenario"))
	if !ok {
		http.Error(w, "choose one of the scenarios", http.StatusBadRequest)
		return
	}
	if err := s.usePractice(sessionOf(r), sc); err != nil {
		http.Error(w, "could not start the practice IdP: "+err.Error(), http.StatusInternalServerError)
		return
	}
	seeOther(w, r, "/values")
}

// usePractice starts the scenario's provider and puts its values, and the
// provisioned user's email, in the session.
func (s *server) usePractice(sess *session, sc demo.Scenario) error {
	pr, err := s.practice.start(sc)
	if err != nil {
		return err
	}
	email := sc.Email
	if email == "" {
		email = demo.Users[0].Email
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	sess.config = pr.Values()
	sess.valuesChanged()
	sess.email = email // the users list stays as the admin left it (list-users output)
	return nil
}

// practicePage is the training mode: a hidden broken scenario, what the
// user sees, and the trainee's answer.
func (s *server) practicePage(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	name := sess.practice
	sess.mu.Unlock()
	v := web.PracticeView{Rows: practiceRows()}
	if sc, ok := demo.Lookup(name); ok {
		v.Active, v.Symptom = true, sc.Symptom
	}
	render(w, r, http.StatusOK, web.Practice(v))
}

// practiceNew hides a new broken scenario in the session.
func (s *server) practiceNew(w http.ResponseWriter, r *http.Request) {
	var broken []demo.Scenario
	for _, sc := range demo.All() {
		if sc.Row != "" {
			broken = append(broken, sc)
		}
	}
	sc := broken[rand.IntN(len(broken))]
	if s.opts.PracticePick != nil {
		sc = s.opts.PracticePick(broken)
	}
	sess := sessionOf(r)
	if err := s.usePractice(sess, sc); err != nil {
		http.Error(w, "could not start the practice IdP: "+err.Error(), http.StatusInternalServerError)
		return
	}
	sess.mu.Lock()
	sess.practice = sc.Name
	sess.mu.Unlock()
	seeOther(w, r, "/practice")
}

// practiceAnswer tells the trainee whether they named the right row, and why.
func (s *server) practiceAnswer(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	sess.mu.Lock()
	name := sess.practice
	sess.mu.Unlock()
	sc, ok := demo.Lookup(name)
	if !ok {
		seeOther(w, r, "/practice")
		return
	}
	answer := catalog.ID(r.PostFormValue("row"))
	row, _ := catalog.Lookup(sc.Row)
	v := web.PracticeView{Active: true, Symptom: sc.Symptom, Rows: practiceRows(), Answered: true, Right: answer == sc.Row,
		Answer: string(answer), Scenario: sc.Title, Row: web.RowView{ID: string(row.ID), Title: row.Title, Seen: row.Seen, Cause: row.Cause, Fix: row.Fix}}
	render(w, r, http.StatusOK, web.Practice(v))
}

// practiceRows are the rows a trainee may name: those a scenario shows.
func practiceRows() []web.RowOption {
	seen := map[catalog.ID]bool{}
	var out []web.RowOption
	for _, r := range catalog.Rows() {
		for _, sc := range demo.All() {
			if sc.Row == r.ID && !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, web.RowOption{ID: string(r.ID), Title: r.Title})
			}
		}
	}
	return out
}
