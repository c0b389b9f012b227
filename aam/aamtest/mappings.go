package aamtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// accountMapping returns a small valid mapping; marker varies one field so
// versions differ.
func accountMapping(object, marker string) canonical.Mapping {
	return canonical.Mapping{
		Entity: "account",
		System: "salesforce",
		Object: object,
		Fields: []canonical.FieldMapping{
			{Source: "Id", Target: "account_id", Confidence: 1},
			{Source: marker, Target: "account_name", Transform: canonical.TransformTrim, Confidence: 0.92, Origin: canonical.OriginAuto},
		},
	}
}

func putReq(key aam.MappingKey, expected int, marker string) aam.PutMapping {
	return aam.PutMapping{
		MappingKey:      key,
		ExpectedVersion: expected,
		Mapping:         accountMapping(key.Object, marker),
		Author:          "user:" + marker,
		Reason:          "because " + marker,
		Evidence:        json.RawMessage(`{"name_similarity": 0.9, "hits": ["a", "b"]}`),
	}
}

// requireVersion checks a stored version against the request that made it.
func requireVersion(t *testing.T, tenant uuid.UUID, req aam.PutMapping, version int, got aam.MappingVersion) {
	t.Helper()
	require.Equal(t, tenant, got.TenantID)
	require.Equal(t, req.MappingKey, got.MappingKey)
	require.Equal(t, version, got.Version)
	want := req.Mapping.Clone()
	want.Version = version
	requireJSONEq(t, want, got.Mapping, "stored mapping")
	require.Equal(t, version, got.Mapping.Version)
	require.Equal(t, req.Author, got.Author)
	require.Equal(t, req.Reason, got.Reason)
	if len(req.Evidence) == 0 {
		require.Empty(t, got.Evidence)
	} else {
		require.JSONEq(t, string(req.Evidence), string(got.Evidence))
	}
	require.False(t, got.CreatedAt.IsZero())
}

