package nlp

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/dcl"
)

// anomalies runs the FinOps agent over the timeframe (default the last 30
// days): its window is the timeframe's days, ending on its last day (at
// the latest the as-of day).
func (x *executor) anomalies(ctx context.Context, q *Query) (result, error) {
	if x.t.Views == nil {
		return result{}, fmt.Errorf("nlp: %w: the tenant's views are not open", ErrUnavailable)
	}
	start, end, err := q.Timeframe.Range()
	if err != nil {
		return result{}, fmt.Errorf("nlp: %w: timeframe: %v", ErrInvalid, err)
	}
	last := end.AddDate(0, 0, -1)
	if last.After(x.asOf) {
		last = x.asOf
	}
	window := int(last.Sub(start).Hours()/24) + 1
	var notes []string
	if window < 2 {
		window = 2
		notes = append(notes, "a timeframe of one day is judged against the day before")
	}
	if len(q.Filters) > 0 || len(q.GroupBy) > 0 {
		notes = append(notes, "anomalies are found on the daily totals of all cloud costs; filters and grouping were not applied")
	}
	res, err := x.t.Views.RunAgent(ctx, &dcl.FinOps{WindowDays: window}, last)
	if err != nil {
		return result{}, fmt.Errorf("nlp: cloud_cost_anomalies: %w", err)
	}
	// Read the agent's anomalies through their JSON form, the agent's
	// documented output.
	b, err := json.Marshal(res.Metrics)
	if err != nil {
		return result{}, fmt.Errorf("nlp: cloud_cost_anomalies: %w", err)
	}
	var m struct {
		Anomalies []map[string]any `json:"anomalies"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return result{}, fmt.Errorf("nlp: cloud_cost_anomalies: %w", err)
	}
	rows := []map[string]any{}
	for _, a := range m.Anomalies {
		if d, ok := toDate(a["date"]); ok && !d.Before(start) && d.Before(end) {
			rows = append(rows, a)
		}
	}
	if q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	return result{rows: rows, totals: map[string]any{"anomalies": len(rows), "window_days": window, "as_of": last.Format(time.DateOnly)},
		sources: []Source{{Kind: "agent", Name: "finops"}, {Kind: "view", Name: "cloud_costs"}}, notes: notes}, nil
}

// DefaultStaleAfter is how old a connection's newest data may be before
// sync_health calls it stale.
const DefaultStaleAfter = 48 * time.Hour

// platform computes the CTO metrics from the platform's own records.
func (x *executor) platform(ctx context.Context, q *Query) (result, error) {
	if x.t.Platform == nil {
		return result{}, fmt.Errorf("nlp: %s: %w: %v", q.Metric, ErrUnavailable, errNoPlatform)
	}
	conns, err := x.t.Platform.Connections(ctx, x.t.ID)
	if err != nil {
		return result{}, fmt.Errorf("nlp: %s: %w", q.Metric, err)
	}
	names := map[uuid.UUID]string{}
	for _, c := range conns {
		names[c.ID] = c.Name
	}
	var start, end time.Time
	hasTF := q.Timeframe != nil
	if hasTF {
		if start, end, err = q.Timeframe.Range(); err != nil {
			return result{}, fmt.Errorf("nlp: %w: timeframe: %v", ErrInvalid, err)
		}
	}
	in := func(t time.Time) bool { return !hasTF || (!t.Before(start) && t.Before(end)) }
	var notes []string
	var only uuid.UUID
	if v, ok := q.Filters["connection"]; ok {
		for _, c := range conns {
			if c.Name == v || c.ID.String() == v {
				only = c.ID
			}
		}
		if only == uuid.Nil {
			notes = append(notes, fmt.Sprintf("no connection named %q", v))
		}
	}
	keep := func(id uuid.UUID) bool { return only == uuid.Nil || id == only }
	source := Source{Kind: "platform"}
	var dims []string
	for _, d := range q.GroupBy {
		if d == "connection" || ((d == "day" || d == "week" || d == "month") && q.Metric == "drift_events") {
			dims = append(dims, d)
		} else {
			notes = append(notes, fmt.Sprintf("%s cannot be grouped by %s", q.Metric, d))
		}
	}
	gs := newGroups(dims)
	total := &group{}
	keyOf := func(conn uuid.UUID, t time.Time) []string {
		key := make([]string, len(dims))
		for i, d := range dims {
			if d == "connection" {
				key[i] = names[conn]
				if key[i] == "" {
					key[i] = conn.String()
				}
			} else {
				key[i] = periodKey(d, t.UTC(), x.weekStart)
			}
		}
		return key
	}
	add := func(conn uuid.UUID, t time.Time, breaking bool) {
		for _, g := range []*group{total, gs.get(keyOf(conn, t))} {
			g.count++
			if breaking {
				g.n2++
			}
		}
	}
	switch q.Metric {
	case "drift_events":
		source.Name = "drift_events"
		evs, err := x.t.Platform.DriftEvents(ctx, x.t.ID, only)
		if err != nil {
			return result{}, fmt.Errorf("nlp: drift_events: %w", err)
		}
		for _, e := range evs {
			if keep(e.ConnectionID) && in(e.DetectedAt.UTC()) {
				add(e.ConnectionID, e.DetectedAt, e.Breaking)
			}
		}
	case "quarantined_records":
		source.Name = "quarantine"
		for _, c := range conns {
			if !keep(c.ID) {
				continue
			}
			recs, err := x.t.Platform.Quarantined(ctx, x.t.ID, c.ID, "")
			if err != nil {
				return result{}, fmt.Errorf("nlp: quarantined_records: %w", err)
			}
			for _, r := range recs {
				if in(r.CreatedAt.UTC()) {
					add(c.ID, r.CreatedAt, false)
				}
			}
		}
	case "pending_reviews":
		source.Name = "review_queue"
		ps, err := x.t.Platform.Proposals(ctx, x.t.ID, aam.StatusPending)
		if err != nil {
			return result{}, fmt.Errorf("nlp: pending_reviews: %w", err)
		}
		for _, p := range ps {
			if keep(p.ConnectionID) && in(p.CreatedAt.UTC()) {
				add(p.ConnectionID, p.CreatedAt, false)
			}
		}
	case "sync_health":
		return x.syncHealth(ctx, conns, keep, notes)
	}
	row := func(g *group, out map[string]any) {
		out["count"] = g.count
		if q.Metric == "drift_events" {
			out["breaking"] = g.n2
		}
	}
	res := result{totals: map[string]any{}, sources: []Source{source}, notes: notes}
	row(total, res.totals)
	if len(dims) == 0 {
		r := map[string]any{}
		row(total, r)
		res.rows = []map[string]any{r}
		return res, nil
	}
	res.rows = []map[string]any{}
	for _, g := range gs.sorted(byCount, q.Limit) {
		if g.count == 0 {
			continue
		}
		r := map[string]any{}
		for i, d := range dims {
			r[d] = g.key[i]
		}
		row(g, r)
		res.rows = append(res.rows, r)
	}
	return res, nil
}

// syncHealth reports per connection: quarantined records (failures),
// breaking drift in the last 7 days, and freshness (the newest
// _updated_at of its rows in the views). Status is "stale" when the newest
// data is older than DefaultStaleAfter or there is none, "degraded" with
// quarantined records or recent breaking drift, else "healthy".
func (x *executor) syncHealth(ctx context.Context, conns []aam.Connection, keep func(uuid.UUID) bool, notes []string) (result, error) {
	res := result{rows: []map[string]any{}, sources: []Source{{Kind: "platform", Name: "connections"}, {Kind: "platform", Name: "quarantine"},
		{Kind: "platform", Name: "drift_events"}}, notes: notes}
	now := x.asOf.AddDate(0, 0, 1) // the end of the as-of day
	counts := map[string]int64{"healthy": 0, "degraded": 0, "stale": 0}
	drift, err := x.t.Platform.DriftEvents(ctx, x.t.ID, uuid.Nil)
	if err != nil {
		return result{}, fmt.Errorf("nlp: sync_health: %w", err)
	}
	for _, c := range conns {
		if !keep(c.ID) {
			continue
		}
		recs, err := x.t.Platform.Quarantined(ctx, x.t.ID, c.ID, "")
		if err != nil {
			return result{}, fmt.Errorf("nlp: sync_health: %w", err)
		}
		breaking := 0
		for _, e := range drift {
			if e.ConnectionID == c.ID && e.Breaking && e.DetectedAt.After(now.AddDate(0, 0, -7)) {
				breaking++
			}
		}
		var newest time.Time
		if x.t.Views != nil {
			for _, v := range x.t.Views.Views() {
				page, err := x.t.Views.Query(ctx, v.Name, dcl.QueryOptions{Fields: []string{dcl.ColUpdatedAt},
					Filters: []dcl.Filter{{Field: dcl.ColConnectionID, Op: dcl.OpEq, Value: c.ID.String()}},
					Sort:    []dcl.SortKey{{Field: dcl.ColUpdatedAt, Desc: true}}, Limit: 1})
				if err != nil {
					return result{}, fmt.Errorf("nlp: sync_health: %w", err)
				}
				if len(page.Rows) == 1 {
					if t, ok := page.Rows[0][dcl.ColUpdatedAt].(time.Time); ok && t.After(newest) {
						newest = t
					}
				}
			}
			res.sources = appendSourceOnce(res.sources, Source{Kind: "view", Name: "all views (_updated_at)"})
		}
		status := "healthy"
		switch {
		case newest.IsZero() || now.Sub(newest) > DefaultStaleAfter:
			status = "stale"
		case len(recs) > 0 || breaking > 0:
			status = "degraded"
		}
		counts[status]++
		row := map[string]any{"connection": c.Name, "type": c.Type, "status": status, "quarantined": len(recs),
			"breaking_drift_7d": breaking, "last_data_at": nil}
		if !newest.IsZero() {
			row["last_data_at"] = newest.UTC().Format(time.RFC3339)
		}
		res.rows = append(res.rows, row)
	}
	sort.SliceStable(res.rows, func(i, j int) bool {
		rank := map[string]int{"stale": 0, "degraded": 1, "healthy": 2}
		a, b := res.rows[i], res.rows[j]
		if rank[a["status"].(string)] != rank[b["status"].(string)] {
			return rank[a["status"].(string)] < rank[b["status"].(string)]
		}
		return a["connection"].(string) < b["connection"].(string)
	})
	res.totals = map[string]any{"connections": int64(len(res.rows)), "healthy": counts["healthy"], "degraded": counts["degraded"], "stale": counts["stale"]}
	return res, nil
}

func appendSourceOnce(ss []Source, s Source) []Source {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}
