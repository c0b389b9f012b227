// Package fakeapi is a small in-memory server of the JSON API that the
// jsonapi connector reads, for tests, benchmarks and trying the example
// plugin without a real service.
package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Handler serves Objects under the API jsonapi documents. Records are
// ordered by their "id" (int64 ids numerically, others as strings). It is
// safe for concurrent use as long as Objects is not changed while serving.
type Handler struct {
	// Token is the bearer token accepted; requests with another get 401.
	Token string
	// Objects holds each object's records by object name. Every record
	// needs an "id" (int64 or string) unique within its object.
	Objects map[string][]map[string]any

	sorted map[string][]map[string]any
	ids    map[string][]string
}

// New returns a Handler serving objects, each sorted by id.
func New(token string, objects map[string][]map[string]any) *Handler {
	h := &Handler{Token: token, Objects: objects, sorted: map[string][]map[string]any{}, ids: map[string][]string{}}
	for name, recs := range objects {
		recs = append([]map[string]any(nil), recs...)
		sort.SliceStable(recs, func(i, j int) bool { return less(recs[i]["id"], recs[j]["id"]) })
		h.sorted[name] = recs
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = fmt.Sprint(r["id"])
		}
		h.ids[name] = ids
	}
	return h
}

func less(a, b any) bool {
	ai, aok := a.(int64)
	bi, bok := b.(int64)
	if aok && bok {
		return ai < bi
	}
	return fmt.Sprint(a) < fmt.Sprint(b)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+h.Token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if path == "objects" {
		names := make([]string, 0, len(h.sorted))
		for n := range h.sorted {
			names = append(names, n)
		}
		sort.Strings(names)
		objs := make([]map[string]string, len(names))
		for i, n := range names {
			objs[i] = map[string]string{"name": n, "primary_key": "id"}
		}
		writeJSON(w, map[string]any{"objects": objs})
		return
	}
	name, ok := strings.CutPrefix(path, "objects/")
	recs, found := h.sorted[name]
	if !ok || !found {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > 1000 {
		http.Error(w, "limit must be 1-1000", http.StatusBadRequest)
		return
	}
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		start = -1
		for i, id := range h.ids[name] {
			if id == after {
				start = i + 1
				break
			}
		}
		if start < 0 {
			http.Error(w, "unknown after", http.StatusBadRequest)
			return
		}
	}
	end := min(start+limit, len(recs))
	next := ""
	if end < len(recs) && end > start {
		next = h.ids[name][end-1]
	}
	writeJSON(w, map[string]any{"data": recs[start:end], "next": next})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Customers returns n customer records with ids 1..n, values of several
// types, for tests and demos.
func Customers(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		id := int64(i + 1)
		out[i] = map[string]any{
			"id":         id,
			"name":       fmt.Sprintf("Customer %d", id),
			"email":      fmt.Sprintf("customer%d@example.com", id),
			"balance":    float64(id)*10 + 0.5,
			"active":     id%3 != 0,
			"created_at": fmt.Sprintf("2026-01-%02dT10:00:00Z", 1+i%28),
			"tags":       []any{"tier-" + strconv.Itoa(int(id%3))},
			"address":    map[string]any{"city": "Springfield", "zip": fmt.Sprintf("%05d", id)},
		}
	}
	return out
}
