package aam_test

import (
	"math"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

func TestProposalValidate(t *testing.T) {
	t.Parallel()
	good := aam.Proposal{ConnectionID: uuid.New(), Object: "accounts", Target: "account_name", Entity: "account",
		Kind: aam.ProposalRepair, Status: aam.StatusPending, Confidence: 0.7}
	require.NoError(t, good.Validate())
	bad := map[string]func(p *aam.Proposal){
		"nil connection": func(p *aam.Proposal) { p.ConnectionID = uuid.Nil },
		"no object":      func(p *aam.Proposal) { p.Object = "" },
		"no target":      func(p *aam.Proposal) { p.Target = "" },
		"no entity":      func(p *aam.Proposal) { p.Entity = "" },
		"unknown kind":   func(p *aam.Proposal) { p.Kind = "guess" },
		"unknown status": func(p *aam.Proposal) { p.Status = "maybe" },
		"NaN confidence": func(p *aam.Proposal) { p.Confidence = math.NaN() },
		"confidence > 1": func(p *aam.Proposal) { p.Confidence = 1.5 },
		"negative base":  func(p *aam.Proposal) { p.BaseVersion = -1 },
	}
	for name, mutate := range bad {
		p := good
		mutate(&p)
		require.ErrorIs(t, p.Validate(), aam.ErrInvalid, name)
	}
}

func TestSnapshotAndDriftValidate(t *testing.T) {
	t.Parallel()
	s := aam.SchemaSnapshot{ConnectionID: uuid.New(), Object: "accounts", Fingerprint: "abc"}
	require.NoError(t, s.Validate())
	s.Fingerprint = ""
	require.ErrorIs(t, s.Validate(), aam.ErrInvalid)
	d := aam.DriftEvent{ConnectionID: uuid.New(), Object: "accounts"}
	require.NoError(t, d.Validate())
	d.Object = ""
	require.ErrorContains(t, d.Validate(), "drift event: object is empty")
}

func TestPutMappingAndCheckpointValidate(t *testing.T) {
	t.Parallel()
	key := aam.MappingKey{ConnectionID: uuid.New(), Object: "accounts"}
	req := aam.PutMapping{MappingKey: key, Author: "me"}
	req.Mapping.Entity = "account"
	require.NoError(t, req.Validate())
	for name, mutate := range map[string]func(r *aam.PutMapping){
		"nil connection":   func(r *aam.PutMapping) { r.ConnectionID = uuid.Nil },
		"no object":        func(r *aam.PutMapping) { r.Object = "" },
		"negative version": func(r *aam.PutMapping) { r.ExpectedVersion = -1 },
		"no entity":        func(r *aam.PutMapping) { r.Mapping.Entity = "" },
		"no author":        func(r *aam.PutMapping) { r.Author = "" },
	} {
		r := req
		mutate(&r)
		require.ErrorIs(t, r.Validate(), aam.ErrInvalid, name)
	}
	require.NoError(t, aam.Checkpoint{ConnectionID: uuid.New(), Object: "a"}.Validate())
	require.ErrorIs(t, aam.Checkpoint{Object: "a"}.Validate(), aam.ErrInvalid)
}