var mappingTests = []test{
	{"PutAndActive", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		key := aam.MappingKey{ConnectionID: c.ID, Object: "Account"}
		_, err := f.s.ActiveMapping(f.ctx, f.a.ID, key)
		requireIs(t, err, aam.ErrNotFound, "no mapping yet")

		r1 := putReq(key, 0, "Name")
		v1, err := f.s.PutMapping(f.ctx, f.a.ID, r1)
		require.NoError(t, err)
		requireVersion(t, f.a.ID, r1, 1, v1)
		got, err := f.s.ActiveMapping(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		requireVersion(t, f.a.ID, r1, 1, got)

		r2 := putReq(key, 1, "AccountName")
		r2.Evidence = nil
		v2, err := f.s.PutMapping(f.ctx, f.a.ID, r2)
		require.NoError(t, err)
		requireVersion(t, f.a.ID, r2, 2, v2)
		got, err = f.s.ActiveMapping(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		requireVersion(t, f.a.ID, r2, 2, got)
	}},
	{"StaleWriter", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		key := aam.MappingKey{ConnectionID: c.ID, Object: "Account"}
		_, err := f.s.PutMapping(f.ctx, f.a.ID, putReq(key, 0, "Name"))
		require.NoError(t, err)
		_, err = f.s.PutMapping(f.ctx, f.a.ID, putReq(key, 1, "AccountName"))
		require.NoError(t, err)

		for _, expected := range []int{1, 0, 3, 7} {
			_, err = f.s.PutMapping(f.ctx, f.a.ID, putReq(key, expected, "Stale"))
			requireIs(t, err, aam.ErrConflict, fmt.Sprintf("expected version %d while 2 is active", expected))
		}
		hist, err := f.s.MappingHistory(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		require.Len(t, hist, 2, "a stale writer writes nothing")
		active, err := f.s.ActiveMapping(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		require.Equal(t, 2, active.Version)
		require.Equal(t, "user:AccountName", active.Author)
	}},
	{"ConcurrentWriters", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		key := aam.MappingKey{ConnectionID: c.ID, Object: "Account"}
		_, err := f.s.PutMapping(f.ctx, f.a.ID, putReq(key, 0, "Name"))
		require.NoError(t, err)

		const writers = 8
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				_, errs[i] = f.s.PutMapping(f.ctx, f.a.ID, putReq(key, 1, "Writer"+string(rune('A'+i))))
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
				continue
			}
			require.Truef(t, errors.Is(err, aam.ErrConflict), "a losing writer gets ErrConflict, got %v", err)
		}
		require.Equal(t, 1, wins, "exactly one writer wins the race for version 2")
		hist, err := f.s.MappingHistory(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		require.Equal(t, 2, hist[1].Version)
	}},
	{"History", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		key := aam.MappingKey{ConnectionID: c.ID, Object: "Account"}
		_, err := f.s.MappingHistory(f.ctx, f.a.ID, key)
		requireIs(t, err, aam.ErrNotFound, "no history yet")

		var reqs []aam.PutMapping
		for i, marker := range []string{"Name", "AccountName", "CompanyName"} {
			r := putReq(key, i, marker)
			r.Author = []string{"user:42", "system:observer", "user:7"}[i]
			reqs = append(reqs, r)
			_, err := f.s.PutMapping(f.ctx, f.a.ID, r)
			require.NoError(t, err)
		}
		// Another object's versions stay out of this history.
		_, err = f.s.PutMapping(f.ctx, f.a.ID, putReq(aam.MappingKey{ConnectionID: c.ID, Object: "Contact"}, 0, "Name"))
		require.NoError(t, err)

		hist, err := f.s.MappingHistory(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		require.Len(t, hist, 3)
		for i, v := range hist {
			requireVersion(t, f.a.ID, reqs[i], i+1, v)
			if i > 0 {
				require.False(t, v.CreatedAt.Before(hist[i-1].CreatedAt), "oldest first")
			}
		}
	}},
	{"ListActive", func(t *testing.T, f *fixture) {
		list, err := f.s.Mappings(f.ctx, f.a.ID)
		require.NoError(t, err)
		require.Empty(t, list)

		c1 := f.conn(t, f.a.ID, "one")
		c2 := f.conn(t, f.a.ID, "two")
		keys := []aam.MappingKey{
			{ConnectionID: c1.ID, Object: "Opportunity"},
			{ConnectionID: c2.ID, Object: "Account"},
			{ConnectionID: c1.ID, Object: "Account"},
		}
		for i, key := range keys {
			for v := range i + 1 { // versions 1..i+1
				_, err := f.s.PutMapping(f.ctx, f.a.ID, putReq(key, v, "Name"))
				require.NoError(t, err)
			}
		}
		list, err = f.s.Mappings(f.ctx, f.a.ID)
		require.NoError(t, err)
		require.Len(t, list, 3, "one entry per mapping: its active version")
		want := map[aam.MappingKey]int{keys[0]: 1, keys[1]: 2, keys[2]: 3}
		for i, v := range list {
			require.Equal(t, want[v.MappingKey], v.Version, "%+v", v.MappingKey)
			require.Equal(t, f.a.ID, v.TenantID)
			if i > 0 {
				prev := list[i-1]
				pc, vc := prev.ConnectionID.String(), v.ConnectionID.String()
				require.True(t, pc < vc || (pc == vc && prev.Object < v.Object),
					"ordered by connection and object: %v then %v", prev.MappingKey, v.MappingKey)
			}
		}
	}},
	{"Invalid", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		key := aam.MappingKey{ConnectionID: c.ID, Object: "Account"}
		_, err := f.s.PutMapping(f.ctx, f.a.ID, putReq(key, -1, "Name"))
		requireIs(t, err, aam.ErrInvalid, "negative expected version")
		_, err = f.s.PutMapping(f.ctx, f.a.ID, putReq(aam.MappingKey{ConnectionID: c.ID}, 0, "Name"))
		requireIs(t, err, aam.ErrInvalid, "empty object")
		_, err = f.s.PutMapping(f.ctx, f.a.ID, putReq(aam.MappingKey{Object: "Account"}, 0, "Name"))
		requireIs(t, err, aam.ErrInvalid, "nil connection")
		_, err = f.s.PutMapping(f.ctx, uuid.Nil, putReq(key, 0, "Name"))
		requireIs(t, err, aam.ErrInvalid, "nil tenant")
		_, err = f.s.ActiveMapping(f.ctx, f.a.ID, key)
		requireIs(t, err, aam.ErrNotFound, "nothing was written")
	}},
	{"Isolation", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		key := aam.MappingKey{ConnectionID: c.ID, Object: "Account"}
		_, err := f.s.PutMapping(f.ctx, f.a.ID, putReq(key, 0, "Name"))
		require.NoError(t, err)

		_, err = f.s.ActiveMapping(f.ctx, f.b.ID, key)
		requireIs(t, err, aam.ErrNotFound, "B reads A's mapping")
		_, err = f.s.MappingHistory(f.ctx, f.b.ID, key)
		requireIs(t, err, aam.ErrNotFound, "B reads A's history")
		list, err := f.s.Mappings(f.ctx, f.b.ID)
		require.NoError(t, err)
		require.Empty(t, list, "B lists A's mappings")
		_, err = f.s.PutMapping(f.ctx, f.b.ID, putReq(key, 1, "Hijack"))
		require.Error(t, err, "B writes a version of A's mapping")

		hist, err := f.s.MappingHistory(f.ctx, f.a.ID, key)
		require.NoError(t, err)
		require.Len(t, hist, 1)
		require.Equal(t, "user:Name", hist[0].Author)
	}},
}
