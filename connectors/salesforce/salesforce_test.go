package salesforce_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/salesforce"
	"github.com/autonomos/autonomos/connectors/salesforce/sftest"
	"github.com/autonomos/autonomos/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	clientID     = "3MVG9-test-consumer-key"
	clientSecret = "Cl1ent-S3cret-Value"
	refreshToken = "5Aep-Refresh-T0ken-Value"
)

// setup starts a fake org holding 25 Accounts (some sharing a
// SystemModstamp), 3 Contacts and 12 Notes (no SystemModstamp), served 7
// records per page.
func setup(t *testing.T) *sftest.Server {
	t.Helper()
	srv := sftest.New(&sftest.Options{ClientID: clientID, ClientSecret: clientSecret, RefreshToken: refreshToken, PageSize: 7})
	t.Cleanup(srv.Close)
	require.NoError(t, srv.AddObject("Account",
		sftest.Field{Name: "Name", Type: "string"},
		sftest.Field{Name: "Industry", Type: "picklist", Nillable: true},
		sftest.Field{Name: "AnnualRevenue", Type: "currency", Nillable: true},
		sftest.Field{Name: "NumberOfEmployees", Type: "int", Nillable: true},
		sftest.Field{Name: "Active__c", Type: "boolean"},
		sftest.Field{Name: "Founded__c", Type: "date", Nillable: true},
		sftest.Field{Name: "Logo__c", Type: "base64", Nillable: true},
		sftest.Field{Name: "Website", Type: "url", Nillable: true},
	))
	require.NoError(t, srv.AddObject("Contact",
		sftest.Field{Name: "LastName", Type: "string"},
		sftest.Field{Name: "Email", Type: "email", Nillable: true},
		sftest.Field{Name: "AccountId", Type: "reference", Nillable: true},
	))
	require.NoError(t, srv.AddObjectWithoutModstamp("Note", sftest.Field{Name: "Title", Type: "string"}))
	tie := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 25; i++ {
		f := map[string]any{
			"Name":              fmt.Sprintf("Account %02d", i),
			"Industry":          []string{"Energy", "Retail", "Banking"}[i%3],
			"AnnualRevenue":     float64(i) * 1000.25,
			"NumberOfEmployees": i * 10,
			"Active__c":         i%2 == 0,
			"Founded__c":        fmt.Sprintf("19%02d-01-15", 50+i),
			"Logo__c":           "aGVsbG8=",
			"Website":           nil,
		}
		if i%4 == 0 {
			f["SystemModstamp"] = tie // several records share a stamp
		}
		_, err := srv.Insert("Account", f)
		require.NoError(t, err)
	}
	for i := 1; i <= 3; i++ {
		_, err := srv.Insert("Contact", map[string]any{"LastName": fmt.Sprintf("Last %d", i), "Email": fmt.Sprintf("c%d@example.com", i)})
		require.NoError(t, err)
	}
	for i := 1; i <= 12; i++ {
		_, err := srv.Insert("Note", map[string]any{"Title": fmt.Sprintf("Note %d", i)})
		require.NoError(t, err)
	}
	return srv
}

func config(srv *sftest.Server) connectors.Config {
	return connectors.Config{"login_url": srv.URL, "client_id": clientID, "client_secret": clientSecret, "retry_base": "5ms"}
}

