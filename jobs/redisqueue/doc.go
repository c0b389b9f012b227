// Package redisqueue is the Redis driver of the jobs queue (jobs.Driver).
//
// Every key of a tenant carries the tenant as a hash tag, and every state
// change (enqueue, finish, retry, release, requeue, recover) is one Lua
// script; the scripts document their KEYS, ARGV and reply in scripts.go and
// the key layout is listed in keys.go. The rotation of tenants with work
// lives apart under the {ring} tag: a tenant joins it when work arrives (to
// the front, so fresh work is served next) and leaves it when found empty,
// guarded by a generation counter so that a removal never races an addition.
//
// A state change and the rotation update it implies happen in the same
// script, so a lost reply, a retried command or a deadline that fires while
// a command is on the wire can never leave a job stored but unreachable:
// either the script ran completely or not at all, and a retried script finds
// its work done and only re-applies the (idempotent) rotation update. This
// is why the scripts touch the {ring} keys next to the tenant's keys: the
// driver needs a single Redis primary (standalone or Sentinel), not Redis
// Cluster.
//
// Time comes from the Redis server (TIME inside the scripts), so processes
// with skewed clocks agree on lease deadlines. Enqueue, Dequeue, Heartbeat
// and Finish are batched: one pipeline of one script per tenant; Enqueue
// takes a single round trip.
//
// Completed and cancelled jobs expire after Options.Retention. A ready list
// may keep the ID of a cancelled job until it is popped and skipped.
package redisqueue
