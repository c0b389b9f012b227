package connectortest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Harness describes how to make and exercise one connector type. A connector
// package's test fills it in and calls Run; see the package documentation.
type Harness struct {
	// New makes a connector from cfg, typically a Registry's New or the
	// connector package's own constructor. Required.
	New func(ctx context.Context, cfg connectors.Config) (connectors.Connector, error)
	// Config is a valid configuration against a live, seeded source.
	// Required.
	Config connectors.Config
	// BadConfigs are configurations that must fail New or Check with a clear
	// error, by case name: a missing required parameter, a wrong password, an
	// unreachable host... Secret values in them should be distinctive (at
	// least MinSecretLen bytes) so the suite can tell they are not echoed.
	BadConfigs map[string]connectors.Config
	// Object names an object of Config's source holding at least MinRecords
	// records, none of them malformed, whose content does not change while
	// Run runs (but by Mutator, in the last check). Required.
	Object string
	// MinRecords is the least number of records Object holds. Default and
	// minimum: 10.
	MinRecords int
	// CancelWithin bounds how long Read may take to return once its context
	// is cancelled. Default: 5s.
	CancelWithin time.Duration
	// ReadTimeout bounds each full read of Object, so a hanging connector
	// fails the suite instead of stalling it. Default: 2m.
	ReadTimeout time.Duration
	// Mutator changes Object at the source for the Changes check, which
	// runs last and proves the object's stated change model. Optional; a
	// connector type should have at least one run with one.
	Mutator Mutator
}

// Mutator changes the records of Harness.Object at the source. A Mutator
// whose source can hold a half-written record (a file) also implements
// PartialWriter.
type Mutator interface {
	// Insert adds a record with a new, random key and returns its ID.
	Insert(ctx context.Context) (string, error)
	// Update changes a value of record id without changing the length of
	// anything (the record's size, the file's size).
	Update(ctx context.Context, id string) error
	// Delete removes record id.
	Delete(ctx context.Context, id string) error
}

// PartialWriter is implemented by a Mutator whose source can hold a
// record a writer has not finished.
type PartialWriter interface {
	// WritePartial writes the first part of a new record (a line without
	// its end) and returns its ID and a function that writes the rest.
	WritePartial(ctx context.Context) (id string, finish func(context.Context) error, err error)
}

// MinSecretLen is the length from which a secret configuration value is
// searched for in error messages; shorter values would match by chance.
const MinSecretLen = 4

// unknownObject is an object name no source is expected to hold.
const unknownObject = "connectortest_no_such_object_7f3a9c"

// invalidCursor is a cursor no connector is expected to have made. It is
// valid UTF-8 so it can cross any transport (a plugin's gRPC strings).
const invalidCursor connectors.Cursor = "~connectortest: not a cursor~"

var (
	semverRE    = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	specNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)
	paramNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)
)

// errStop is what the suite's emit returns to stop a Read.
var errStop = errors.New("connectortest: stop requested by emit")

// Run runs the conformance suite against the connector h describes, each
// check as a subtest. It fails t when h is incomplete.
//
// Run checks for leaked goroutines when it ends, so the test calling it must
// not run in parallel with other tests of its package that start goroutines
// (do not call t.Parallel in it). Every connector the suite makes is closed
// before that check.
func Run(t *testing.T, h Harness) {
	t.Helper()
	h = h.withDefaults(t)
	ignore := goleak.IgnoreCurrent()

	s := &suite{h: h}
	s.spec = s.specOf(t)

	t.Run("Spec", s.testSpec)
	t.Run("Check", s.testCheck)
	t.Run("BadConfigs", s.testBadConfigs)
	t.Run("Discover", s.testDiscover)
	t.Run("Read", s.testRead)
	t.Run("ReadAgain", s.testReadAgain)
	t.Run("Resume", s.testResume)
	t.Run("ResumeAtEnd", s.testResumeAtEnd)
	t.Run("EmitError", s.testEmitError)
	t.Run("Cancel", s.testCancel)
	t.Run("CancelledBeforeRead", s.testCancelledBeforeRead)
	t.Run("UnknownObject", s.testUnknownObject)
	t.Run("InvalidCursor", s.testInvalidCursor)
	t.Run("CloseTwice", s.testCloseTwice)
	t.Run("Changes", s.testChanges)

	t.Run("NoGoroutineLeak", func(t *testing.T) {
		goleak.VerifyNone(t, ignore)
	})
}

