// Package dcltest holds the conformance suite of dcl.GraphStore, which
// every graph store (the DuckDB one in dcl, and any an embedder brings)
// runs unchanged, and MemorySource, an in-memory canonical stream for
// tests of code built on dcl.Engine.
//
// A store's test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		dcltest.Run(t, func(t *testing.T) dcl.GraphStore { return newEmptyStore(t) })
//	}
package dcltest
