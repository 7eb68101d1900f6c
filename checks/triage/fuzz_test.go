package triage_test

import (
	"strings"
	"sync/atomic"
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
	// Lower case shorter than the text (K, the Kelvin sign, lowers to k)
	// and longer (İ lowers to i̇), around the wordings that look near a hit.
	f.Add(strings.Repeat("\u212a", 300) + " token is expired, refreshing; http: server gave HTTP response to HTTPS client " + strings.Repeat("\u212a", 300))
	f.Add(strings.Repeat("İ", 300) + " connect ECONNREFUSED 10.1.2.3:443 client_id=x error=invalid_client " + strings.Repeat("İ", 300))
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

// FuzzReadStructure feeds arbitrary JSON bodies, query strings and log
// lines to the structured readers, through Analyze: none may panic, every
// fact is bounded.
func FuzzReadStructure(f *testing.F) {
	f.Add(`{"error":"invalid_client","error_description":"AADSTS7000218: x\r\nTrace ID: 9a8b\r\nCorrelation ID: aaaa1111-bbbb","error_codes":[7000218]}`)
	f.Add(`http://localhost:18080/?error=access_denied&error_description=Policy+evaluation+failed&state=x#error=x`)
	f.Add(`{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorId":"oae123","errorCauses":[{"a":{"b":{"c":{"d":{"e":[1]}}}}}]}`)
	f.Add(`type=LOGIN_ERROR, error=invalid_redirect_uri, error_description="x" {{{{{{{{`)
	f.Add(strings.Repeat(`{"error":`, 5000))
	f.Fuzz(func(t *testing.T, text string) {
		r := triage.Analyze(text)
		if r.Facts != nil && (len(r.Facts.Codes) > 16 || len(r.Facts.Descriptions) > 8 || len(r.Facts.Error) > 100) {
			t.Fatalf("unbounded facts: %+v", r.Facts)
		}
	})
}

// BenchmarkTriageShort measures short messages, as pasted one by one:
// messages per second is the figure in the README.
func BenchmarkTriageShort(b *testing.B) {
	corpus := loadCorpus(b)
	triage.Rank(corpus[0].Text) // the knowledge compiles once, on first use
	b.ResetTimer()
	n := 0
	for b.Loop() {
		triage.Rank(corpus[n%len(corpus)].Text)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "messages/s")
}

// BenchmarkTriageShortParallel is BenchmarkTriageShort on every core, as
// the wizard serves several helpdesk tabs at once.
func BenchmarkTriageShortParallel(b *testing.B) {
	corpus := loadCorpus(b)
	triage.Rank(corpus[0].Text)
	b.ResetTimer()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			triage.Rank(corpus[i%len(corpus)].Text)
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "messages/s")
}
