package aamtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// readAll returns the tenant's whole stream.
func (f *fixture) readAll(t *testing.T, tenant uuid.UUID) []aam.StoredEvent {
	t.Helper()
	evs, err := f.s.ReadEvents(f.ctx, tenant, 0, 1<<20, "")
	require.NoError(t, err)
	return evs
}

// eventIDs returns the event ids of stored events, in order.
func eventIDs(evs []aam.StoredEvent) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.EventID
	}
	return ids
}

func opportunities(tenant, connection uuid.UUID, n, rev int) []canonical.Event {
	evs := make([]canonical.Event, n)
	for i := range evs {
		evs[i] = opportunity(tenant, connection, "Opportunity", fmt.Sprintf("006%03d", i), rev)
	}
	return evs
}

func quarantined(connection uuid.UUID, object, recordID, reason string) aam.QuarantinedRecord {
	return aam.QuarantinedRecord{
		ConnectionID: connection,
		Object:       object,
		RecordID:     recordID,
		Raw:          map[string]any{"Id": recordID, "Email": "not-an-email", "Amount": 12.5, "Tags": []any{"a", "b"}},
		Reason:       reason,
		Errors: []aam.QuarantineFieldError{
			{Field: "email", Source: "Email", Value: "not-an-email", Reason: "invalid email"},
			{Field: "account_name", Reason: "required field has no value"},
		},
		MappingVersion: 1,
	}
}

