// Package connectortest is the conformance suite every connectors.Connector
// runs unchanged: built-in connectors, connectors behind the plugin host and
// third-party ones.
//
// A connector package's test describes its connector with a Harness — how to
// make one, a valid configuration against a live, seeded source, some
// configurations that must be refused, and an object to read — and calls Run:
//
//	func TestConformance(t *testing.T) {
//		root := seed(t) // a source holding an object "accounts" of 10+ records
//		connectortest.Run(t, connectortest.Harness{
//			New: func(ctx context.Context, cfg connectors.Config) (connectors.Connector, error) {
//				return filesource.Factory(cfg)
//			},
//			Config:     connectors.Config{"root": root},
//			BadConfigs: map[string]connectors.Config{"root is a file": {"root": root + "/accounts.csv"}},
//			Object:     "accounts",
//		})
//	}
//
// # Checks
//
// Each check is a subtest of Run:
//
//   - Spec: a lower-case name, a semantic version, parameters named, typed
//     and listed once, defaults valid, Config valid against the spec.
//   - Check: succeeds with Config.
//   - BadConfigs: each bad configuration, and Config without each required
//     parameter, fails New or Check with a non-empty error that shows no
//     secret value.
//   - Discover: at least one object, names unique, every schema valid with at
//     most canonical.MaxSamples samples per field, primary-key and cursor
//     fields among the fields, Object listed.
//   - Read: Object has at least MinRecords records, none malformed, each with
//     a unique non-empty ID and a cursor.
//   - ReadAgain: a second read gives the same records in the same order.
//   - Resume: a fresh connector reading from the cursor of record k (first,
//     second, middle, last but one) gives exactly records k+1..n. For an
//     object whose change model is incremental the read may start earlier
//     (a look-back window): it gives records j..n for some j <= k+1.
//   - ResumeAtEnd: reading from the last record's cursor gives nothing (an
//     incremental object: at most its look-back window).
//   - EmitError: an error returned by emit stops Read and is returned by it.
//   - Cancel: cancelling the context during Read makes it return within
//     CancelWithin with an error wrapping context.Canceled.
//   - CancelledBeforeRead: a Read with a cancelled context emits nothing.
//   - UnknownObject: reading an unknown object fails wrapping
//     connectors.ErrNotFound and names the object.
//   - InvalidCursor: reading from a cursor the connector did not make fails
//     wrapping connectors.ErrInvalidCursor.
//   - CloseTwice: Close is safe to call twice.
//   - Changes (with Harness.Mutator; runs last, as it changes the object):
//     the object's change model, as Discover states it, is proved. After an
//     insert with a random key, an update in the middle that keeps every
//     length and a delete, a replica following the model (snapshot: a full
//     read; incremental: a read from the cursor, or a full pass when the
//     cursor is refused; cdc: a read from the cursor, with Deleted records)
//     equals a fresh full read; cdc gives each change exactly once, and
//     only incremental may keep a deleted record (deletes are then found by
//     full passes). With a PartialWriter, a half-written record is neither
//     read nor reported broken and the cursor stays before it, and it is
//     read once finished. A read stopped half way, as by a crash, and
//     resumed from its last record, holds every record (only incremental
//     may repeat some).
//   - NoGoroutineLeak: once every connector the suite made is closed, no
//     goroutine started during Run is left.
//
// # Concurrency
//
// Run checks for goroutine leaks, so the test that calls it must not run in
// parallel with other tests of its package that start goroutines.
package connectortest
