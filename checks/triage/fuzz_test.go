package triage_test

import (
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/triage"
)

// The fuzz test feeds arbitrary input to the matcher: it may not panic,
// and it ends (go test -fuzz bounds every input's time). Without -fuzz it
// runs its seed corpus as an ordinary test.

func FuzzTriage(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e.Text)
	}
	f.Add(strings.Repeat("AADSTS", 1000))
	f.Add("\xff\xfe\x00 redirect")
	f.Fuzz(func(t *testing.T, text string) {
		ms := triage.Rank(text)
		for i, m := range ms {
			if m.Score <= 0 || m.Score > 1 || m.Title == "" {
				t.Fatalf("bad match %+v", m)
			}
			if i > 0 && m.Score > ms[i-1].Score {
				t.Fatalf("not ranked: %+v", ms)
			}
		}
	})
}

// BenchmarkTriageLarge measures triage of 1 MiB of pasted log, the most it reads.
func BenchmarkTriageLarge(b *testing.B) {
	line := "2026-11-20T09:14:03Z INFO request 0e1f2a3b-4c5d-6e7f done in 12ms\n"
	text := "AADSTS50011 " + strings.Repeat(line, (triage.MaxTriageInput-20)/len(line))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if ms := triage.Rank(text); len(ms) == 0 || ms[0].Row != "redirect_mismatch" {
			b.Fatalf("got %+v", ms)
		}
	}
}
