package aam_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// peopleRows returns CSV rows contact_id,given,last_name,contact_note,mail
// for records from..from+n-1: the matcher is sure of the id, the last name
// and the mail, and not of "given" (first_name), which it sends to review.
func peopleRows(from, n int) []string {
	rows := []string{"contact_id,given,last_name,contact_note,mail"}
	for i := from; i < from+n; i++ {
		rows = append(rows, fmt.Sprintf("P%d,Given%d,Family%d,note %d,person%d@example.com", i, i, i, i, i))
	}
	return rows
}

func TestProposeMappingsAppliesSureFieldsAndQueuesTheRest(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		e.write("people.csv", peopleRows(1, 10)...)
		conn := e.fileConnection(e.tenant)
		key := aam.MappingKey{ConnectionID: conn.ID, Object: "people"}

		report, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, nil)
		require.NoError(t, err)
		require.Len(t, report.Objects, 1)
		o := report.Objects[0]
		require.Equal(t, aam.BulkApplied, o.Status, o.Reason)
		require.Equal(t, "contact", o.Entity)
		require.Equal(t, 1, o.Version)
		require.Len(t, o.Proposals, 1, "one field waits for review")
		require.Equal(t, "1 field mappings wait for review", o.Reason)

		// Version 1 holds the sure fields only, and they cover the
		// required ones.
		v, err := e.mesh.ActiveMapping(e.ctx, e.tenant, key)
		require.NoError(t, err)
		require.Equal(t, 1, v.Version)
		require.Equal(t, aam.BulkAuthor, v.Author)
		for _, f := range v.Mapping.Fields {
			require.Equal(t, canonical.OriginAuto, f.Origin, f.Target)
		}
		for target, source := range map[string]string{"contact_id": "contact_id", "last_name": "last_name", "email": "mail"} {
			f, ok := v.Mapping.Field(target)
			require.True(t, ok, target)
			require.Equal(t, source, f.Source, target)
		}
		_, ok := v.Mapping.Field("first_name")
		require.False(t, ok, "the field under review is not applied")

		// The review-level field waits in the queue on top of version 1.
		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		p := pending[0]
		require.Equal(t, o.Proposals[0], p.ID)
		require.Equal(t, aam.ProposalBulk, p.Kind)
		require.Equal(t, "given", p.SourceField)
		require.Equal(t, "first_name", p.Target)
		require.Equal(t, "review", p.Decision)
		require.Equal(t, 1, p.BaseVersion)
		require.NotEmpty(t, p.Evidence)

		// The records flow while the review waits.
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 10, rep.Total().Events)
		by := byContactID(t, e.events(e.tenant))
		require.Len(t, by, 10)
		for i := 1; i <= 10; i++ {
			ev, ok := by[fmt.Sprintf("P%d", i)]
			require.True(t, ok, "record P%d has an event", i)
			require.Equal(t, fmt.Sprintf("Family%d", i), ev.Data["last_name"])
			require.Equal(t, fmt.Sprintf("person%d@example.com", i), ev.Data["email"])
			require.NotContains(t, ev.Data, "first_name", "not mapped yet")
		}

		// Approving the review makes version 2 with the reviewed field and
		// keeps the sure ones.
		got, err := e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
		require.NoError(t, err)
		require.Equal(t, aam.StatusApplied, got.Status)
		require.Equal(t, 2, got.AppliedVersion)
		v, err = e.mesh.ActiveMapping(e.ctx, e.tenant, key)
		require.NoError(t, err)
		require.Equal(t, 2, v.Version)
		fn, ok := v.Mapping.Field("first_name")
		require.True(t, ok)
		require.Equal(t, "given", fn.Source)
		require.Equal(t, canonical.OriginReviewed, fn.Origin)
		id, ok := v.Mapping.Field("contact_id")
		require.True(t, ok)
		require.Equal(t, canonical.OriginAuto, id.Origin)
		pending, err = e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Empty(t, pending)

		// Records read after the approval carry the reviewed field.
		e.appendLines("people.csv", peopleRows(11, 2)[1:]...)
		rep, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 2, rep.Total().Events)
		by = byContactID(t, e.events(e.tenant))
		for i := 11; i <= 12; i++ {
			ev, ok := by[fmt.Sprintf("P%d", i)]
			require.True(t, ok, "record P%d has an event", i)
			require.Equal(t, fmt.Sprintf("Given%d", i), ev.Data["first_name"])
		}

		// A second run leaves the mapped object alone.
		again, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, nil)
		require.NoError(t, err)
		require.Equal(t, aam.BulkMapped, again.Objects[0].Status)
	})
}

// byContactID indexes contact events by their canonical contact_id, each
// at most once.
func byContactID(t *testing.T, evs []aam.StoredEvent) map[string]aam.StoredEvent {
	t.Helper()
	m := make(map[string]aam.StoredEvent, len(evs))
	for _, ev := range evs {
		id, _ := ev.Data["contact_id"].(string)
		require.NotContains(t, m, id, "one event per record")
		m[id] = ev
	}
	return m
}