func open(t *testing.T, cfg connectors.Config) *salesforce.Source {
	t.Helper()
	s, err := salesforce.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func with(cfg connectors.Config, kv ...string) connectors.Config {
	out := connectors.Config{}
	for k, v := range cfg {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	srv := setup(t)
	cfg := config(srv)
	bad := map[string]connectors.Config{
		"wrong client secret":   with(cfg, "client_secret", "Wr0ng-Client-S3cret"),
		"wrong client id":       with(cfg, "client_id", "nobody", "refresh_token", refreshToken),
		"wrong refresh token":   with(cfg, "refresh_token", "Wr0ng-Refresh-T0ken"),
		"unknown object":        with(cfg, "objects", "Account,NoSuchObject__c"),
		"malformed object name": with(cfg, "objects", "Account; DROP"),
		"bad api version":       with(cfg, "api_version", "60"),
		"unreachable login url": with(cfg, "login_url", "http://127.0.0.1:1"),
		"login url not a url":   with(cfg, "login_url", "not a url"),
		"unknown parameter":     with(cfg, "password", "x"),
	}
	for name, obj := range map[string]string{"incremental": "Account", "by id": "Note"} {
		t.Run(name, func(t *testing.T) {
			connectortest.Run(t, connectortest.Harness{
				New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
					return salesforce.New(cfg)
				},
				Config:      cfg,
				BadConfigs:  bad,
				Object:      obj,
				MinRecords:  12,
				ReadTimeout: 30 * time.Second,
			})
		})
	}
	t.Run("changes", func(t *testing.T) {
		// A fresh org whose clock stamps every change after the records
		// before it, as Salesforce's does.
		org := sftest.New(&sftest.Options{ClientID: clientID, ClientSecret: clientSecret, PageSize: 7})
		defer org.Close()
		require.NoError(t, org.AddObject("Account", sftest.Field{Name: "Name", Type: "string"}, sftest.Field{Name: "Active__c", Type: "boolean"}))
		m := &orgMutator{srv: org, names: map[string]string{}}
		for i := 1; i <= 20; i++ {
			name := fmt.Sprintf("Account %02d", i)
			id, err := org.Insert("Account", map[string]any{"Name": name, "Active__c": i%2 == 0})
			require.NoError(t, err)
			m.names[id] = name
		}
		connectortest.Run(t, connectortest.Harness{
			New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
				return salesforce.New(cfg)
			},
			Config:      config(org),
			Object:      "Account",
			ReadTimeout: 30 * time.Second,
			Mutator:     m,
		})
	})
	t.Run("refresh token flow", func(t *testing.T) {
		connectortest.Run(t, connectortest.Harness{
			New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
				return salesforce.New(cfg)
			},
			Config:      with(cfg, "refresh_token", refreshToken, "objects", "Account,Contact"),
			BadConfigs:  bad,
			Object:      "Account",
			ReadTimeout: 30 * time.Second,
		})
	})
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	s := open(t, config(srv))
	cat, err := s.Discover(testenv.Context(t))
	require.NoError(t, err)
	var names []string
	for _, o := range cat.Objects {
		names = append(names, o.Schema.Object)
		require.Equal(t, salesforce.System, o.Schema.System)
		require.Equal(t, []string{"Id"}, o.PrimaryKey)
	}
	require.Equal(t, []string{"Account", "Contact", "Note"}, names)

	acc, _ := cat.Object("Account")
	require.Equal(t, "SystemModstamp", acc.CursorField)
	want := map[string]canonical.FieldType{
		"Id": canonical.TypeString, "IsDeleted": canonical.TypeBoolean, "CreatedDate": canonical.TypeDatetime, "LastModifiedDate": canonical.TypeDatetime,
		"SystemModstamp": canonical.TypeDatetime, "Name": canonical.TypeString, "Industry": canonical.TypeString,
		"AnnualRevenue": canonical.TypeNumber, "NumberOfEmployees": canonical.TypeInteger, "Active__c": canonical.TypeBoolean,
		"Founded__c": canonical.TypeDate, "Website": canonical.TypeString,
	}
	require.Len(t, acc.Schema.Fields, len(want), "base64 fields are left out")
	for _, f := range acc.Schema.Fields {
		require.Equal(t, want[f.Name], f.Type, "field %q", f.Name)
		require.LessOrEqual(t, len(f.Samples), canonical.MaxSamples)
		if f.Name != "Website" {
			require.NotEmpty(t, f.Samples, "field %q", f.Name)
		}
	}
	founded, _ := acc.Schema.Field("Founded__c")
	require.Equal(t, "1951-01-15", founded.Samples[0])
	emp, _ := acc.Schema.Field("NumberOfEmployees")
	require.Equal(t, int64(10), emp.Samples[0])
	web, _ := acc.Schema.Field("Website")
	require.Empty(t, web.Samples, "null values are no samples")

	require.Equal(t, connectors.ChangeIncremental, acc.ChangeModel)
	note, _ := cat.Object("Note")
	require.Empty(t, note.CursorField)
	require.Equal(t, connectors.ChangeSnapshot, note.ChangeModel, "no SystemModstamp: read in full every sync")
}

