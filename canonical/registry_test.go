package canonical

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func newRegistry(t *testing.T, extra ...Entity) *Registry {
	t.Helper()
	reg, err := NewRegistry(extra...)
	require.NoError(t, err)
	return reg
}

// specDoc is the part of testdata/canonical.json the registry must match,
// read with plain maps so that it does not depend on Document's decoding.
type specDoc struct {
	Version  int               `json:"version"`
	Types    map[string]string `json:"types"`
	Entities map[string]struct {
		Description string `json:"description"`
		Fields      map[string]struct {
			Type        string `json:"type"`
			Required    bool   `json:"required"`
			Ref         string `json:"ref"`
			Description string `json:"description"`
		} `json:"fields"`
	} `json:"entities"`
}

func readSpec(t *testing.T) ([]byte, specDoc) {
	t.Helper()
	b, err := os.ReadFile("testdata/canonical.json")
	require.NoError(t, err)
	var spec specDoc
	require.NoError(t, json.Unmarshal(b, &spec))
	return b, spec
}

func TestRegistryMatchesCanonicalJSON(t *testing.T) {
	t.Parallel()
	_, spec := readSpec(t)
	reg := newRegistry(t)

	require.Equal(t, spec.Version, reg.Version())
	require.Len(t, Types(), len(spec.Types))
	for _, typ := range Types() {
		require.Contains(t, spec.Types, string(typ))
		require.True(t, typ.Valid())
	}
	require.Len(t, reg.Entities(), len(spec.Entities))
	require.Equal(t, []string{"account", "contact", "opportunity", "invoice", "cloud_cost"}, reg.Names())
	for name, se := range spec.Entities {
		e, ok := reg.Entity(name)
		require.True(t, ok, "entity %q", name)
		require.Equal(t, se.Description, e.Description)
		require.Len(t, e.Fields, len(se.Fields), "entity %q", name)
		for fname, sf := range se.Fields {
			f, ok := e.Field(fname)
			require.True(t, ok, "%s.%s", name, fname)
			require.Equal(t, Type(sf.Type), f.Type, "%s.%s type", name, fname)
			require.Equal(t, sf.Required, f.Required, "%s.%s required", name, fname)
			require.Equal(t, sf.Ref, f.Ref, "%s.%s ref", name, fname)
			require.Equal(t, sf.Description, f.Description, "%s.%s description", name, fname)
		}
		require.True(t, e.IDField().Required, "entity %q identifier", name)
	}
}

// The document the CLI prints has the same content as canonical.json, key
// for key (order aside), and keeps canonical.json's order.
func TestDocumentEqualsCanonicalJSON(t *testing.T) {
	t.Parallel()
	raw, _ := readSpec(t)
	out, err := json.MarshalIndent(newRegistry(t).Document(), "", "  ")
	require.NoError(t, err)
	require.JSONEq(t, string(raw), string(out))

	var fromFile Document
	require.NoError(t, json.Unmarshal(raw, &fromFile))
	require.Equal(t, fromFile, newRegistry(t).Document())
}

func TestDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t, Entity{
		Name: "ticket",
		Fields: []Field{
			{Name: "ticket_id", Type: String, Required: true},
			{Name: "account_id", Type: Ref, Ref: "account"},
			{Name: "opened_at", Type: Timestamp, Description: "when the customer opened it"},
		},
	})
	doc := reg.Document()
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	var back Document
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, doc, back)
	require.Equal(t, "ticket", back.Entities[len(back.Entities)-1].Name)

	// A document entity registers again as the same entity.
	e, ok := reg.Entity("ticket")
	require.True(t, ok)
	require.Equal(t, e, back.Entities[len(back.Entities)-1].Entity())
}

func TestDocumentRejectsDuplicateKeys(t *testing.T) {
	t.Parallel()
	var d Document
	err := json.Unmarshal([]byte(`{"version":1,"types":{"string":"a","string":"b"},"entities":{}}`), &d)
	require.ErrorContains(t, err, `key "string" appears twice`)
	err = json.Unmarshal([]byte(`{"version":1,"types":{},"entities":[]}`), &d)
	require.ErrorContains(t, err, "want a JSON object")
}