func (h Harness) withDefaults(t *testing.T) Harness {
	t.Helper()
	require.NotNil(t, h.New, "connectortest: Harness.New is required")
	require.NotEmpty(t, h.Config, "connectortest: Harness.Config is required")
	require.NotEmpty(t, h.Object, "connectortest: Harness.Object is required")
	if h.MinRecords < 10 {
		h.MinRecords = 10
	}
	if h.CancelWithin <= 0 {
		h.CancelWithin = 5 * time.Second
	}
	if h.ReadTimeout <= 0 {
		h.ReadTimeout = 2 * time.Minute
	}
	return h
}

type suite struct {
	h    Harness
	spec connectors.Spec
	// all is the full read of h.Object, filled by testRead.
	all []connectors.Record
	// model is h.Object's change model, filled by testDiscover.
	model connectors.ChangeModel
}

// open makes a connector from h.Config; it is closed when t ends.
func (s *suite) open(t *testing.T) connectors.Connector {
	t.Helper()
	c, err := s.h.New(context.Background(), s.h.Config)
	require.NoError(t, err, "New with Harness.Config")
	require.NotNil(t, c, "New returned a nil connector and no error")
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// specOf makes one connector to learn its spec (needed to know which
// parameters are secret before any check runs).
func (s *suite) specOf(t *testing.T) connectors.Spec {
	t.Helper()
	c, err := s.h.New(context.Background(), s.h.Config)
	require.NoError(t, err, "New with Harness.Config")
	require.NotNil(t, c, "New returned a nil connector and no error")
	spec := c.Spec()
	require.NoError(t, c.Close(), "Close")
	return spec
}

// secrets lists the secret values of the given configs worth searching for.
func (s *suite) secrets(cfgs ...connectors.Config) []string {
	var out []string
	for _, p := range s.spec.Params {
		if !p.Secret {
			continue
		}
		for _, cfg := range cfgs {
			if v := cfg[p.Name]; len(v) >= MinSecretLen {
				out = append(out, v)
			}
		}
	}
	return out
}

func requireNoSecret(t *testing.T, err error, secrets []string) {
	t.Helper()
	msg := err.Error()
	for _, v := range secrets {
		require.NotContains(t, msg, v, "an error message shows a secret configuration value")
	}
}

func (s *suite) testSpec(t *testing.T) {
	spec := s.spec
	require.Regexp(t, specNameRE, spec.Name, "Spec.Name must be a lower-case registry name")
	require.Regexp(t, semverRE, spec.Version, "Spec.Version must be a semantic version")
	seen := make(map[string]bool, len(spec.Params))
	for i, p := range spec.Params {
		require.Regexp(t, paramNameRE, p.Name, "param %d has a bad name", i)
		require.False(t, seen[p.Name], "param %q is listed twice", p.Name)
		seen[p.Name] = true
		switch p.Type {
		case connectors.ParamString, connectors.ParamInt, connectors.ParamBool,
			connectors.ParamDuration, connectors.ParamURL:
		default:
			t.Fatalf("param %q has unknown type %q", p.Name, p.Type)
		}
		if p.Default != "" {
			// A default must itself be a valid value.
			err := connectors.Spec{Name: spec.Name, Params: []connectors.Param{p}}.
				ValidateConfig(connectors.Config{p.Name: p.Default})
			require.NoError(t, err, "param %q has an invalid default", p.Name)
		}
	}
	require.NoError(t, spec.ValidateConfig(s.h.Config), "Harness.Config does not satisfy the connector's own Spec")

	// The spec is the same on every connector of the type.
	c := s.open(t)
	require.Equal(t, spec, c.Spec(), "Spec differs between two connectors of one type")
}

func (s *suite) testCheck(t *testing.T) {
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	require.NoError(t, c.Check(ctx), "Check with Harness.Config")
}

func (s *suite) testBadConfigs(t *testing.T) {
	if len(s.h.BadConfigs) == 0 {
		t.Log("no BadConfigs given; only the missing-parameter cases derived from the Spec run")
	}
	cases := make(map[string]connectors.Config, len(s.h.BadConfigs))
	for name, cfg := range s.h.BadConfigs {
		cases[name] = cfg
	}
	// Every required parameter without a default, left out of Config, must
	// be refused.
	for _, p := range s.spec.Params {
		if !p.Required || p.Default != "" {
			continue
		}
		cfg := make(connectors.Config, len(s.h.Config))
		for k, v := range s.h.Config {
			if k != p.Name {
				cfg[k] = v
			}
		}
		cases["missing "+p.Name] = cfg
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			err := s.newAndCheck(t, cfg)
			require.Error(t, err, "config %q was accepted by New and Check", name)
			require.NotEmpty(t, strings.TrimSpace(err.Error()), "config %q failed with an empty error message", name)
			require.False(t, errors.Is(err, context.DeadlineExceeded),
				"config %q: New/Check did not fail on its own but ran into the test deadline: %v", name, err)
			requireNoSecret(t, err, s.secrets(cfg, s.h.Config))
			t.Logf("config %q refused: %v", name, err)
		})
	}
}

