package aamtest

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// deletion builds the delete event of a record, as the pipeline makes it.
func deletion(tenant, connection uuid.UUID, object, recordID string) canonical.Event {
	return aam.DeleteEvent("opportunity", 1, canonical.RecordMeta{
		TenantID: tenant.String(), ConnectionID: connection.String(), System: "salesforce",
		Object: object, RecordID: recordID, TraceID: "trace-delete",
	}, now())
}

// append1 appends events and checks how many were new.
func (f *fixture) append1(t *testing.T, tenant uuid.UUID, appended int, evs ...canonical.Event) {
	t.Helper()
	res, err := f.s.Append(f.ctx, tenant, aam.Batch{Events: evs})
	require.NoError(t, err)
	require.Equal(t, appended, res.Appended, "appended")
	require.Equal(t, len(evs)-appended, res.Duplicates, "duplicates")
}

// latestTests: the stream deduplicates against a record's latest version,
// not against every version it ever had.
var latestTests = []test{
	{"ChangedBackIsAppended", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		a := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 0)
		b := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 1)
		f.append1(t, f.a.ID, 1, a)
		f.append1(t, f.a.ID, 1, b)
		f.append1(t, f.a.ID, 1, a) // A -> B -> A: the record is A again
		f.append1(t, f.a.ID, 0, a) // and A again is nothing new
		all := f.readAll(t, f.a.ID)
		require.Equal(t, []string{a.EventID, b.EventID, a.EventID}, eventIDs(all))
		requireSameEvent(t, a, all[2].Event)
	}},
	{"VersionsWithinOneBatch", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		a := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 0)
		b := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 1)
		other := opportunity(f.a.ID, c.ID, "Opportunity", "006002", 0)
		f.append1(t, f.a.ID, 1, a)
		// The first A equals the latest version; B and A after it are
		// changes; the repeated A right after A is not.
		f.append1(t, f.a.ID, 3, a, b, other, a, a)
		require.Equal(t, []string{a.EventID, b.EventID, other.EventID, a.EventID}, eventIDs(f.readAll(t, f.a.ID)))
		f.append1(t, f.a.ID, 0, other, a)
	}},
	{"Deletes", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		a := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 0)
		del := deletion(f.a.ID, c.ID, "Opportunity", "006001")
		f.append1(t, f.a.ID, 0, deletion(f.a.ID, c.ID, "Opportunity", "never-seen")) // nothing to delete
		f.append1(t, f.a.ID, 1, a)
		f.append1(t, f.a.ID, 1, del)
		f.append1(t, f.a.ID, 0, del) // deleted already
		f.append1(t, f.a.ID, 1, a)   // back again
		f.append1(t, f.a.ID, 2, del, a)
		all := f.readAll(t, f.a.ID)
		require.Len(t, all, 5)
		require.Equal(t, canonical.OpDelete, all[1].Op)
		require.Equal(t, "006001", all[1].Source.RecordID)
		require.Equal(t, canonical.OpUpsert, all[4].Op)
	}},
	{"LatestIsPerObjectAndConnection", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		c2 := f.conn(t, f.a.ID, "crm2")
		a := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 0)
		b := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 1)
		sameIDOtherObject := opportunity(f.a.ID, c.ID, "Deal", "006001", 1)
		sameIDOtherConn := opportunity(f.a.ID, c2.ID, "Opportunity", "006001", 1)
		f.append1(t, f.a.ID, 3, a, sameIDOtherObject, sameIDOtherConn)
		f.append1(t, f.a.ID, 1, b, sameIDOtherObject, sameIDOtherConn)
		f.append1(t, f.a.ID, 1, a)
		// Tenant B's stream knows nothing of A's versions.
		bA := opportunity(f.b.ID, c.ID, "Opportunity", "006001", 0)
		f.append1(t, f.b.ID, 1, bA)
	}},
	{"LiveRecords", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		ids := []string{"b", "a", "B", "é", "a0", "z"}
		var evs []canonical.Event
		for _, id := range ids {
			evs = append(evs, opportunity(f.a.ID, c.ID, "Opportunity", id, 0))
		}
		evs = append(evs, opportunity(f.a.ID, c.ID, "Deal", "other-object", 0))
		f.append1(t, f.a.ID, len(evs), evs...)
		f.append1(t, f.a.ID, 1, deletion(f.a.ID, c.ID, "Opportunity", "a0"))
		var got []string
		after := ""
		for {
			page, err := f.s.LiveRecords(f.ctx, f.a.ID, c.ID, "Opportunity", after, 2)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1]
		}
		require.Equal(t, []string{"B", "a", "b", "z", "é"}, got, "live ids in byte order, the deleted one left out")
		none, err := f.s.LiveRecords(f.ctx, f.b.ID, c.ID, "Opportunity", "", 10)
		require.NoError(t, err)
		require.Empty(t, none, "another tenant sees none")
		_, err = f.s.LiveRecords(f.ctx, f.a.ID, c.ID, "Opportunity", "", 0)
		requireIs(t, err, aam.ErrInvalid)
	}},
	{"QuarantinePage", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		var recs []aam.QuarantinedRecord
		for i := range 5 {
			recs = append(recs, quarantined(c.ID, "Opportunity", fmt.Sprintf("bad-%d", i), "invalid email"))
		}
		recs = append(recs, quarantined(c.ID, "Account", "bad-account", "invalid email"))
		_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Quarantine: recs})
		require.NoError(t, err)
		all, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Len(t, all, 5)
		var paged []aam.QuarantinedRecord
		var after int64
		for {
			page, err := f.s.QuarantinePage(f.ctx, f.a.ID, c.ID, "Opportunity", after, 2)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			after = page[len(page)-1].ID
		}
		require.Equal(t, all, paged, "the pages, in order, are the whole list")
		every, err := f.s.QuarantinePage(f.ctx, f.a.ID, c.ID, "", 0, 100)
		require.NoError(t, err)
		require.Len(t, every, 6, "every object of the connection")
		none, err := f.s.QuarantinePage(f.ctx, f.b.ID, c.ID, "", 0, 100)
		require.NoError(t, err)
		require.Empty(t, none, "another tenant sees none")
		_, err = f.s.QuarantinePage(f.ctx, f.a.ID, c.ID, "", 0, 0)
		requireIs(t, err, aam.ErrInvalid)
	}},
}