func TestNewRegistryCustomEntity(t *testing.T) {
	t.Parallel()
	ticket := Entity{
		Name:        "ticket",
		Description: "A support ticket.",
		Fields: []Field{
			{Name: "ticket_id", Type: String, Required: true},
			{Name: "account_id", Type: Ref, Ref: "account"},
			{Name: "parent_ticket_id", Type: Ref, Ref: "ticket"},
			{Name: "priority", Type: Integer},
		},
	}
	reg := newRegistry(t, ticket)
	require.Equal(t, []string{"account", "contact", "opportunity", "invoice", "cloud_cost", "ticket"}, reg.Names())
	got, ok := reg.Entity("ticket")
	require.True(t, ok)
	require.Equal(t, ticket, got)

	// The registry keeps its own copy.
	ticket.Fields[3].Type = String
	got, _ = reg.Entity("ticket")
	require.Equal(t, Integer, got.Fields[3].Type)
	got.Fields[0].Name = "changed"
	again, _ := reg.Entity("ticket")
	require.Equal(t, "ticket_id", again.Fields[0].Name)

	// Registries are independent values.
	plain := newRegistry(t)
	_, ok = plain.Entity("ticket")
	require.False(t, ok)
}

func TestNewRegistryRejects(t *testing.T) {
	t.Parallel()
	id := Field{Name: "x_id", Type: String, Required: true}
	cases := []struct {
		name  string
		extra []Entity
		msg   string
	}{
		{"bad name", []Entity{{Name: "Ticket", Fields: []Field{id}}}, `name "Ticket" is not a snake_case identifier`},
		{"empty name", []Entity{{Name: "", Fields: []Field{id}}}, `name "" is not a snake_case identifier`},
		{"clashes with built-in", []Entity{{Name: "account", Fields: []Field{id}}}, `entity "account" is already registered`},
		{"given twice", []Entity{{Name: "x", Fields: []Field{id}}, {Name: "x", Fields: []Field{id}}}, `entity "x" is already registered`},
		{"no fields", []Entity{{Name: "x"}}, `entity "x" has no fields`},
		{"identifier not required", []Entity{{Name: "x", Fields: []Field{{Name: "x_id", Type: String}}}}, `identifier field "x_id" (the first field) must be required`},
		{"bad field name", []Entity{{Name: "x", Fields: []Field{id, {Name: "Bad-Name", Type: String}}}}, `name "Bad-Name" is not a snake_case identifier`},
		{"duplicate field", []Entity{{Name: "x", Fields: []Field{id, id}}}, `field "x_id" appears twice`},
		{"unknown type", []Entity{{Name: "x", Fields: []Field{id, {Name: "blob", Type: "json"}}}}, `field "blob" has unknown type "json"`},
		{"ref without target", []Entity{{Name: "x", Fields: []Field{id, {Name: "a", Type: Ref}}}}, `field "a" of type ref names no entity`},
		{"ref on non-ref", []Entity{{Name: "x", Fields: []Field{id, {Name: "a", Type: String, Ref: "account"}}}}, `has Ref "account" but type "string"`},
		{"ref to unknown", []Entity{{Name: "x", Fields: []Field{id, {Name: "a", Type: Ref, Ref: "nowhere"}}}}, `field "a" refers to unknown entity "nowhere"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			reg, err := NewRegistry(c.extra...)
			require.Nil(t, reg)
			require.ErrorIs(t, err, ErrInvalidEntity)
			require.ErrorContains(t, err, c.msg)
		})
	}
}

func TestEntityHelpers(t *testing.T) {
	t.Parallel()
	e, ok := newRegistry(t).Entity("invoice")
	require.True(t, ok)
	require.Equal(t, "invoice_id", e.IDField().Name)
	require.Equal(t, []string{"invoice_id", "total_amount"}, e.RequiredFields())
	_, ok = e.Field("nope")
	require.False(t, ok)
	require.Equal(t, Field{}, Entity{}.IDField())
	_, ok = newRegistry(t).Entity("nope")
	require.False(t, ok)
}