// newAndCheck makes a connector from cfg and checks it, returning the first
// error. The connector, if made, is closed.
func (s *suite) newAndCheck(t *testing.T, cfg connectors.Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	c, err := s.h.New(ctx, cfg)
	if err != nil {
		return err
	}
	require.NotNil(t, c, "New returned a nil connector and no error")
	defer func() { require.NoError(t, c.Close(), "Close") }()
	return c.Check(ctx)
}

func (s *suite) testDiscover(t *testing.T) {
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	cat, err := c.Discover(ctx)
	require.NoError(t, err, "Discover")
	require.NotNil(t, cat, "Discover returned a nil catalog and no error")
	require.NotEmpty(t, cat.Objects, "Discover found no objects")
	names := make(map[string]bool, len(cat.Objects))
	for i := range cat.Objects {
		o := cat.Objects[i]
		require.NotEmpty(t, o.Schema.Object, "object %d has no name", i)
		require.False(t, names[o.Schema.Object], "object %q is listed twice", o.Schema.Object)
		names[o.Schema.Object] = true
		require.NoError(t, o.Schema.Validate(), "schema of object %q", o.Schema.Object)
		for _, f := range o.Schema.Fields {
			require.LessOrEqual(t, len(f.Samples), canonical.MaxSamples,
				"object %q field %q has too many samples", o.Schema.Object, f.Name)
		}
		for _, k := range o.PrimaryKey {
			_, ok := o.Schema.Field(k)
			require.True(t, ok, "object %q: primary key field %q is not among its fields", o.Schema.Object, k)
		}
		if o.CursorField != "" {
			_, ok := o.Schema.Field(o.CursorField)
			require.True(t, ok, "object %q: cursor field %q is not among its fields", o.Schema.Object, o.CursorField)
		}
	}
	obj, ok := cat.Object(s.h.Object)
	require.True(t, ok, "Discover did not list Harness.Object %q", s.h.Object)
	s.model = obj.ChangeModel
}

// changeModel is Object's change model as Discover states it.
func (s *suite) changeModel(t *testing.T) connectors.ChangeModel {
	t.Helper()
	if s.model == "" {
		c := s.open(t)
		ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
		defer cancel()
		cat, err := c.Discover(ctx)
		require.NoError(t, err, "Discover")
		obj, ok := cat.Object(s.h.Object)
		require.True(t, ok, "Discover did not list Harness.Object %q", s.h.Object)
		s.model = obj.ChangeModel
		if s.model == "" {
			s.model = connectors.ChangeSnapshot
		}
	}
	require.True(t, s.model.Valid(), "object %q has unknown change model %q", s.h.Object, s.model)
	return s.model
}

