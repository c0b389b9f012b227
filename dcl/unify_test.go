package dcl_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/dcl/linkage"
)

const (
	connA = "0b3f6a3e-0000-4000-8000-00000000000a"
	connB = "0b3f6a3e-0000-4000-8000-00000000000b"
)

// twoBusinessSources returns n businesses from source A (phones in E.164,
// as canonical coercion writes them when the country is known) and the
// same businesses from source B, reworded, with bare national phones.
func twoBusinessSources(tenant uuid.UUID, n int) (a, b []canonical.Event) {
	words := []string{"olive", "harbor", "lantern", "willow", "saffron", "copper", "juniper", "maple", "granite", "orchard"}
	cities := []string{"Boston", "Denver", "Austin", "Miami"}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s %s %d", words[i%len(words)], words[(i/len(words))%len(words)], i)
		national := fmt.Sprintf("617555%04d", i)
		street := fmt.Sprintf("%d %s Street", 10+i, words[(i*7)%len(words)])
		city := cities[i%len(cities)]
		a = append(a, event(tenant, connA, "account", fmt.Sprintf("A%03d", i), map[string]any{
			"account_id": fmt.Sprintf("A%03d", i), "account_name": name + " Inc.", "phone": "+1" + national,
			"billing_street": street, "billing_city": city, "billing_country": "US"}))
		b = append(b, event(tenant, connB, "account", fmt.Sprintf("B%03d", i), map[string]any{
			"account_id": fmt.Sprintf("B%03d", i), "account_name": "The " + name + " (" + city + ")", "phone": national,
			"billing_street": fmt.Sprintf("%d %s St.", 10+i, words[(i*7)%len(words)]), "billing_city": city}))
	}
	return a, b
}

func unifiedIDs(t *testing.T, f *fixture, eng *dcl.Engine) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range dump(t, f.ctx, eng, "accounts") {
		out[r[dcl.ColRecordID].(string)] = r[dcl.ColUnifiedID].(string)
	}
	return out
}