var eventTests = []test{
	{"AppendAndRead", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		require.Empty(t, f.readAll(t, f.a.ID), "a new stream is empty")
		batch := opportunities(f.a.ID, c.ID, 3, 0)
		res, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: batch})
		require.NoError(t, err)
		require.Equal(t, 3, res.Appended)
		require.Zero(t, res.Duplicates)

		got := f.readAll(t, f.a.ID)
		require.Len(t, got, 3)
		for i, e := range got {
			requireSameEvent(t, batch[i], e.Event)
			if i > 0 {
				require.Greater(t, e.Offset, got[i-1].Offset, "offsets increase in batch order")
			}
		}
		require.Greater(t, got[0].Offset, int64(0))
		require.Equal(t, got[2].Offset, res.LastOffset)
	}},
	{"Idempotent", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		batch := opportunities(f.a.ID, c.ID, 3, 0)
		first, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: batch})
		require.NoError(t, err)

		again, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: batch})
		require.NoError(t, err)
		require.Zero(t, again.Appended, "the same content again is a no-op")
		require.Equal(t, 3, again.Duplicates)
		require.Equal(t, first.LastOffset, again.LastOffset)
		require.Len(t, f.readAll(t, f.a.ID), 3)

		// One record changed: a new hash, a new event id, one new event.
		changed := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 1)
		require.NotEqual(t, batch[1].EventID, changed.EventID)
		mixed := []canonical.Event{batch[0], changed, batch[2]}
		res, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: mixed})
		require.NoError(t, err)
		require.Equal(t, 1, res.Appended)
		require.Equal(t, 2, res.Duplicates)
		require.Greater(t, res.LastOffset, first.LastOffset)
		all := f.readAll(t, f.a.ID)
		require.Len(t, all, 4)
		requireSameEvent(t, changed, all[3].Event)
		require.Equal(t, res.LastOffset, all[3].Offset)
	}},
	{"DuplicateWithinBatch", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		e := opportunity(f.a.ID, c.ID, "Opportunity", "006001", 0)
		other := opportunity(f.a.ID, c.ID, "Opportunity", "006002", 0)
		res, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: []canonical.Event{e, other, e}})
		require.NoError(t, err)
		require.Equal(t, 2, res.Appended)
		require.Equal(t, 1, res.Duplicates)
		require.Equal(t, []string{e.EventID, other.EventID}, eventIDs(f.readAll(t, f.a.ID)))
	}},
	{"ReadFilters", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		var batch []canonical.Event
		for i := range 6 {
			if i%2 == 0 {
				batch = append(batch, opportunity(f.a.ID, c.ID, "Opportunity", fmt.Sprintf("006%d", i), 0))
			} else {
				batch = append(batch, account(f.a.ID, c.ID, fmt.Sprintf("001%d", i)))
			}
		}
		_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: batch})
		require.NoError(t, err)
		all := f.readAll(t, f.a.ID)
		require.Len(t, all, 6)

		after, err := f.s.ReadEvents(f.ctx, f.a.ID, all[1].Offset, 100, "")
		require.NoError(t, err)
		require.Equal(t, eventIDs(all[2:]), eventIDs(after), "after an offset")

		page, err := f.s.ReadEvents(f.ctx, f.a.ID, all[1].Offset, 2, "")
		require.NoError(t, err)
		require.Equal(t, eventIDs(all[2:4]), eventIDs(page), "limit")

		accounts, err := f.s.ReadEvents(f.ctx, f.a.ID, 0, 100, "account")
		require.NoError(t, err)
		require.Equal(t, eventIDs([]aam.StoredEvent{all[1], all[3], all[5]}), eventIDs(accounts), "entity filter")
		for i, e := range accounts {
			requireSameEvent(t, batch[2*i+1], e.Event)
		}
		accounts, err = f.s.ReadEvents(f.ctx, f.a.ID, all[3].Offset, 1, "account")
		require.NoError(t, err)
		require.Equal(t, []string{all[5].EventID}, eventIDs(accounts), "entity filter, after and limit")

		end, err := f.s.ReadEvents(f.ctx, f.a.ID, all[5].Offset, 100, "")
		require.NoError(t, err)
		require.Empty(t, end, "nothing after the last offset")
		none, err := f.s.ReadEvents(f.ctx, f.a.ID, 0, 100, "invoice")
		require.NoError(t, err)
		require.Empty(t, none)
	}},
	{"Checkpoint", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		cur, err := f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor(""), cur, "no checkpoint: the empty cursor")

		batch := opportunities(f.a.ID, c.ID, 2, 0)
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Events:     batch,
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "offset:120"},
		})
		require.NoError(t, err)
		cur, err = f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor("offset:120"), cur)

		// A batch without events still moves the cursor.
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "offset:240"},
		})
		require.NoError(t, err)
		cur, err = f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor("offset:240"), cur)

		other, err := f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Account")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor(""), other, "checkpoints are per object")
	}},
	{"LastFullPass", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		last, err := f.s.LastFullPass(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.True(t, last.IsZero(), "no checkpoint: no full pass")

		// The first checkpoint without a full pass records its write time.
		before := time.Now().Add(-time.Minute)
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "offset:1"},
		})
		require.NoError(t, err)
		last, err = f.s.LastFullPass(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.WithinRange(t, last, before, time.Now().Add(time.Minute))

		// A checkpoint ending a full pass records the pass's start ...
		at := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "offset:2", FullPassAt: at},
		})
		require.NoError(t, err)
		// ... which later checkpoints without one keep.
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "offset:3"},
		})
		require.NoError(t, err)
		last, err = f.s.LastFullPass(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.True(t, last.Equal(at), "%v", last)

		other, err := f.s.LastFullPass(f.ctx, f.b.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.True(t, other.IsZero(), "another tenant sees none")
	}},
	{"AtomicOnInvalidEvent", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		base := opportunities(f.a.ID, c.ID, 2, 0)
		_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Events:     base,
			Quarantine: []aam.QuarantinedRecord{quarantined(c.ID, "Opportunity", "bad-1", "invalid email")},
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "before"},
		})
		require.NoError(t, err)
		q, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Len(t, q, 1)

		badID := opportunity(f.a.ID, c.ID, "Opportunity", "006900", 0)
		badID.EventID = "not-a-uuid"
		foreign := opportunity(f.a.ID, c.ID, "Opportunity", "006901", 0)
		foreign.Meta.TenantID = f.b.ID.String()
		badOp := opportunity(f.a.ID, c.ID, "Opportunity", "006902", 0)
		badOp.Op = "merge"
		for name, bad := range map[string]canonical.Event{"event id": badID, "tenant": foreign, "op": badOp} {
			fresh := opportunities(f.a.ID, c.ID, 3, 5) // new content, so new ids
			_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{
				Events:     append(fresh, bad),
				Quarantine: []aam.QuarantinedRecord{quarantined(c.ID, "Opportunity", "bad-2", "invalid email")},
				Resolved:   []int64{q[0].ID},
				Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "after"},
			})
			requireIs(t, err, aam.ErrInvalid, "invalid "+name)

			require.Equal(t, eventIDs(f.readAll(t, f.a.ID)), []string{base[0].EventID, base[1].EventID}, "no event of a failed batch")
			cur, err := f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Opportunity")
			require.NoError(t, err)
			require.Equal(t, connectors.Cursor("before"), cur, "no checkpoint of a failed batch")
			after, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
			require.NoError(t, err)
			require.Len(t, after, 1, "no quarantine change of a failed batch")
			require.Equal(t, q[0].ID, after[0].ID)
		}
	}},
	{"AtomicOnCancel", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		_, err := f.s.Append(ctx, f.a.ID, aam.Batch{
			Events:     opportunities(f.a.ID, c.ID, 50, 0),
			Quarantine: []aam.QuarantinedRecord{quarantined(c.ID, "Opportunity", "bad-1", "invalid email")},
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "after"},
		})
		require.Error(t, err)
		require.Empty(t, f.readAll(t, f.a.ID))
		cur, err := f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor(""), cur)
		q, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Empty(t, q)
	}},
	{"Quarantine", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		c2 := f.conn(t, f.a.ID, "other")
		q, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Empty(t, q)

		recs := []aam.QuarantinedRecord{
			quarantined(c.ID, "Contact", "003001", "invalid email"),
			quarantined(c.ID, "Account", "001001", "missing account name"),
			quarantined(c.ID, "Contact", "003002", "invalid phone"),
			quarantined(c2.ID, "Contact", "003003", "elsewhere"),
		}
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Quarantine: recs[:2]})
		require.NoError(t, err)
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Quarantine: recs[2:]})
		require.NoError(t, err)

		all, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Len(t, all, 3, "every object of the connection, not other connections")
		seen := map[int64]bool{}
		for i, r := range all {
			want := recs[i]
			require.NotZero(t, r.ID)
			require.False(t, seen[r.ID], "ids are distinct")
			seen[r.ID] = true
			require.Equal(t, want.ConnectionID, r.ConnectionID)
			require.Equal(t, want.Object, r.Object)
			require.Equal(t, want.RecordID, r.RecordID, "oldest first")
			requireJSONEq(t, want.Raw, r.Raw)
			require.Equal(t, want.Reason, r.Reason)
			require.Equal(t, want.Errors, r.Errors)
			require.Equal(t, want.MappingVersion, r.MappingVersion)
			require.False(t, r.CreatedAt.IsZero())
		}
		contacts, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "Contact")
		require.NoError(t, err)
		require.Len(t, contacts, 2)
		require.Equal(t, "003001", contacts[0].RecordID)
		require.Equal(t, "003002", contacts[1].RecordID)

		// The record failing again keeps one entry, with the new reason.
		again := quarantined(c.ID, "Contact", "003001", "still invalid")
		again.MappingVersion = 2
		again.Errors = nil
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Quarantine: []aam.QuarantinedRecord{again}})
		require.NoError(t, err)
		contacts, err = f.s.Quarantined(f.ctx, f.a.ID, c.ID, "Contact")
		require.NoError(t, err)
		require.Len(t, contacts, 2)
		require.Equal(t, all[0].ID, contacts[0].ID, "same entry")
		require.Equal(t, "still invalid", contacts[0].Reason)
		require.Equal(t, 2, contacts[0].MappingVersion)
		require.Empty(t, contacts[0].Errors)

		// Resolving: the records became events in the same batch.
		fixed := opportunity(f.a.ID, c.ID, "Contact", "003001", 0)
		res, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Events:   []canonical.Event{fixed},
			Resolved: []int64{all[0].ID, all[1].ID},
		})
		require.NoError(t, err)
		require.Equal(t, 1, res.Appended)
		left, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Len(t, left, 1)
		require.Equal(t, all[2].ID, left[0].ID)
		other, err := f.s.Quarantined(f.ctx, f.a.ID, c2.ID, "")
		require.NoError(t, err)
		require.Len(t, other, 1)
		require.Equal(t, "003003", other[0].RecordID)
	}},
	{"ConcurrentAppenders", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		const appenders, batches, size = 4, 5, 20
		type batchRef struct{ ids []string }
		var (
			mu        sync.Mutex
			committed []batchRef
		)
		done := make(chan struct{})
		var readerErr error
		var seen []aam.StoredEvent
		var readers sync.WaitGroup
		readers.Go(func() {
			// Tail the stream while it grows: never a lower offset than one
			// already read, never an event twice, none skipped.
			var last int64
			for {
				// Read once more after the appenders finished: that read
				// must find everything not seen yet.
				finished := false
				select {
				case <-done:
					finished = true
				default:
				}
				evs, err := f.s.ReadEvents(f.ctx, f.a.ID, last, 7, "")
				if err != nil {
					readerErr = err
					return
				}
				for _, e := range evs {
					if e.Offset <= last {
						readerErr = fmt.Errorf("offset %d after %d", e.Offset, last)
						return
					}
					last = e.Offset
					seen = append(seen, e)
				}
				if finished && len(evs) == 0 {
					return
				}
			}
		})
		var wg sync.WaitGroup
		errs := make(chan error, appenders*batches)
		for w := range appenders {
			wg.Go(func() {
				for b := range batches {
					evs := make([]canonical.Event, size)
					ids := make([]string, size)
					for i := range evs {
						evs[i] = opportunity(f.a.ID, c.ID, "Opportunity", fmt.Sprintf("w%d-b%d-r%02d", w, b, i), 0)
						ids[i] = evs[i].EventID
					}
					res, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: evs})
					if err == nil && res.Appended != size {
						err = fmt.Errorf("appended %d of %d", res.Appended, size)
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					committed = append(committed, batchRef{ids: ids})
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(done)
		readers.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.NoError(t, readerErr)

		all := f.readAll(t, f.a.ID)
		require.Len(t, all, appenders*batches*size)
		require.Equal(t, eventIDs(all), eventIDs(seen), "the tailing reader saw every event once, in order")
		// Each batch occupies consecutive positions, in batch order.
		pos := map[string]int{}
		for i, e := range all {
			pos[e.EventID] = i
		}
		for _, b := range committed {
			start := pos[b.ids[0]]
			for i, id := range b.ids {
				require.Equal(t, start+i, pos[id], "batch events are contiguous and in order")
			}
		}
	}},
	{"Isolation", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		evs := opportunities(f.a.ID, c.ID, 3, 0)
		_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Events:     evs,
			Quarantine: []aam.QuarantinedRecord{quarantined(c.ID, "Opportunity", "bad-1", "invalid email")},
			Checkpoint: &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: "offset:3"},
		})
		require.NoError(t, err)

		require.Empty(t, f.readAll(t, f.b.ID), "B reads A's stream")
		cur, err := f.s.Checkpoint(f.ctx, f.b.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor(""), cur, "B reads A's checkpoint")
		q, err := f.s.Quarantined(f.ctx, f.b.ID, c.ID, "")
		require.NoError(t, err)
		require.Empty(t, q, "B reads A's quarantine")

		_, err = f.s.Append(f.ctx, f.b.ID, aam.Batch{Events: evs})
		requireIs(t, err, aam.ErrInvalid, "B appends events of A")

		cb := f.conn(t, f.b.ID, "crm")
		bevs := opportunities(f.b.ID, cb.ID, 2, 0)
		_, err = f.s.Append(f.ctx, f.b.ID, aam.Batch{Events: bevs})
		require.NoError(t, err)
		require.Equal(t, []string{bevs[0].EventID, bevs[1].EventID}, eventIDs(f.readAll(t, f.b.ID)))
		require.Equal(t, []string{evs[0].EventID, evs[1].EventID, evs[2].EventID}, eventIDs(f.readAll(t, f.a.ID)))

		// B resolving A's quarantined record changes nothing.
		aq, err := f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Len(t, aq, 1)
		_, err = f.s.Append(f.ctx, f.b.ID, aam.Batch{Resolved: []int64{aq[0].ID}})
		require.NoError(t, err)
		aq, err = f.s.Quarantined(f.ctx, f.a.ID, c.ID, "")
		require.NoError(t, err)
		require.Len(t, aq, 1)
	}},
}
