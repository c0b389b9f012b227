package canonical

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func opportunityEvent(t *testing.T) Event {
	t.Helper()
	m := Mapping{Entity: "opportunity", System: "hubspot", Object: "deals", Version: 2, Fields: []FieldMapping{
		{Source: "id", Target: "opportunity_id"},
		{Source: "name", Target: "opportunity_name"},
		{Source: "amount", Target: "amount"},
		{Source: "currency", Target: "currency"},
		{Source: "probability", Target: "probability", Unit: UnitFraction},
		{Source: "closedate", Target: "close_date"},
		{Source: "closed", Target: "is_closed"},
		{Source: "updated", Target: "updated_at", Unit: UnitUnixMillis},
	}}
	mp := newMapper(t, m, nil)
	ev, errs := mp.Apply(map[string]any{
		"id": 9001, "name": "Renewal", "amount": "12500.00", "currency": "usd",
		"probability": 0.35, "closedate": "04/30/2024", "closed": "no", "updated": int64(1709288531000),
		"hs_extra": []any{"a"},
	}, RecordMeta{TenantID: "3f1e2b6c-0000-4000-8000-000000000001", ConnectionID: "c0ffee00-0000-4000-8000-000000000002"})
	require.Empty(t, errs)
	return ev
}

// The event's JSON has exactly the keys of the canonical schema's event
// shape, and typed values in their JSON forms.
func TestEventJSONShape(t *testing.T) {
	t.Parallel()
	ev := opportunityEvent(t)
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))

	raw, _ := readSpec(t)
	var full struct {
		Event struct {
			Fields map[string]string `json:"fields"`
		} `json:"event"`
	}
	require.NoError(t, json.Unmarshal(raw, &full))
	for k := range full.Event.Fields {
		require.Contains(t, got, k)
	}
	require.Len(t, got, len(full.Event.Fields))

	require.JSONEq(t, `{
		"opportunity_id": "9001", "opportunity_name": "Renewal", "amount": "12500",
		"currency": "USD", "probability": "35", "close_date": "2024-04-30",
		"is_closed": false, "updated_at": "2024-03-01T10:22:11Z"}`, mustJSON(t, got["data"]))
	require.JSONEq(t, `{"hs_extra": ["a"]}`, mustJSON(t, got["extras"]))
	require.JSONEq(t, `{"tenant_id": "3f1e2b6c-0000-4000-8000-000000000001", "mapping_version": 2,
		"schema_version": 1, "emitted_at": "2026-01-02T03:04:05Z"}`, mustJSON(t, got["meta"]))
	require.JSONEq(t, `{"system": "hubspot", "connection_id": "c0ffee00-0000-4000-8000-000000000002",
		"object": "deals", "record_id": "9001", "record_hash": "`+ev.Source.RecordHash+`"}`, mustJSON(t, got["source"]))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestDecodeEventRoundTrip(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	ev := opportunityEvent(t)
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	back, err := reg.DecodeEvent(b)
	require.NoError(t, err)

	require.Equal(t, ev.EventID, back.EventID)
	require.Equal(t, ev.Meta, back.Meta)
	require.Equal(t, ev.Source, back.Source)
	require.Len(t, back.Data, len(ev.Data))
	for k, v := range ev.Data {
		require.IsType(t, v, back.Data[k], k)
		require.Equal(t, mustJSON(t, v), mustJSON(t, back.Data[k]), k)
	}
	// A stored percent is not scaled again.
	require.Equal(t, "35", back.Data["probability"].(interface{ String() string }).String())
	require.Equal(t, []any{"a"}, back.Extras["hs_extra"])
	require.NoError(t, reg.ValidateEvent(&back))
}

func TestDecodeEventRejects(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	good := mustJSON(t, opportunityEvent(t))
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(good), &m))
		f(m)
		return []byte(mustJSON(t, m))
	}
	cases := []struct {
		name string
		in   []byte
		msg  string
	}{
		{"not json", []byte("{"), "unexpected EOF"},
		{"unknown entity", edit(func(m map[string]any) { m["entity"] = "lead" }), `unknown entity: "lead"`},
		{"bad value", edit(func(m map[string]any) { m["data"].(map[string]any)["amount"] = "lots" }), `field "amount": not a number`},
		{"unknown field", edit(func(m map[string]any) { m["data"].(map[string]any)["color"] = "red" }), `data key "color" is not a field`},
		{"missing required", edit(func(m map[string]any) { delete(m["data"].(map[string]any), "opportunity_name") }), `required field "opportunity_name" is missing`},
		{"bad op", edit(func(m map[string]any) { m["op"] = "merge" }), `unknown op "merge"`},
		{"bad id", edit(func(m map[string]any) { m["event_id"] = "123" }), "event_id is not a UUID"},
	}
	for _, c := range cases {
		_, err := reg.DecodeEvent(c.in)
		require.ErrorIs(t, err, ErrInvalidEvent, c.name)
		require.ErrorContains(t, err, c.msg, c.name)
	}
}

func TestValidateEventTypes(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	ev := Event{
		EventID: EventID("t", "c", "o", "r", "h"),
		Entity:  "cloud_cost",
		Op:      OpUpsert,
		Data: map[string]any{
			"cost_id":    "line-1",
			"usage_date": day(2024, 3, 1),
			"cost":       dec("0.0042"),
			"region":     "eu-west-1",
		},
	}
	require.NoError(t, reg.ValidateEvent(&ev))
	ev.Data["usage_date"] = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	ev.Data["cost"] = 0.0042
	err := reg.ValidateEvent(&ev)
	require.ErrorIs(t, err, ErrInvalidEvent)
	require.ErrorContains(t, err, `field "usage_date": time.Time is not the Go value of type date`)
	require.ErrorContains(t, err, `field "cost": float64 is not the Go value of type decimal`)
}

func TestCivilDate(t *testing.T) {
	t.Parallel()
	d, err := ParseCivilDate("2024-02-29")
	require.NoError(t, err)
	require.Equal(t, day(2024, 2, 29), d)
	require.Equal(t, "2024-02-29", d.String())
	require.Equal(t, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), d.Time())
	b, err := json.Marshal(d)
	require.NoError(t, err)
	require.Equal(t, `"2024-02-29"`, string(b))
	var back CivilDate
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, d, back)
	require.ErrorIs(t, json.Unmarshal([]byte(`"2023-02-29"`), &back), ErrInvalidValue)
	require.True(t, CivilDate{}.IsZero())
	require.False(t, d.IsZero())
}
