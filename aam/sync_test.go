package aam_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

const contactHeader = "id,first_name,last_name,email"

// strict is the QualityPolicy of tenants whose every field error
// quarantines the record.
func strict(uuid.UUID) aam.QualityPolicy { return aam.QualityStrict }

func TestSyncEndToEnd(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, &aam.Options{QualityPolicy: strict})
		rows := contactRows(1, 8)
		rows[4] = "5,First5,Last5,not-an-email"      // fails coercion: quarantined
		rows = append(rows, `9,"Broken,Last9,x@y.z`) // unbalanced quote: unreadable
		rows = append(rows, "10,First10,Last10,user10@example.com")
		e.write("contacts.csv", append([]string{contactHeader}, rows...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		flow, cancelFlow, err := e.mesh.Subscribe(e.ctx, e.tenant)
		require.NoError(t, err)
		defer cancelFlow()

		// First sync: every good row becomes an event, the bad ones wait.
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, rep.Objects, 1)
		o := rep.Objects[0]
		require.Equal(t, "contacts", o.Object)
		require.Equal(t, "contact", o.Entity)
		require.Equal(t, 1, o.MappingVersion)
		require.Equal(t, 10, o.Read)
		require.Equal(t, 8, o.Events)
		require.Equal(t, 2, o.Quarantined)
		require.Empty(t, o.Errors)

		evs := e.events(e.tenant)
		require.Len(t, evs, 8)
		recs := byRecord(evs)
		require.NotContains(t, recs, "5")
		ev := recs["3"]
		require.Equal(t, "contact", ev.Entity)
		require.Equal(t, canonical.OpUpsert, ev.Op)
		require.Equal(t, "3", ev.Data["contact_id"])
		require.Equal(t, "First3", ev.Data["first_name"])
		require.Equal(t, "Last3", ev.Data["last_name"])
		require.Equal(t, "user3@example.com", ev.Data["email"], "email coerced to lower case")
		require.Equal(t, rep.TraceID, ev.Meta.TraceID)
		require.Equal(t, 1, ev.Meta.MappingVersion)
		require.Equal(t, e.tenant.String(), ev.Meta.TenantID)
		require.Equal(t, conn.ID.String(), ev.Source.ConnectionID)
		require.Equal(t, "contacts", ev.Source.Object)
		require.Equal(t, "filesource", ev.Source.System)
		require.Equal(t, canonical.EventID(e.tenant.String(), conn.ID.String(), "contacts", "3", ev.Source.RecordHash), ev.EventID)

		q, err := e.mesh.Quarantined(e.ctx, e.tenant, conn.ID, "contacts")
		require.NoError(t, err)
		require.Len(t, q, 2)
		qs := map[string]aam.QuarantinedRecord{}
		for _, r := range q {
			qs[r.RecordID] = r
		}
		bad := qs["5"]
		require.Contains(t, bad.Reason, `"email"`)
		require.Equal(t, "not-an-email", bad.Raw["email"])
		require.Equal(t, 1, bad.MappingVersion)
		require.Len(t, bad.Errors, 1)
		require.Equal(t, "email", bad.Errors[0].Field)
		var unreadable aam.QuarantinedRecord
		for id, r := range qs {
			if id != "5" {
				unreadable = r
			}
		}
		require.Contains(t, unreadable.RecordID, "contacts.csv:")
		require.Contains(t, unreadable.Reason, "unreadable record")
		require.Contains(t, unreadable.Raw["raw"], "Broken")

		stages := map[aam.Stage]int{}
		for _, f := range drain(flow) {
			require.Equal(t, e.tenant, f.TenantID)
			stages[f.Stage]++
			if f.Stage == aam.StageSync {
				require.Equal(t, 8, f.Count)
				require.Equal(t, 2, f.Errors)
				require.Equal(t, rep.TraceID, f.TraceID)
			}
		}
		for _, s := range []aam.Stage{aam.StageRead, aam.StageMap, aam.StageAppend, aam.StageQuarantine, aam.StageSync} {
			require.Positive(t, stages[s], "stage %s published", s)
		}

		// Second sync: nothing new.
		rep, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 0, rep.Total().Events)
		require.Equal(t, 0, rep.Total().Quarantined)
		require.Len(t, e.events(e.tenant), 8)

		// One row changed (the file is rewritten): exactly one new event,
		// and the bad rows are not quarantined twice.
		rows[2] = "3,Firstthree,Last3,USER3@Example.com"
		e.write("contacts.csv", append([]string{contactHeader}, rows...)...)
		rep, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		o = rep.Objects[0]
		require.True(t, o.Restarted, "the rewritten file is read again from its start")
		require.Equal(t, 1, o.Events)
		require.Equal(t, 7, o.Duplicates)
		require.Equal(t, 0, o.Quarantined)
		evs = e.events(e.tenant)
		require.Len(t, evs, 9)
		require.Equal(t, "Firstthree", evs[8].Data["first_name"])
		q, err = e.mesh.Quarantined(e.ctx, e.tenant, conn.ID, "")
		require.NoError(t, err)
		require.Len(t, q, 2)

		// Rows appended: the saved cursor stays valid, only they are read.
		e.appendLines("contacts.csv", contactRows(11, 3)...)
		rep, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		o = rep.Objects[0]
		require.False(t, o.Restarted)
		require.Equal(t, 3, o.Read)
		require.Equal(t, 3, o.Events)
		require.Len(t, e.events(e.tenant), 12)

		// The mapping is fixed (email left out): the quarantined record
		// becomes an event of version 2; the unreadable one stays.
		e.putMapping(e.tenant, conn.ID, "contacts", 1, contactMapping(false))
		rep, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		o = rep.Objects[0]
		require.Equal(t, 2, o.MappingVersion)
		require.Equal(t, 1, o.Resolved)
		require.Equal(t, 1, o.Events)
		evs = e.events(e.tenant)
		require.Len(t, evs, 13)
		five := byRecord(evs)["5"]
		require.Equal(t, 2, five.Meta.MappingVersion)
		require.Equal(t, "Last5", five.Data["last_name"])
		q, err = e.mesh.Quarantined(e.ctx, e.tenant, conn.ID, "contacts")
		require.NoError(t, err)
		require.Len(t, q, 1)
		require.Equal(t, unreadable.RecordID, q[0].RecordID)

		// Another tenant sees none of it.
		other := e.newTenant()
		_, err = e.mesh.Sync(e.ctx, other, conn.ID)
		require.ErrorIs(t, err, aam.ErrNotFound)
		none, err := e.mesh.Events(e.ctx, other, 0, 10, "")
		require.NoError(t, err)
		require.Empty(t, none)
		_, err = e.mesh.Connection(e.ctx, other, conn.ID)
		require.ErrorIs(t, err, aam.ErrNotFound)
	})
}

func TestSyncWithoutMappingsDoesNothing(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, nil)
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 3)...)...)
		conn := e.fileConnection(e.tenant)
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Empty(t, rep.Objects)
		require.Empty(t, e.events(e.tenant))
		_, err = e.mesh.Sync(e.ctx, e.tenant, uuid.New())
		require.ErrorIs(t, err, aam.ErrNotFound)
	})
}
