package aam_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

func TestProposeMappingsOnFreshCSVDirectory(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		accounts := []string{"account_id,account_name,website,industry,annual_revenue,country"}
		contacts := []string{"contact_id,account_id,first_name,last_name,email,phone"}
		for i := 1; i <= 12; i++ {
			accounts = append(accounts, fmt.Sprintf("A%03d,Company %d Inc,https://company%d.example.com,Software,%d000.50,Germany", i, i, i, i*17))
			contacts = append(contacts, fmt.Sprintf("C%03d,A%03d,First%d,Last%d,first%d@company%d.example.com,+49 30 1234%04d", i, i, i, i, i, i, i))
		}
		e.write("accounts.csv", accounts...)
		e.write("contacts.csv", contacts...)
		conn := e.fileConnection(e.tenant)

		report, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, nil)
		require.NoError(t, err)
		require.Equal(t, conn.ID, report.ConnectionID)
		require.Len(t, report.Objects, 2)
		entities := map[string]string{}
		for _, o := range report.Objects {
			entities[o.Object] = o.Entity
			key := aam.MappingKey{ConnectionID: conn.ID, Object: o.Object}
			switch o.Status {
			case aam.BulkApplied:
				v, err := e.mesh.ActiveMapping(e.ctx, e.tenant, key)
				require.NoError(t, err)
				require.Equal(t, 1, v.Version)
				require.Equal(t, o.Version, v.Version)
				require.Equal(t, aam.BulkAuthor, v.Author)
				require.Equal(t, o.Entity, v.Mapping.Entity)
				require.NotEmpty(t, v.Evidence)
				for _, f := range v.Mapping.Fields {
					require.Equal(t, canonical.OriginAuto, f.Origin, f.Target)
					require.GreaterOrEqual(t, f.Confidence, 0.85, f.Target)
				}
			case aam.BulkProposed:
				require.NotEmpty(t, o.Proposals)
				for _, id := range o.Proposals {
					p, err := e.mesh.Review(e.ctx, e.tenant, id)
					require.NoError(t, err)
					require.Equal(t, aam.ProposalBulk, p.Kind)
					require.Equal(t, o.Object, p.Object)
					require.Contains(t, []aam.ProposalStatus{aam.StatusPending, aam.StatusApproved}, p.Status)
				}
				_, err := e.mesh.ActiveMapping(e.ctx, e.tenant, key)
				require.ErrorIs(t, err, aam.ErrNotFound)
			default:
				t.Fatalf("object %s: unexpected status %s (%s)", o.Object, o.Status, o.Reason)
			}
		}
		require.Equal(t, map[string]string{"accounts": "account", "contacts": "contact"}, entities)

		// Bring every object to a mapping by approving what waits, then the
		// records flow.
		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		for _, p := range pending {
			_, err := e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
			require.NoError(t, err, "approve %s -> %s", p.SourceField, p.Target)
		}
		mvs, err := e.mesh.Mappings(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, mvs, 2, "both objects are mapped")
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 24, rep.Total().Events, "every record becomes an event")

		// A second run leaves mapped objects alone.
		again, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, nil)
		require.NoError(t, err)
		for _, o := range again.Objects {
			require.Equal(t, aam.BulkMapped, o.Status, o.Object)
		}
	})
}

func TestProposeMappingsRecordsReviewsAndApprovalCompletesMapping(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		// Terse headers: the matcher is sure of the id and the email, not
		// of the names; last_name is required, so nothing applies yet.
		people := []string{"contact_id,given,family,contact_note,mail"}
		things := []string{"ref,label,misc"}
		for i := 1; i <= 10; i++ {
			people = append(people, fmt.Sprintf("P%d,Given%d,Family%d,note %d,person%d@example.com", i, i, i, i, i))
			things = append(things, fmt.Sprintf("K%d,Thing %d,%d", i, i, i*3))
		}
		e.write("people.csv", people...)
		e.write("things.csv", things...)
		conn := e.fileConnection(e.tenant)
		report, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, nil)
		require.NoError(t, err)
		require.Len(t, report.Objects, 2)
		byObject := map[string]aam.BulkObject{}
		for _, o := range report.Objects {
			byObject[o.Object] = o
		}
		require.NotEqual(t, aam.BulkApplied, byObject["things"].Status, "a vague object is not mapped automatically")
		o := byObject["people"]
		require.Equal(t, aam.BulkProposed, o.Status, o.Reason)
		require.Equal(t, "contact", o.Entity)
		require.NotEmpty(t, o.Proposals)
		key := aam.MappingKey{ConnectionID: conn.ID, Object: "people"}
		_, err = e.mesh.ActiveMapping(e.ctx, e.tenant, key)
		require.ErrorIs(t, err, aam.ErrNotFound, "nothing applied")

		var pending []aam.Proposal
		for _, id := range o.Proposals {
			p, err := e.mesh.Review(e.ctx, e.tenant, id)
			require.NoError(t, err)
			require.Equal(t, aam.ProposalBulk, p.Kind)
			switch p.Status {
			case aam.StatusApproved:
				require.Equal(t, "auto", p.Decision)
				require.Equal(t, aam.BulkAuthor, p.DecidedBy)
			case aam.StatusPending:
				require.Equal(t, "review", p.Decision)
				pending = append(pending, p)
			default:
				t.Fatalf("proposal %s is %s", p.SourceField, p.Status)
			}
		}
		require.NotEmpty(t, pending)

		// Open proposals are not proposed twice.
		again, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, nil)
		require.NoError(t, err)
		for _, a := range again.Objects {
			if a.Object == "people" {
				require.Equal(t, aam.BulkPending, a.Status)
			}
		}

		// Approving the pending ones makes the mapping once last_name is
		// covered; the approvals made before it wait as approved.
		for _, p := range pending {
			got, err := e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
			require.NoError(t, err, "approve %s -> %s", p.SourceField, p.Target)
			require.Contains(t, []aam.ProposalStatus{aam.StatusApproved, aam.StatusApplied}, got.Status)
		}
		v, err := e.mesh.ActiveMapping(e.ctx, e.tenant, key)
		require.NoError(t, err)
		require.Equal(t, "contact", v.Mapping.Entity)
		fm, ok := v.Mapping.Field("last_name")
		require.True(t, ok)
		require.Equal(t, "family", fm.Source)
		require.Equal(t, canonical.OriginReviewed, fm.Origin)
		id, ok := v.Mapping.Field("contact_id")
		require.True(t, ok)
		require.Equal(t, canonical.OriginAuto, id.Origin, "the sure field came from the matcher")
		all, err := e.mesh.Reviews(e.ctx, e.tenant, "")
		require.NoError(t, err)
		for _, p := range all {
			require.Equal(t, aam.StatusApplied, p.Status, "%s -> %s", p.SourceField, p.Target)
			require.Positive(t, p.AppliedVersion)
		}
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 10, rep.Total().Events)
	})
}

func TestProposeMappingsInvalid(t *testing.T) {
	t.Parallel()
	e := setupRepair(t, "duckdb")
	conn := e.fileConnection(e.tenant)
	_, err := e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, nil, nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
	_, err = e.mesh.ProposeMappings(e.ctx, e.tenant, conn.ID, e.matcher, &aam.BulkOptions{})
	require.NoError(t, err)
}
