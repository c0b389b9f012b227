// Package redisqueue is the Redis driver of the jobs queue (jobs.Driver).
//
// Every key of a tenant carries the tenant as a cluster hash tag, and every
// state change is one Lua script touching the keys of one tenant only; the
// scripts document their KEYS, ARGV and reply in scripts.go and the key
// layout is listed in keys.go. The rotation of tenants with work lives apart
// under the {ring} tag: a tenant joins it when work arrives (to the front, so
// fresh work is served next) and leaves it when found empty, guarded by a
// generation counter so that a removal never races an addition.
//
// Time comes from the Redis server (TIME inside the scripts), so processes
// with skewed clocks agree on lease deadlines. Enqueue, Dequeue, Heartbeat
// and Finish are batched: one pipeline of one script per tenant.
//
// Completed and cancelled jobs expire after Options.Retention. A ready list
// may keep the ID of a cancelled job until it is popped and skipped.
package redisqueue
