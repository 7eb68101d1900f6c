package triage_test

import (
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/triage"
)

func TestGuidedTriageIsWellFormed(t *testing.T) {
	reached := map[string]bool{triage.GuideStart: true}
	for _, q := range triage.GuideQuestions() {
		if q.Text == "" || len(q.Answers) < 2 {
			t.Errorf("question %s is incomplete", q.ID)
		}
		for _, a := range q.Answers {
			ends := 0
			if a.Next != "" {
				ends++
				if _, ok := triage.GuideQuestion(a.Next); !ok {
					t.Errorf("%s → %q: no such question", q.ID, a.Next)
				}
				reached[a.Next] = true
			}
			if a.Row != "" {
				ends++
				if _, ok := catalog.Lookup(a.Row); !ok {
					t.Errorf("%s → row %q: not in the catalog", q.ID, a.Row)
				}
			}
			if a.Step != "" {
				ends++
				if a.StepWhy == "" {
					t.Errorf("%s → step %s says not what it shows", q.ID, a.Step)
				}
			}
			if ends != 1 {
				t.Errorf("%s: answer %q leads to %d places", q.ID, a.Text, ends)
			}
		}
	}
	for _, q := range triage.GuideQuestions() {
		if !reached[q.ID] {
			t.Errorf("question %s is never asked", q.ID)
		}
	}
}
