// Package redisflow is the Redis Streams adapter of the mesh's flow bus: it
// implements aam.FlowBus and aam.FlowSubscriber so that flow events reach
// every process of a deployment (the flow monitor's live stream reads them
// from any server).
//
// Each tenant has one stream, StreamKey(prefix, tenant) =
// "<prefix>flow:tenant:{<tenant id>}", whose hash tag keeps it on one
// cluster slot. Publish appends an event with XADD, trimming the stream to
// about Options.MaxLen entries (MAXLEN ~) so it never grows without bound.
// Subscribe follows the stream with XREAD BLOCK from the entry that was last
// when it was called, so a subscriber sees every event published after
// Subscribe returns, in order; Recent returns the newest entries for a
// monitor that starts.
//
// # Errors
//
// Redis errors are returned wrapped ("redisflow: publish: ..."); a nil
// tenant or a bad option wraps aam.ErrInvalid. The mesh never fails a sync
// because a flow event could not be published.
//
// # Concurrency
//
// A Bus is safe for concurrent use. Each subscription runs one goroutine
// that ends when its cancel function is called or its context is done; it
// reconnects after Redis errors with a short back-off. The Bus borrows the
// client and never closes it.
package redisflow