// readAll reads req to the end with a fresh connector.
func (s *suite) readAll(t *testing.T, req connectors.ReadRequest) []connectors.Record {
	t.Helper()
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	recs, err := ReadAll(ctx, c, req)
	require.NoError(t, err, "Read %q from cursor %q", req.Object, req.Cursor)
	return recs
}

// full returns the full read of h.Object, reading it if testRead did not.
func (s *suite) full(t *testing.T) []connectors.Record {
	t.Helper()
	if s.all == nil {
		s.all = s.readAll(t, connectors.ReadRequest{Object: s.h.Object})
	}
	require.GreaterOrEqual(t, len(s.all), s.h.MinRecords, "Object %q holds fewer records than MinRecords", s.h.Object)
	return s.all
}

func (s *suite) testRead(t *testing.T) {
	recs := s.readAll(t, connectors.ReadRequest{Object: s.h.Object})
	require.GreaterOrEqual(t, len(recs), s.h.MinRecords, "Read %q returned fewer records than MinRecords", s.h.Object)
	ids := make(map[string]int, len(recs))
	for i, r := range recs {
		require.Nil(t, r.Err, "record %d of %q could not be read: %v", i, s.h.Object, r.Err)
		require.NotEmpty(t, r.ID, "record %d of %q has no ID", i, s.h.Object)
		require.NotEmpty(t, r.Cursor, "record %d (ID %q) has no cursor", i, r.ID)
		require.NotNil(t, r.Fields, "record %d (ID %q) has no fields", i, r.ID)
		if j, dup := ids[r.ID]; dup {
			t.Fatalf("records %d and %d of %q have the same ID %q", j, i, s.h.Object, r.ID)
		}
		ids[r.ID] = i
	}
	s.all = recs
}

func (s *suite) testReadAgain(t *testing.T) {
	want := s.full(t)
	got := s.readAll(t, connectors.ReadRequest{Object: s.h.Object})
	requireSameRecords(t, want, got, "second read from the empty cursor")
}

func (s *suite) testResume(t *testing.T) {
	all := s.full(t)
	n := len(all)
	for _, k := range []int{0, 1, n / 2, n - 2} {
		t.Run(fmt.Sprintf("after record %d of %d", k, n), func(t *testing.T) {
			got := s.readAll(t, connectors.ReadRequest{Object: s.h.Object, Cursor: all[k].Cursor})
			s.requireResumed(t, all, k, got)
		})
	}
}

func (s *suite) testResumeAtEnd(t *testing.T) {
	all := s.full(t)
	last := all[len(all)-1]
	got := s.readAll(t, connectors.ReadRequest{Object: s.h.Object, Cursor: last.Cursor})
	if s.changeModel(t) == connectors.ChangeIncremental {
		s.requireResumed(t, all, len(all)-1, got)
		return
	}
	require.Empty(t, ids(got), "reading from the last record's cursor must yield nothing")
}

// requireResumed checks a read resumed after record k of all. It must give
// exactly the records after k; an incremental read may first read again some
// records before them (a look-back window: commit-safe reads go back to
// where a transaction still open might write), so for it got must be a
// suffix of all holding at least the records after k.
func (s *suite) requireResumed(t *testing.T, all []connectors.Record, k int, got []connectors.Record) {
	t.Helper()
	what := fmt.Sprintf("read resumed after record %d", k)
	if s.changeModel(t) == connectors.ChangeIncremental && len(got) > len(all)-k-1 {
		require.LessOrEqual(t, len(got), len(all), "%s: more records than the object holds", what)
		requireSameRecords(t, all[len(all)-len(got):], got, what+" (with its look-back window)")
		return
	}
	requireSameRecords(t, all[k+1:], got, what)
}