// TestUnifyIncrementalSplitsAndDecisions: the second source added in ten
// batches gives the same clusters as in one batch; a change that breaks a
// link splits the cluster and the other member keeps its id; every merge
// is explained with weights; review decisions survive a rebuild.
func TestUnifyIncrementalSplitsAndDecisions(t *testing.T) {
	t.Parallel()
	const n = 60
	f := setup(t, &dcl.Options{BatchSize: 2 * n})
	a, b := twoBusinessSources(f.tenant, n)
	f.src.Append(f.tenant, a...)
	f.src.Append(f.tenant, b...)
	res, err := f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	require.Equal(t, 1, res.Batches)
	one := unifiedIDs(t, f, f.eng)
	for i := 0; i < n; i++ {
		require.Equal(t, one[fmt.Sprintf("A%03d", i)], one[fmt.Sprintf("B%03d", i)], "business %d: E.164 and national phone, reworded name", i)
	}

	// the same stream: source A in one batch, source B in ten
	other, err := dcl.Open(f.ctx, t.TempDir(), f.tenant, &dcl.Options{BatchSize: n / 10})
	require.NoError(t, err)
	defer func() { require.NoError(t, other.Close()) }()
	require.NoError(t, materializeAll(f, other, n, n/10))
	require.Equal(t, one, unifiedIDs(t, f, other))

	// explained merges
	dec, err := f.eng.Explain(f.ctx, "account", one["A007"])
	require.NoError(t, err)
	last := dec[len(dec)-1]
	require.Equal(t, "join", last.Action)
	require.Equal(t, "B007", last.RecordID)
	require.Greater(t, last.Probability, 0.99)
	require.Positive(t, last.Weight)
	require.Contains(t, last.MatchedKeys, "phone")
	got := map[string]string{}
	for _, c := range last.Comparisons {
		got[c.Comparison] = c.Level
	}
	require.Equal(t, "same", got["phone"])
	require.Equal(t, "same", got["address"])

	// B007 turns out to be another business: the cluster splits, A007
	// keeps its id
	f.src.Append(f.tenant, event(f.tenant, connB, "account", "B007", map[string]any{
		"account_id": "B007", "account_name": "Granite Tavern", "phone": "3035550199", "billing_city": "Denver"}))
	_, err = f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	after := unifiedIDs(t, f, f.eng)
	require.Equal(t, one["A007"], after["A007"])
	require.NotEqual(t, after["A007"], after["B007"])
	dec, err = f.eng.Explain(f.ctx, "account", after["B007"])
	require.NoError(t, err)
	require.Equal(t, "split", dec[len(dec)-1].Action)
	require.Equal(t, one["A007"], dec[len(dec)-1].AbsorbedID)

	// decisions: B007 is the same as A008 after all (must-link), and
	// A009/B009 are different (cannot-link)
	ref := func(conn, rec string) dcl.RecordRef { return dcl.RecordRef{ConnectionID: conn, RecordID: rec} }
	require.NoError(t, f.eng.UnifyDecide(f.ctx, "account", ref(connB, "B007"), ref(connA, "A008"), linkage.MustLink))
	require.NoError(t, f.eng.UnifyDecide(f.ctx, "account", ref(connA, "A009"), ref(connB, "B009"), linkage.CannotLink))
	decided := unifiedIDs(t, f, f.eng)
	require.Equal(t, decided["A008"], decided["B007"])
	require.Equal(t, decided["A008"], decided["B008"])
	require.NotEqual(t, decided["A009"], decided["B009"])
	cons, err := f.eng.UnifyConstraints("account")
	require.NoError(t, err)
	require.Len(t, cons, 2)
	require.ErrorIs(t, f.eng.UnifyDecide(f.ctx, "account", ref(connA, "A001"), ref(connA, "A001"), linkage.MustLink), dcl.ErrInvalid)
	require.ErrorIs(t, f.eng.UnifyDecide(f.ctx, "deal", ref(connA, "A001"), ref(connA, "A002"), linkage.MustLink), dcl.ErrInvalid)

	// they survive a rebuild, with identical ids
	_, err = f.eng.Rebuild(f.ctx, f.src)
	require.NoError(t, err)
	require.Equal(t, decided, unifiedIDs(t, f, f.eng))
	cons, err = f.eng.UnifyConstraints("account")
	require.NoError(t, err)
	require.Len(t, cons, 2)

	// and a reopen: the state is restored from the file
	require.NoError(t, f.eng.Close())
	reopened, err := dcl.Open(f.ctx, f.dir, f.tenant, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, reopened.Close()) }()
	require.Equal(t, decided, unifiedIDs(t, f, reopened))
	cons, err = reopened.UnifyConstraints("account")
	require.NoError(t, err)
	require.Len(t, cons, 2)
	// a new record joins an existing cluster after the reopen
	f.src.Append(f.tenant, event(f.tenant, connB, "account", "B100", map[string]any{
		"account_id": "B100", "account_name": "Olive Harbor 0", "phone": "(617) 555-0000", "billing_city": "Boston"}))
	_, err = reopened.Sync(f.ctx, f.src)
	require.NoError(t, err)
	require.Equal(t, decided["A000"], unifiedIDs(t, f, reopened)["B100"])
}

// materializeAll feeds eng the fixture's stream: the first n events in
// one batch, the rest in batches of size.
func materializeAll(f *fixture, eng *dcl.Engine, n, size int) error {
	evs, err := f.src.ReadEvents(f.ctx, f.tenant, 0, 10*n, "")
	if err != nil {
		return err
	}
	if _, err := eng.Materialize(f.ctx, evs[:n]); err != nil {
		return err
	}
	for i := n; i < len(evs); i += size {
		if _, err := eng.Materialize(f.ctx, evs[i:min(i+size, len(evs))]); err != nil {
			return err
		}
	}
	return nil
}
