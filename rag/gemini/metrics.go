package gemini

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the collectors of one LLM or Embedder. LLMs and Embedders
// given the same Registerer share the collectors.
type metrics struct {
	calls   *prometheus.CounterVec   // operation, model, outcome
	tokens  *prometheus.CounterVec   // model, kind (prompt, candidates)
	latency *prometheus.HistogramVec // operation, model
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aos_gemini_calls_total",
			Help: "Calls to the Gemini API by operation (generate, embed), model and outcome (ok, invalid, timeout, unavailable, breaker_open, canceled).",
		}, []string{"operation", "model", "outcome"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aos_gemini_tokens_total",
			Help: "Tokens reported by the Gemini API, by model and kind (prompt, candidates).",
		}, []string{"model", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aos_gemini_call_duration_seconds",
			Help:    "Duration of calls to the Gemini API, breaker rejections included.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation", "model"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.calls, err = register(reg, m.calls); err != nil {
		return nil, err
	}
	if m.tokens, err = register(reg, m.tokens); err != nil {
		return nil, err
	}
	if m.latency, err = register(reg, m.latency); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
