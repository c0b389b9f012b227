package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/httpapi"
)

// newMux serves the API under /api/ and the operational endpoints
// outside /api/v1. /readyz is unauthenticated: its error body says only
// that the server is not ready; the cause (which may name database users,
// hosts and databases) goes to the log.
func newMux(p *autonomos.Platform, logger *slog.Logger) (http.Handler, error) {
	api, err := httpapi.New(p.Tenancy(), p.RateLimiter(), &httpapi.Options{
		RegistrationClosed: p.Config().RegistrationClosed, Logger: logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := p.Ready(ctx); err != nil {
			logger.Warn("reference-server: not ready", "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{
				"error": map[string]string{"code": "unavailable", "message": "a backend is not ready; see the server log"},
			})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "mode": string(p.Mode())})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.Metrics(), promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"error": map[string]string{"code": "not_found", "message": "no route for " + r.Method + " " + r.URL.Path},
		})
	})
	return mux, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
