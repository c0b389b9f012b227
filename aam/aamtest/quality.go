package aamtest

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

// qualityTests hold QualityStore, and Append's Batch.Quality, to their
// contract.
var qualityTests = []test{
	{"WrittenWithTheBatch", testQualityWrittenWithBatch},
	{"Invalid", testQualityInvalid},
	{"TenantIsolation", testQualityTenantIsolation},
}

func qualityIssue(connection uuid.UUID, record, value string) aam.QualityIssue {
	return aam.QualityIssue{ConnectionID: connection, Object: "customers.csv", RecordID: record,
		Field: "phone", Source: "phone", Value: value, Reason: "not a phone number", EventID: uuid.NewString(),
		MappingVersion: 1, CreatedAt: now()}
}

func testQualityWrittenWithBatch(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	evs := opportunities(f.a.ID, c.ID, 2, 1)
	qs := []aam.QualityIssue{qualityIssue(c.ID, "ALFKI", "(1) 354-2534"), qualityIssue(c.ID, "BERGS", "0921-12 34 65")}
	_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: evs, Quality: qs})
	require.NoError(t, err)
	got, err := f.s.QualityIssues(f.ctx, f.a.ID, aam.QualityFilter{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i := range got {
		require.NotZero(t, got[i].ID)
		require.Equal(t, qs[i].RecordID, got[i].RecordID)
		require.Equal(t, qs[i].Value, got[i].Value)
		require.Equal(t, qs[i].Reason, got[i].Reason)
		require.Equal(t, qs[i].Field, got[i].Field)
		require.Equal(t, qs[i].Source, got[i].Source)
		require.Equal(t, qs[i].EventID, got[i].EventID)
		require.Equal(t, c.ID, got[i].ConnectionID)
		require.WithinDuration(t, qs[i].CreatedAt, got[i].CreatedAt, 0)
	}
	// The same issue again (a record read again) adds nothing.
	_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Quality: qs[:1]})
	require.NoError(t, err)
	got, err = f.s.QualityIssues(f.ctx, f.a.ID, aam.QualityFilter{ConnectionID: c.ID, Object: "customers.csv", Limit: 10})
	require.NoError(t, err)
	require.Len(t, got, 2)
	got, err = f.s.QualityIssues(f.ctx, f.a.ID, aam.QualityFilter{Object: "orders.csv"})
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = f.s.QualityIssues(f.ctx, f.a.ID, aam.QualityFilter{Limit: 1})
	require.NoError(t, err)
	require.Len(t, got, 1)
}

func testQualityInvalid(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	bad := qualityIssue(c.ID, "", "x")
	evs := opportunities(f.a.ID, c.ID, 1, 1)
	_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Events: evs, Quality: []aam.QualityIssue{bad}})
	require.ErrorIs(t, err, aam.ErrInvalid)
	require.Empty(t, f.readAll(t, f.a.ID), "a failed Append leaves no events")
	long := qualityIssue(c.ID, "r", strings.Repeat("x", aam.MaxQualityValue+10))
	_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Quality: []aam.QualityIssue{long}})
	require.ErrorIs(t, err, aam.ErrInvalid)
	// A connection of another tenant is refused.
	other := f.conn(t, f.b.ID, "crm")
	_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Quality: []aam.QualityIssue{qualityIssue(other.ID, "r", "x")}})
	require.ErrorIs(t, err, aam.ErrInvalid)
	got, err := f.s.QualityIssues(f.ctx, f.a.ID, aam.QualityFilter{})
	require.NoError(t, err)
	require.Empty(t, got)
}

func testQualityTenantIsolation(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	_, err := f.s.Append(f.ctx, f.a.ID, aam.Batch{Quality: []aam.QualityIssue{qualityIssue(c.ID, "r", "x")}})
	require.NoError(t, err)
	got, err := f.s.QualityIssues(f.ctx, f.b.ID, aam.QualityFilter{})
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = f.s.QualityIssues(context.Background(), uuid.Nil, aam.QualityFilter{})
	require.ErrorIs(t, err, aam.ErrInvalid)
}