func readAll(t *testing.T, s *salesforce.Source, req connectors.ReadRequest) []connectors.Record {
	t.Helper()
	recs, err := connectortest.ReadAll(testenv.Context(t), s, req)
	require.NoError(t, err)
	return recs
}

func TestReadValues(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	s := open(t, config(srv))
	recs := readAll(t, s, connectors.ReadRequest{Object: "Account"})
	require.Len(t, recs, 25)
	// (SystemModstamp, Id) order: the four records sharing the tie stamp
	// come last, by Id.
	for i := 1; i < len(recs); i++ {
		a, b := recs[i-1].Fields, recs[i].Fields
		sa, sb := a["SystemModstamp"].(time.Time), b["SystemModstamp"].(time.Time)
		require.True(t, sa.Before(sb) || (sa.Equal(sb) && recs[i-1].ID < recs[i].ID), "order at %d", i)
	}
	r := recs[0]
	require.Equal(t, r.ID, r.Fields["Id"])
	require.NotContains(t, r.Fields, "attributes")
	require.NotContains(t, r.Fields, "Logo__c")
	require.Equal(t, "Account 01", r.Fields["Name"])
	require.Equal(t, 1000.25, r.Fields["AnnualRevenue"])
	require.Equal(t, int64(10), r.Fields["NumberOfEmployees"])
	require.Equal(t, false, r.Fields["Active__c"])
	require.Equal(t, time.Date(1951, 1, 15, 0, 0, 0, 0, time.UTC), r.Fields["Founded__c"])
	require.Equal(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), r.Fields["SystemModstamp"])
	require.Nil(t, r.Fields["Website"])
}

