package nlp

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// questionDeadline bounds one classification in the fuzz test. It is a
// guard against runaway work (a question is at most MaxQuestionBytes and
// MaxTokens tokens), far above the microseconds a question takes.
const questionDeadline = 2 * time.Second

// FuzzClassify: no panics, valid contract values, and bounded time on any
// input. Seeds are in testdata/fuzz/FuzzClassify; run longer with
// go test -fuzz=FuzzClassify ./nlp.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"What is our cloud spend this month?", "top 5 services by spend between Feb 1 and Feb 10",
		"since 2024-02-29", "Q4 '24", "delete all invoices", "", "ytd?", strings.Repeat("last 30 days ", 300)} {
		f.Add(s)
	}
	c, err := NewClassifier(nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	asOf := time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC)
	values := Values{"service": {"AmazonEC2", "AmazonS3"}, "country": {"DE", "US"}, "account": {"Acme Corp"}}
	f.Fuzz(func(t *testing.T, q string) {
		done := make(chan Classification, 1)
		var cerr error
		go func() {
			res, err := c.Classify(Question{Text: q, AsOf: asOf, Values: values})
			cerr = err
			done <- res
		}()
		select {
		case res := <-done:
			if cerr != nil {
				if strings.TrimSpace(q) != "" && len(q) <= MaxQuestionBytes && utf8.ValidString(q) {
					t.Fatalf("%q: %v", q, cerr)
				}
				return
			}
			switch res.Intent.Kind {
			case KindMetric:
				if _, ok := c.cat.Metric(res.Intent.Metric); !ok {
					t.Fatalf("%q: unknown metric %q", q, res.Intent.Metric)
				}
			case KindKnowledge, KindClarify, KindUnsupported:
				if res.Intent.Metric != "" {
					t.Fatalf("%q: %s with a metric", q, res.Intent.Kind)
				}
			default:
				t.Fatalf("%q: kind %q", q, res.Intent.Kind)
			}
			if tf := res.Intent.Timeframe; tf != nil {
				s, e, err := tf.Range()
				if err != nil || !s.Before(e) {
					t.Fatalf("%q: bad timeframe %+v", q, tf)
				}
			}
			if res.Persona != "" && !res.Persona.Valid() {
				t.Fatalf("%q: persona %q", q, res.Persona)
			}
			if res.Intent.Confidence < 0 || res.Intent.Confidence > 1 || res.PersonaConfidence < 0 || res.PersonaConfidence > 1 {
				t.Fatalf("%q: confidence out of range", q)
			}
		case <-time.After(questionDeadline):
			t.Fatalf("%q: classification took longer than %s", q, questionDeadline)
		}
	})
}

// BenchmarkClassify measures a typical and a worst-case (longest) question.
func BenchmarkClassify(b *testing.B) {
	c, err := NewClassifier(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	asOf := time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC)
	for name, q := range map[string]string{
		"typical": "top 5 services by cloud spend last month",
		"longest": strings.Repeat("xqzv wrlk ", MaxQuestionBytes/10)[:MaxQuestionBytes],
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Classify(Question{Text: q, AsOf: asOf}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
