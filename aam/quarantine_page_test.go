package aam_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

// pagedOnly is a store that counts whole-quarantine reads and the largest
// quarantine page asked for.
type pagedOnly struct {
	aam.Store
	whole   atomic.Int64
	largest atomic.Int64
	pages   atomic.Int64
}

func (s *pagedOnly) Quarantined(ctx context.Context, tenant, connection uuid.UUID, object string) ([]aam.QuarantinedRecord, error) {
	s.whole.Add(1)
	return s.Store.Quarantined(ctx, tenant, connection, object)
}

func (s *pagedOnly) QuarantinePage(ctx context.Context, tenant, connection uuid.UUID, object string, after int64, limit int) ([]aam.QuarantinedRecord, error) {
	s.pages.Add(1)
	for {
		old := s.largest.Load()
		if int64(limit) <= old || s.largest.CompareAndSwap(old, int64(limit)) {
			break
		}
	}
	return s.Store.QuarantinePage(ctx, tenant, connection, object, after, limit)
}

// TestSyncPagesThroughTheQuarantine: Sync never loads an object's whole
// quarantine; it reads it in pages of at most BatchSize records, and every
// quarantined record is still retried and released.
func TestSyncPagesThroughTheQuarantine(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		// Strict: the invalid optional e-mails quarantine their records.
		e := setup(t, kind, &aam.Options{BatchSize: 3, QualityPolicy: strict})
		wrapped := &pagedOnly{Store: e.store}
		var err error
		e.mesh, err = aam.New(e.canon, e.conns, wrapped, &aam.Options{BatchSize: 3, QualityPolicy: strict})
		require.NoError(t, err)
		rows := make([]string, 0, 11)
		for i := 1; i <= 11; i++ {
			rows = append(rows, fmt.Sprintf("%d,First%d,Last%d,not-an-email-%d", i, i, i, i))
		}
		e.write("contacts.csv", append([]string{contactHeader}, rows...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		r := e.sync(conn.ID)
		require.Equal(t, 11, r.Quarantined)
		require.Zero(t, r.Events)

		e.putMapping(e.tenant, conn.ID, "contacts", 1, contactMapping(false))
		r = e.sync(conn.ID)
		require.Equal(t, 11, r.Resolved, "%+v", r)
		require.Equal(t, 11, r.Events)

		require.Zero(t, wrapped.whole.Load(), "Sync read a whole quarantine")
		require.Equal(t, int64(3), wrapped.largest.Load(), "pages of at most BatchSize records")
		require.Greater(t, wrapped.pages.Load(), int64(4), "the quarantine was read in several pages")
	})
}