func TestIncremental(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	s := open(t, config(srv))
	first := readAll(t, s, connectors.ReadRequest{Object: "Account"})
	end := first[len(first)-1].Cursor
	require.Empty(t, readAll(t, s, connectors.ReadRequest{Object: "Account", Cursor: end}))

	// Inside a group of records sharing a stamp, the Id breaks the tie.
	var tie []int
	for i, r := range first {
		if r.Fields["SystemModstamp"].(time.Time).Equal(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)) {
			tie = append(tie, i)
		}
	}
	require.Len(t, tie, 6)
	got := readAll(t, s, connectors.ReadRequest{Object: "Account", Cursor: first[tie[1]].Cursor})
	require.Len(t, got, len(first)-tie[1]-1)
	require.Equal(t, first[tie[2]].ID, got[0].ID)

	id := first[3].ID
	require.NoError(t, srv.Update("Account", id, map[string]any{"Name": "Renamed", "SystemModstamp": "2025-06-01T00:00:00Z"}))
	got = readAll(t, s, connectors.ReadRequest{Object: "Account", Cursor: end})
	require.Len(t, got, 1)
	require.Equal(t, id, got[0].ID)
	require.Equal(t, "Renamed", got[0].Fields["Name"])
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	s := open(t, with(config(srv), "refresh_token", refreshToken))
	ctx := testenv.Context(t)
	require.NoError(t, s.Check(ctx))
	require.Equal(t, 1, srv.Stats().TokenRequests)

	// The token expires between two pages of one read.
	var recs []connectors.Record
	err := s.Read(ctx, connectors.ReadRequest{Object: "Account"}, func(r connectors.Record) error {
		recs = append(recs, r)
		if len(recs) == 3 {
			srv.ExpireTokens()
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, recs, 25, "nothing lost across the renewal")
	require.Equal(t, 2, srv.Stats().TokenRequests, "one renewal")
}

func TestRevokedRefreshTokenLosesNothing(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	ctx := testenv.Context(t)
	s := open(t, with(config(srv), "refresh_token", refreshToken))
	var recs []connectors.Record
	err := s.Read(ctx, connectors.ReadRequest{Object: "Account"}, func(r connectors.Record) error {
		recs = append(recs, r)
		if len(recs) == 7 { // the end of the first page
			srv.ExpireTokens()
			srv.RevokeRefreshToken()
		}
		return nil
	})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Contains(t, err.Error(), "invalid_grant")
	require.NotContains(t, err.Error(), refreshToken)
	require.NotContains(t, err.Error(), clientSecret)
	require.Len(t, recs, 7)

	// With working credentials the read resumes where it stopped.
	again := open(t, config(srv))
	rest := readAll(t, again, connectors.ReadRequest{Object: "Account", Cursor: recs[len(recs)-1].Cursor})
	all := readAll(t, again, connectors.ReadRequest{Object: "Account"})
	require.Len(t, rest, 18)
	require.Equal(t, all[7].ID, rest[0].ID)
}

func TestRequestLimitBackOff(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	ctx := testenv.Context(t)
	s := open(t, with(config(srv), "max_retries", "3"))
	require.NoError(t, s.Check(ctx))

	srv.FailNext(2, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	before := srv.Stats().APIRequests
	recs := readAll(t, s, connectors.ReadRequest{Object: "Contact"})
	require.Len(t, recs, 3)
	// describe and query, plus the two refused calls.
	require.Equal(t, before+4, srv.Stats().APIRequests)

	srv.FailNext(4, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	_, err := connectortest.ReadAll(ctx, s, connectors.ReadRequest{Object: "Contact"})
	require.Error(t, err)
	require.Contains(t, err.Error(), "REQUEST_LIMIT_EXCEEDED")
	require.Contains(t, err.Error(), "gave up after 3 retries")

	// The back-off gives way to the context.
	slow := open(t, with(config(srv), "retry_base", "1h"))
	require.NoError(t, slow.Check(ctx))
	srv.FailNext(1, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = connectortest.ReadAll(short, slow, connectors.ReadRequest{Object: "Contact"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	ctx := testenv.Context(t)
	const secret = "Wr0ng-Client-S3cret"
	s := open(t, with(config(srv), "client_secret", secret))
	err := s.Check(ctx)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Contains(t, err.Error(), "invalid_client")
	require.NotContains(t, err.Error(), secret)
	err = s.Read(ctx, connectors.ReadRequest{Object: "Account"}, func(connectors.Record) error { return nil })
	require.ErrorIs(t, err, connectors.ErrUnauthorized)

	// An API that keeps refusing fresh tokens is reported, not looped on.
	srv.FailNext(2, 401, "INVALID_SESSION_ID", "Session expired or invalid")
	good := open(t, config(srv))
	err = good.Check(ctx)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Contains(t, err.Error(), "INVALID_SESSION_ID")
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	ctx := testenv.Context(t)
	s := open(t, config(srv))
	emit := func(connectors.Record) error { return nil }
	acc := readAll(t, s, connectors.ReadRequest{Object: "Account"})
	err := s.Read(ctx, connectors.ReadRequest{Object: "Contact", Cursor: acc[0].Cursor}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor)
	for _, c := range []string{
		`{"object":"Account","systemModstamp":"2024-01-01T00:00:00Z","id":"001' OR Name != '"}`,
		`{"object":"Account","systemModstamp":"yesterday","id":"001000000000001AAA"}`,
		`{"object":"Account","id":"001000000000001AAA"}`,
	} {
		err = s.Read(ctx, connectors.ReadRequest{Object: "Account", Cursor: connectors.Cursor(c)}, emit)
		require.ErrorIs(t, err, connectors.ErrInvalidCursor, c)
	}
	srv.FailNext(1, 400, "MALFORMED_QUERY", "unexpected token")
	err = s.Read(ctx, connectors.ReadRequest{Object: "Account"}, emit)
	require.ErrorContains(t, err, "HTTP 400 MALFORMED_QUERY: unexpected token")

	only := open(t, with(config(srv), "objects", "Contact"))
	err = only.Read(ctx, connectors.ReadRequest{Object: "Account"}, emit)
	require.ErrorIs(t, err, connectors.ErrNotFound)
	cat, err := only.Discover(ctx)
	require.NoError(t, err)
	require.Len(t, cat.Objects, 1)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	require.NoError(t, salesforce.Register(reg))
	spec, ok := reg.Spec(salesforce.Name)
	require.True(t, ok)
	for _, p := range spec.Params {
		require.Equal(t, p.Name == "client_secret" || p.Name == "refresh_token", p.Secret, "param %q", p.Name)
	}
	_, err := reg.New(salesforce.Name, connectors.Config{"client_id": "x"})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.True(t, strings.Contains(err.Error(), "client_secret"))
}

func TestDiscoverWithoutSamples(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	s := open(t, with(config(srv), "objects", "Account,Contact"))
	ctx := testenv.Context(t)
	// Some sObjects refuse an unfiltered query; the first sample query
	// (Account) is refused here.
	srv.FailNextMatching("/query", 1, 400, "MALFORMED_QUERY", "Implementation restriction: this object requires a filter")
	cat, err := s.Discover(ctx)
	require.NoError(t, err)
	require.Len(t, cat.Objects, 2)
	acc, _ := cat.Object("Account")
	name, _ := acc.Schema.Field("Name")
	require.Equal(t, canonical.TypeString, name.Type)
	require.Empty(t, name.Samples)
	c, _ := cat.Object("Contact")
	last, _ := c.Schema.Field("LastName")
	require.NotEmpty(t, last.Samples)
}

// TestDeletesFromQueryAll: a read from a cursor reports the records deleted
// since as Deleted records (queryAll with IsDeleted), with the inserts and
// updates, and the records applied end equal to the org's live records.
// Before: deleted records were never reported (failed on the old code).
func TestDeletesFromQueryAll(t *testing.T) {
	t.Parallel()
	srv := sftest.New(&sftest.Options{ClientID: clientID, ClientSecret: clientSecret, PageSize: 7})
	t.Cleanup(srv.Close)
	require.NoError(t, srv.AddObject("Account", sftest.Field{Name: "Name", Type: "string"}, sftest.Field{Name: "Active__c", Type: "boolean"}))
	for i := 1; i <= 25; i++ {
		_, err := srv.Insert("Account", map[string]any{"Name": fmt.Sprintf("Account %02d", i), "Active__c": i%2 == 0})
		require.NoError(t, err)
	}
	s := open(t, config(srv))
	state := map[string]map[string]any{}
	var cursor connectors.Cursor
	apply := func(recs []connectors.Record) {
		for _, r := range recs {
			require.Nil(t, r.Err)
			if r.Deleted {
				require.Nil(t, r.Fields)
				delete(state, r.ID)
			} else {
				state[r.ID] = r.Fields
			}
			cursor = r.Cursor
		}
	}
	first := readAll(t, s, connectors.ReadRequest{Object: "Account"})
	apply(first)
	require.Len(t, state, 25)

	ids := recordIDs(first)
	require.NoError(t, srv.Delete("Account", ids[3]))
	require.NoError(t, srv.Update("Account", ids[5], map[string]any{"Name": "Renamed"}))
	added, err := srv.Insert("Account", map[string]any{"Name": "New", "Active__c": true})
	require.NoError(t, err)
	require.NoError(t, srv.Delete("Account", ids[7]))

	recs := readAll(t, s, connectors.ReadRequest{Object: "Account", Cursor: cursor})
	require.Len(t, recs, 4, "two deletes, an update and an insert, each once")
	var deleted []string
	for _, r := range recs {
		if r.Deleted {
			deleted = append(deleted, r.ID)
		}
	}
	require.Equal(t, []string{ids[3], ids[7]}, deleted)
	apply(recs)
	require.Len(t, state, 24)
	require.Equal(t, "Renamed", state[ids[5]]["Name"])
	require.Contains(t, state, added)
	require.Empty(t, readAll(t, s, connectors.ReadRequest{Object: "Account", Cursor: cursor}))

	// A read from the start holds the live records only.
	again := readAll(t, s, connectors.ReadRequest{Object: "Account"})
	require.Len(t, again, 24)
	for _, r := range again {
		require.False(t, r.Deleted)
		require.Contains(t, state, r.ID)
	}
}

func recordIDs(recs []connectors.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}
