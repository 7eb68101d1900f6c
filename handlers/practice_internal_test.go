package handlers

import (
	"testing"

	"github.com/quickdiag/quickdiag/checks/demo"
)

// TestPracticeEviction: past maxPractice providers the least recently
// chosen stops; chosen again, it listens where it did, so the values a tab
// still holds keep working; one chosen again recently is kept.
func TestPracticeEviction(t *testing.T) {
	var p practiceIdPs
	defer p.close()
	all := demo.All()
	first, err := p.start(all[0])
	if err != nil {
		t.Fatal(err)
	}
	origin := first.Origin
	for i := 1; i <= maxPractice; i++ {
		if i == 2 {
			p.start(all[1]) // chosen again: now the most recent but one
		}
		if _, err := p.start(all[i]); err != nil {
			t.Fatal(err)
		}
	}
	p.mu.Lock()
	_, firstRuns := p.running[all[0].Name]
	_, secondRuns := p.running[all[1].Name]
	n := len(p.running)
	p.mu.Unlock()
	if firstRuns || !secondRuns || n != maxPractice {
		t.Fatalf("after %d starts: first running %v, second %v, %d running", maxPractice+1, firstRuns, secondRuns, n)
	}
	again, err := p.start(all[0])
	if err != nil {
		t.Fatal(err)
	}
	if again.Origin != origin {
		t.Errorf("chosen again, it listens on %s, not %s", again.Origin, origin)
	}
}
