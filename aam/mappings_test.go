package aam_test

import (
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

func TestPutMappingValidates(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, nil)
		conn := e.fileConnection(e.tenant)
		key := aam.MappingKey{ConnectionID: conn.ID, Object: "contacts"}
		put := func(expected int, m canonical.Mapping, author string) (aam.MappingVersion, error) {
			return e.mesh.PutMapping(e.ctx, e.tenant, aam.PutMapping{MappingKey: key, ExpectedVersion: expected, Mapping: m, Author: author, Reason: "why"})
		}

		_, err := put(0, canonical.Mapping{Entity: "nope", Fields: []canonical.FieldMapping{{Source: "a", Target: "b"}}}, "u")
		require.ErrorIs(t, err, aam.ErrInvalid)
		require.ErrorIs(t, err, canonical.ErrInvalidMapping)
		noLast := contactMapping(true)
		noLast.Fields = noLast.Fields[:2]
		_, err = put(0, noLast, "u")
		require.ErrorIs(t, err, aam.ErrInvalid)
		require.ErrorContains(t, err, "last_name")
		_, err = put(0, contactMapping(true), "")
		require.ErrorIs(t, err, aam.ErrInvalid)
		wrongObject := contactMapping(true)
		wrongObject.Object = "accounts"
		_, err = put(0, wrongObject, "u")
		require.ErrorIs(t, err, aam.ErrInvalid)
		_, err = e.mesh.PutMapping(e.ctx, e.tenant, aam.PutMapping{MappingKey: aam.MappingKey{ConnectionID: uuid.New(), Object: "x"}, Mapping: contactMapping(true), Author: "u"})
		require.ErrorIs(t, err, aam.ErrNotFound)

		v1, err := put(0, contactMapping(true), "alice")
		require.NoError(t, err)
		require.Equal(t, 1, v1.Version)
		require.Equal(t, 1, v1.Mapping.Version)
		require.Equal(t, "contacts", v1.Mapping.Object)
		require.Equal(t, "alice", v1.Author)
		_, err = put(0, contactMapping(false), "bob")
		require.ErrorIs(t, err, aam.ErrConflict, "a stale writer")
		v2, err := put(1, contactMapping(false), "bob")
		require.NoError(t, err)
		require.Equal(t, 2, v2.Version)

		active, err := e.mesh.ActiveMapping(e.ctx, e.tenant, key)
		require.NoError(t, err)
		require.Equal(t, 2, active.Version)
		hist, err := e.mesh.MappingHistory(e.ctx, e.tenant, key)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		require.Equal(t, []string{"alice", "bob"}, []string{hist[0].Author, hist[1].Author})
		all, err := e.mesh.Mappings(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, all, 1)
		none, err := e.mesh.Mappings(e.ctx, e.tenant, uuid.New())
		require.NoError(t, err)
		require.Empty(t, none)
		_, err = e.mesh.ActiveMapping(e.ctx, e.newTenant(), key)
		require.ErrorIs(t, err, aam.ErrNotFound)
	})
}

func TestConcurrentSyncsOfOneConnectionAreSerialized(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, &aam.Options{BatchSize: 3})
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 40)...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		var wg sync.WaitGroup
		reports := make([]aam.SyncReport, 4)
		errs := make([]error, len(reports))
		for i := range reports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reports[i], errs[i] = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		total, reads := 0, 0
		for _, r := range reports {
			total += r.Total().Events
			reads += r.Total().Read
		}
		require.Equal(t, 40, total)
		require.Equal(t, 40, reads, "each record is read once: later syncs start at the saved cursor")
		require.Len(t, identities(t, e.events(e.tenant)), 40)
	})
}

func TestMetricsCountRecords(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		reg := prometheus.NewRegistry()
		e := setup(t, kind, &aam.Options{Metrics: reg})
		rows := contactRows(1, 6)
		rows[0] = "1,First1,Last1,bad-email"
		e.write("contacts.csv", append([]string{contactHeader}, rows...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		_, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		got := map[string]float64{}
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() != "aam_records_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		}
		// The bad email is an optional field: the record flows without it.
		require.Equal(t, map[string]float64{"read": 6, "appended": 6, "quality_issue": 1}, got)
		// One registerer serves one mesh.
		_, err = aam.New(e.canon, e.conns, e.store, &aam.Options{Metrics: reg})
		require.ErrorIs(t, err, aam.ErrInvalid)
		require.ErrorContains(t, err, "Options.Metrics")
	})
}
