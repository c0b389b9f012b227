package canonical

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMappingValidate(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	ok := Mapping{Entity: "account", Object: "Account", Version: 3, Fields: []FieldMapping{
		{Source: "Id", Target: "account_id", Confidence: 1, Origin: OriginManual},
		{Source: "Name", Target: "account_name", Confidence: 0.93, Origin: OriginAuto, Transform: TransformTrim},
		{Source: "Owner.id", Target: "owner_id", Confidence: 0.7, Origin: OriginReviewed},
		{Source: "Site", Target: "website", Confidence: 0.6, Origin: OriginLLM},
		{Source: "Phone", Target: "phone"}, // empty origin means manual
	}}
	require.NoError(t, ok.Validate(reg))

	cases := []struct {
		name string
		edit func(m *Mapping)
		msgs []string
	}{
		{"unknown entity", func(m *Mapping) { m.Entity = "lead" }, []string{`unknown entity: "lead"`}},
		{"negative version", func(m *Mapping) { m.Version = -1 }, []string{"version -1 is negative"}},
		{"no fields", func(m *Mapping) { m.Fields = nil }, []string{"no field mappings"}},
		{"no source", func(m *Mapping) { m.Fields[0].Source = "" }, []string{`field mapping 0 (target "account_id") has no source`}},
		{"unknown target", func(m *Mapping) { m.Fields[1].Target = "name" }, []string{`target "name" is not a field of the entity`}},
		{"target twice", func(m *Mapping) { m.Fields[3].Target = "owner_id" }, []string{`target "owner_id" is mapped twice (field mappings 2 and 3)`}},
		{"bad transform", func(m *Mapping) { m.Fields[0].Transform = "reverse" }, []string{`unknown transform "reverse"`}},
		{"confidence above 1", func(m *Mapping) { m.Fields[0].Confidence = 1.5 }, []string{"confidence 1.5 is outside 0..1"}},
		{"confidence nan", func(m *Mapping) { m.Fields[0].Confidence = math.NaN() }, []string{"confidence NaN is outside 0..1"}},
		{"bad origin", func(m *Mapping) { m.Fields[2].Origin = "guess" }, []string{`unknown origin "guess"`}},
		{"all problems at once", func(m *Mapping) {
			m.Version = -2
			m.Fields[0].Origin = "x"
			m.Fields[1].Target = "nope"
		}, []string{"version -2", `unknown origin "x"`, `target "nope"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := ok.Clone()
			c.edit(&m)
			err := m.Validate(reg)
			require.ErrorIs(t, err, ErrInvalidMapping)
			for _, msg := range c.msgs {
				require.ErrorContains(t, err, msg)
			}
		})
	}
	require.ErrorIs(t, ok.Validate(nil), ErrInvalidMapping)
	bad := ok.Clone()
	bad.Entity = "lead"
	require.ErrorIs(t, bad.Validate(reg), ErrUnknownEntity)
}

func TestMappingHelpers(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	m := Mapping{Entity: "invoice", Version: 1, Fields: []FieldMapping{{Source: "Id", Target: "invoice_id"}}}
	missing, err := m.MissingRequired(reg)
	require.NoError(t, err)
	require.Equal(t, []string{"total_amount"}, missing)
	_, err = (&Mapping{Entity: "x"}).MissingRequired(reg)
	require.ErrorIs(t, err, ErrUnknownEntity)

	f, ok := m.Field("invoice_id")
	require.True(t, ok)
	require.Equal(t, "Id", f.Source)
	_, ok = m.Field("status")
	require.False(t, ok)

	c := m.Clone()
	c.Fields[0].Source = "changed"
	require.Equal(t, "Id", m.Fields[0].Source)
}

func TestMappingJSON(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "account", System: "salesforce", Object: "Account", Version: 2, Fields: []FieldMapping{
		{Source: "Name", Target: "account_name", Transform: TransformTrim, Confidence: 0.9, Origin: OriginAuto},
	}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	require.JSONEq(t, `{"entity":"account","system":"salesforce","object":"Account","version":2,
		"fields":[{"source":"Name","target":"account_name","transform":"trim","confidence":0.9,"origin":"auto"}]}`, string(b))
	var back Mapping
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, m, back)
}

func TestTransforms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tr     Transform
		in     any
		want   any
		reason string
	}{
		{TransformNone, " A ", " A ", ""},
		{TransformTrim, "  A b ", "A b", ""},
		{TransformLower, "ACME", "acme", ""},
		{TransformUpper, "usd", "USD", ""},
		{TransformLower, 12, 12, ""}, // not text: unchanged
		{TransformFirstWord, " Ada  Lovelace King ", "Ada", ""},
		{TransformLastWord, "Ada Lovelace King", "King", ""},
		{TransformFirstWord, "   ", "", ""},
		{TransformCentsToUnits, int64(1999), dec("19.99"), ""},
		{TransformCentsToUnits, "-5", dec("-0.05"), ""},
		{TransformCentsToUnits, "", nil, ""},
		{TransformCentsToUnits, "ten", nil, "cents_to_units: not a number"},
		{Transform("nope"), "x", nil, "unknown transform nope"},
	}
	for _, c := range cases {
		got, reason := c.tr.apply(c.in)
		require.Equal(t, c.reason, reason, "%s %v", c.tr, c.in)
		if d, ok := c.want.(interface{ String() string }); ok && reason == "" {
			require.Equal(t, d.String(), got.(interface{ String() string }).String())
			continue
		}
		require.Equal(t, c.want, got, "%s %v", c.tr, c.in)
	}
	for _, tr := range Transforms() {
		require.True(t, tr.Valid())
	}
	require.False(t, Transform("nope").Valid())
}