func (s *suite) testEmitError(t *testing.T) {
	s.full(t)
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	calls, stopAt := 0, 3
	err := c.Read(ctx, connectors.ReadRequest{Object: s.h.Object}, func(connectors.Record) error {
		calls++
		if calls >= stopAt {
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop, "Read must stop and return the error emit returned")
	require.Equal(t, stopAt, calls, "emit was called again after it returned an error")
}

func (s *suite) testCancel(t *testing.T) {
	s.full(t)
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	rctx, rcancel := context.WithCancel(ctx)
	defer rcancel()
	var cancelledAt time.Time
	done := make(chan error, 1)
	go func() {
		done <- c.Read(rctx, connectors.ReadRequest{Object: s.h.Object}, func(connectors.Record) error {
			if cancelledAt.IsZero() {
				cancelledAt = time.Now()
				rcancel()
			}
			return nil
		})
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(s.h.ReadTimeout):
		t.Fatalf("Read did not return within %v", s.h.ReadTimeout)
	}
	require.False(t, cancelledAt.IsZero(), "Read returned before emitting any record: %v", err)
	require.ErrorIs(t, err, context.Canceled, "Read must return an error wrapping context.Canceled once its context is cancelled")
	took := time.Since(cancelledAt)
	require.Less(t, took, s.h.CancelWithin, "Read took %v to return after its context was cancelled", took)
}

func (s *suite) testCancelledBeforeRead(t *testing.T) {
	c := s.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	emitted := 0
	err := c.Read(ctx, connectors.ReadRequest{Object: s.h.Object}, func(connectors.Record) error {
		emitted++
		return nil
	})
	require.ErrorIs(t, err, context.Canceled, "Read with a cancelled context must return an error wrapping context.Canceled")
	require.Zero(t, emitted, "Read with a cancelled context emitted records")
}

func (s *suite) testUnknownObject(t *testing.T) {
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	emitted := 0
	err := c.Read(ctx, connectors.ReadRequest{Object: unknownObject}, func(connectors.Record) error {
		emitted++
		return nil
	})
	require.ErrorIs(t, err, connectors.ErrNotFound, "Read of an unknown object must wrap connectors.ErrNotFound")
	require.Contains(t, err.Error(), unknownObject, "the error should name the object")
	require.Zero(t, emitted, "Read of an unknown object emitted records")
}

func (s *suite) testInvalidCursor(t *testing.T) {
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	emitted := 0
	err := c.Read(ctx, connectors.ReadRequest{Object: s.h.Object, Cursor: invalidCursor}, func(connectors.Record) error {
		emitted++
		return nil
	})
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "Read from a cursor the connector did not make must wrap connectors.ErrInvalidCursor")
	require.Zero(t, emitted, "Read from an invalid cursor emitted records")
}

func (s *suite) testCloseTwice(t *testing.T) {
	c, err := s.h.New(context.Background(), s.h.Config)
	require.NoError(t, err, "New with Harness.Config")
	require.NoError(t, c.Close(), "first Close")
	require.NoError(t, c.Close(), "second Close")
}

// ReadAll reads req to its end and returns every record emitted, including
// records with Err set. It returns Read's error, with the records read so far.
func ReadAll(ctx context.Context, c connectors.Connector, req connectors.ReadRequest) ([]connectors.Record, error) {
	var recs []connectors.Record
	err := c.Read(ctx, req, func(r connectors.Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, err
}

func ids(recs []connectors.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// requireSameRecords checks got is want: same IDs in the same order (no gap,
// no duplicate) and the same field values.
func requireSameRecords(t *testing.T, want, got []connectors.Record, what string) {
	t.Helper()
	require.Equal(t, ids(want), ids(got), "%s: record IDs differ (gaps, duplicates or another order)", what)
	for i := range want {
		if !reflect.DeepEqual(want[i].Fields, got[i].Fields) {
			require.Equal(t, want[i].Fields, got[i].Fields, "%s: record %q has other field values", what, want[i].ID)
		}
	}
}
