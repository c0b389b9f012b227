package aam_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

func TestSyncLenientOptionalFields(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, nil)
		e.write("contacts.csv", contactHeader,
			"1,Ada,Lovelace,ada@example.com",
			"2,Alan,Turing,not-an-email",
			"3,Grace,,grace@example.com") // required last_name missing
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		o := rep.Objects[0]
		require.Equal(t, 2, o.Events)
		require.Equal(t, 1, o.Quarantined, "required fields still quarantine")
		require.Equal(t, 1, o.QualityIssues)

		ev := byRecord(e.events(e.tenant))["2"]
		require.NotContains(t, ev.Data, "email")
		require.Equal(t, "not-an-email", ev.Extras["email"], "the raw value is kept in extras")
		issues, err := e.mesh.QualityIssues(e.ctx, e.tenant, aam.QualityFilter{})
		require.NoError(t, err)
		require.Len(t, issues, 1)
		q := issues[0]
		require.Equal(t, conn.ID, q.ConnectionID)
		require.Equal(t, "contacts", q.Object)
		require.Equal(t, "2", q.RecordID)
		require.Equal(t, "email", q.Field)
		require.Equal(t, "email", q.Source)
		require.Equal(t, "not-an-email", q.Value)
		require.Contains(t, q.Reason, "@")
		require.Equal(t, ev.EventID, q.EventID)

		// Reading again adds no issue.
		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		issues, err = e.mesh.QualityIssues(e.ctx, e.tenant, aam.QualityFilter{})
		require.NoError(t, err)
		require.Len(t, issues, 1)
	})
}

func TestSyncStrictTenantQuarantines(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		var strictTenant uuid.UUID
		e := setup(t, kind, &aam.Options{QualityPolicy: func(t uuid.UUID) aam.QualityPolicy {
			if t == strictTenant {
				return aam.QualityStrict
			}
			return aam.QualityLenient
		}})
		strictTenant = e.tenant
		e.write("contacts.csv", contactHeader, "1,Ada,Lovelace,ada@example.com", "2,Alan,Turing,not-an-email")
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Objects[0].Events)
		require.Equal(t, 1, rep.Objects[0].Quarantined)
		require.Zero(t, rep.Objects[0].QualityIssues)
		issues, err := e.mesh.QualityIssues(e.ctx, e.tenant, aam.QualityFilter{})
		require.NoError(t, err)
		require.Empty(t, issues)
	})
}
