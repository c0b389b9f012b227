package redisqueue

import "github.com/redis/go-redis/v9"

// prelude is shared by the scripts. Time comes from the Redis server so that
// every process agrees on lease deadlines (scripts are replicated by effects).
const prelude = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function move_index(idx, id, from, to, ts)
  if from and from ~= '' then redis.call('ZREM', idx .. from, id) end
  redis.call('ZADD', idx .. to, ts, id)
end
-- ring_add puts tenant t in the rotation of queue q (ring key prefix rp),
-- always moving its generation so a concurrent removal of a stale view fails.
local function ring_add(rp, q, t)
  redis.call('HINCRBY', rp .. q .. ':gen', t, 1)
  if redis.call('SADD', rp .. q .. ':members', t) == 1 then
    redis.call('LPUSH', rp .. q .. ':tenants', t)
  end
end
-- mark_failing records when a streak of failed runs began.
local function mark_failing(key, now)
  if (tonumber(redis.call('HGET', key, 'failing_since')) or 0) == 0 then
    redis.call('HSET', key, 'failing_since', now)
  end
end
local function release_unique(ukey, key, id)
  local u = redis.call('HGET', key, 'unique')
  if u and u ~= '' and redis.call('HGET', ukey, u) == id then
    redis.call('HDEL', ukey, u)
  end
end
`

// enqueueScript stores new jobs of one tenant, registers the tenant and puts
// it in the rotation of each queue that received work — all in one atomic
// step, so no reply lost and no deadline between round trips can leave a
// job stored but unreachable. A retry of a script that already ran finds its
// jobs stored and only re-applies the rotation, so retries are harmless.
//
// KEYS[1] unique hash of the tenant, KEYS[2] tenants set
// ARGV[1] job key prefix, ARGV[2] queue key prefix, ARGV[3] scheduled key
// prefix, ARGV[4] index key prefix, ARGV[5] ring key prefix; then 10 values
// per job: id, tenant, type, queue, payload, unique key, max attempts,
// timeout (ms), run-after (ms, 0 = now), created (ms).
// Returns one string per job: "" when stored (or when a job with that ID
// already exists), else the ID of the unfinished job holding its unique key.
var enqueueScript = redis.NewScript(prelude + `
local now = now_ms()
local out = {}
local k = 0
local rung = {}
for i = 6, #ARGV, 10 do
  k = k + 1
  local id, tenant, typ, q, payload, uniq = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5]
  local maxa, tmo, runafter, created = ARGV[i+6], ARGV[i+7], tonumber(ARGV[i+8]), ARGV[i+9]
  local key = ARGV[1] .. id
  out[k] = ''
  local holder = false
  if uniq ~= '' then
    holder = redis.call('HGET', KEYS[1], uniq)
    if holder then
      local st = redis.call('HGET', ARGV[1] .. holder, 'state')
      if not st or st == 'completed' or st == 'failed' or st == 'dead' or st == 'cancelled' then
        holder = false
      end
    end
  end
  if holder then
    out[k] = holder
  elseif redis.call('EXISTS', key) == 0 then
    if uniq ~= '' then redis.call('HSET', KEYS[1], uniq, id) end
    redis.call('HSET', key, 'id', id, 'tenant', tenant, 'type', typ, 'queue', q, 'payload', payload,
      'unique', uniq, 'max', maxa, 'timeout', tmo, 'run_after', runafter, 'state', 'queued',
      'attempt', 0, 'created', created, 'updated', now)
    if runafter > now then
      redis.call('ZADD', ARGV[3] .. q, runafter, id)
    else
      redis.call('LPUSH', ARGV[2] .. q, id)
    end
    redis.call('ZADD', ARGV[4] .. 'queued', now, id)
    redis.call('SADD', KEYS[2], tenant)
  end
  if not holder and not rung[q] then
    rung[q] = true
    ring_add(ARGV[5], q, tenant)
  end
end
return out
`)

// dequeueScript leases ready jobs of one tenant and queue within the
// tenant's concurrency limit. Due scheduled jobs are promoted first.
//
// KEYS[1] ready list, KEYS[2] scheduled zset, KEYS[3] semaphore zset,
// KEYS[4] limit key
// ARGV[1] job key prefix, ARGV[2] index key prefix, ARGV[3] most jobs,
// ARGV[4] lease (ms), ARGV[5] default limit
// Returns {empty, job...}: empty is 1 when the list and the scheduled set are
// both empty (the tenant may leave the rotation), each job an HGETALL reply.
var dequeueScript = redis.NewScript(prelude + `
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('LPUSH', KEYS[1], id)
end
local limit = tonumber(redis.call('GET', KEYS[4]) or ARGV[5])
local want = math.min(tonumber(ARGV[3]), limit - redis.call('ZCARD', KEYS[3]))
local deadline = now + tonumber(ARGV[4])
local out = {0}
local got = 0
while got < want do
  local id = redis.call('RPOP', KEYS[1])
  if not id then break end
  local key = ARGV[1] .. id
  local st = redis.call('HGET', key, 'state')
  if st == 'queued' or st == 'retrying' then
    redis.call('HINCRBY', key, 'attempt', 1)
    redis.call('HSET', key, 'state', 'running', 'started', now, 'updated', now, 'lease', deadline)
    redis.call('ZADD', KEYS[3], deadline, id)
    move_index(ARGV[2], id, st, 'running', now)
    got = got + 1
    out[got + 1] = redis.call('HGETALL', key)
  end
end
if redis.call('LLEN', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0 then out[1] = 1 end
return out
`)

// finishScript records run outcomes of one tenant and releases their slots.
// An outcome whose lease is not held any more (not in the semaphore with the
// same attempt) is ignored.
//
// A job that goes back in line rejoins the rotation in the same script. A
// retried script finds the leases released and changes nothing more.
//
// KEYS[1] semaphore zset, KEYS[2] unique hash
// ARGV[1] job key prefix, ARGV[2] index key prefix, ARGV[3] queue key
// prefix, ARGV[4] scheduled key prefix, ARGV[5] retention (ms), ARGV[6] ring
// key prefix, ARGV[7] tenant; then 5 values per outcome: id, attempt, kind
// (completed|retry|failed|dead|cancelled|released), error, retry delay (ms).
// Returns the number of outcomes recorded (the others were stale).
var finishScript = redis.NewScript(prelude + `
local now = now_ms()
local ret = tonumber(ARGV[5])
local seen = {}
local recorded = 0
local trim = false
local function touch(q)
  if not seen[q] then seen[q] = true; ring_add(ARGV[6], q, ARGV[7]) end
end
for i = 8, #ARGV, 5 do
  local id, attempt, kind, err, delay = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], tonumber(ARGV[i+4])
  local key = ARGV[1] .. id
  if redis.call('ZSCORE', KEYS[1], id) and redis.call('HGET', key, 'attempt') == attempt then
    redis.call('ZREM', KEYS[1], id)
    recorded = recorded + 1
    local st = redis.call('HGET', key, 'state')
    if st == 'running' then
      if kind == 'completed' then
        redis.call('HSET', key, 'state', 'completed', 'error', '', 'failing_since', 0, 'finished', now, 'updated', now, 'lease', 0)
        move_index(ARGV[2], id, 'running', 'completed', now)
        release_unique(KEYS[2], key, id)
        redis.call('PEXPIRE', key, ret)
        trim = true
      elseif kind == 'retry' then
        local q = redis.call('HGET', key, 'queue')
        redis.call('HSET', key, 'state', 'retrying', 'error', err, 'updated', now, 'lease', 0)
        mark_failing(key, now)
        move_index(ARGV[2], id, 'running', 'retrying', now)
        redis.call('ZADD', ARGV[4] .. q, now + delay, id)
        touch(q)
      elseif kind == 'released' then
        local q = redis.call('HGET', key, 'queue')
        local a = redis.call('HINCRBY', key, 'attempt', -1)
        local to = 'retrying'
        if a <= 0 then to = 'queued' end
        redis.call('HSET', key, 'state', to, 'updated', now, 'lease', 0)
        move_index(ARGV[2], id, 'running', to, now)
        redis.call('RPUSH', ARGV[3] .. q, id)
        touch(q)
      elseif kind == 'cancelled' then
        redis.call('HSET', key, 'state', 'cancelled', 'finished', now, 'updated', now, 'lease', 0)
        move_index(ARGV[2], id, 'running', 'cancelled', now)
        release_unique(KEYS[2], key, id)
        redis.call('PEXPIRE', key, ret)
        trim = true
      else
        redis.call('HSET', key, 'state', kind, 'error', err, 'finished', now, 'updated', now, 'lease', 0)
        move_index(ARGV[2], id, 'running', kind, now)
        release_unique(KEYS[2], key, id)
      end
    elseif st == 'cancelled' then
      redis.call('HSET', key, 'finished', now, 'lease', 0)
    end
  end
end
if trim then
  redis.call('ZREMRANGEBYSCORE', ARGV[2] .. 'completed', '-inf', now - ret)
  redis.call('ZREMRANGEBYSCORE', ARGV[2] .. 'cancelled', '-inf', now - ret)
end
return recorded
`)

// heartbeatScript renews leases of one tenant.
//
// KEYS[1] semaphore zset
// ARGV[1] job key prefix, ARGV[2] lease (ms); then id, attempt per lease.
// Returns one integer per lease: 0 held, 1 held but cancelled, 2 lost.
var heartbeatScript = redis.NewScript(prelude + `
local deadline = now_ms() + tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV, 2 do
  local id, attempt = ARGV[i], ARGV[i+1]
  local key = ARGV[1] .. id
  if redis.call('ZSCORE', KEYS[1], id) and redis.call('HGET', key, 'attempt') == attempt then
    redis.call('ZADD', KEYS[1], 'XX', deadline, id)
    redis.call('HSET', key, 'lease', deadline)
    if redis.call('HGET', key, 'state') == 'cancelled' then out[#out + 1] = 1 else out[#out + 1] = 0 end
  else
    out[#out + 1] = 2
  end
end
return out
`)

// progressScript stores a running job's progress if its lease is held.
//
// KEYS[1] semaphore zset, KEYS[2] job hash
// ARGV[1] job id, ARGV[2] attempt, ARGV[3] percent, ARGV[4] message
// Returns 1 when stored, 0 when the lease is not held.
var progressScript = redis.NewScript(prelude + `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('HGET', KEYS[2], 'attempt') == ARGV[2] then
  redis.call('HSET', KEYS[2], 'progress', ARGV[3], 'pmsg', ARGV[4], 'updated', now_ms())
  return 1
end
return 0
`)

// cancelScript cancels a queued, retrying or running job. A queued id stays
// in its ready list and is skipped when popped; a running job keeps its slot
// until its worker finishes or its lease is recovered.
//
// KEYS[1] job hash, KEYS[2] unique hash
// ARGV[1] job id, ARGV[2] index key prefix, ARGV[3] scheduled key prefix,
// ARGV[4] retention (ms)
// Returns {"ok"|"missing"|state, HGETALL}.
var cancelScript = redis.NewScript(prelude + `
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'missing', {}} end
if st ~= 'queued' and st ~= 'retrying' and st ~= 'running' then
  return {st, redis.call('HGETALL', KEYS[1])}
end
local now = now_ms()
local id = ARGV[1]
redis.call('ZREM', ARGV[3] .. redis.call('HGET', KEYS[1], 'queue'), id)
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'updated', now)
if st ~= 'running' then
  redis.call('HSET', KEYS[1], 'finished', now)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
end
move_index(ARGV[2], id, st, 'cancelled', now)
release_unique(KEYS[2], KEYS[1], id)
return {'ok', redis.call('HGETALL', KEYS[1])}
`)

// requeueScript puts a dead or failed job back in its ready list with the
// attempts reset, and its tenant in the queue's rotation.
//
// KEYS[1] job hash, KEYS[2] unique hash
// ARGV[1] job id, ARGV[2] index key prefix, ARGV[3] queue key prefix,
// ARGV[4] ring key prefix, ARGV[5] tenant
// Returns {"ok"|"missing"|state, HGETALL}.
var requeueScript = redis.NewScript(prelude + `
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'missing', {}} end
if st ~= 'dead' and st ~= 'failed' then
  return {st, redis.call('HGETALL', KEYS[1])}
end
local now = now_ms()
local id = ARGV[1]
redis.call('HSET', KEYS[1], 'state', 'queued', 'attempt', 0, 'updated', now, 'finished', 0, 'progress', 0, 'pmsg', '', 'failing_since', 0)
redis.call('PERSIST', KEYS[1])
local u = redis.call('HGET', KEYS[1], 'unique')
if u and u ~= '' then redis.call('HSETNX', KEYS[2], u, id) end
move_index(ARGV[2], id, st, 'queued', now)
local q = redis.call('HGET', KEYS[1], 'queue')
redis.call('LPUSH', ARGV[3] .. q, id)
ring_add(ARGV[4], q, ARGV[5])
return {'ok', redis.call('HGETALL', KEYS[1])}
`)

// recoverScript reclaims the expired leases of one tenant: each expired slot
// is removed with ZREM, and only the caller whose ZREM removed it acts, so a
// lease is recovered exactly once however many processes recover at once.
// It also finds running jobs whose slot is missing (the semaphore key was
// deleted or evicted) from the running index and the lease deadline stored
// in the job itself, once that deadline passed. The job goes back to the
// front of its ready list (retrying) and rejoins the rotation, or to dead
// when its attempts are exhausted (releasing its unique key); a cancelled
// job just finishes.
//
// KEYS[1] semaphore zset, KEYS[2] unique hash
// ARGV[1] job key prefix, ARGV[2] index key prefix, ARGV[3] queue key prefix,
// ARGV[4] ring key prefix, ARGV[5] tenant
// Returns the number of leases recovered.
var recoverScript = redis.NewScript(prelude + `
local now = now_ms()
local count, seen = 0, {}
local function reclaim(id)
  count = count + 1
  local key = ARGV[1] .. id
  local st = redis.call('HGET', key, 'state')
  if st == 'running' then
    local q = redis.call('HGET', key, 'queue')
    local attempt = tonumber(redis.call('HGET', key, 'attempt'))
    local maxa = tonumber(redis.call('HGET', key, 'max'))
    if attempt >= maxa then
      redis.call('HSET', key, 'state', 'dead', 'error', 'lease expired', 'finished', now, 'updated', now, 'lease', 0)
      move_index(ARGV[2], id, 'running', 'dead', now)
      release_unique(KEYS[2], key, id)
    else
      redis.call('HSET', key, 'state', 'retrying', 'error', 'lease expired', 'updated', now, 'lease', 0)
      mark_failing(key, now)
      move_index(ARGV[2], id, 'running', 'retrying', now)
      redis.call('RPUSH', ARGV[3] .. q, id)
      if not seen[q] then seen[q] = true; ring_add(ARGV[4], q, ARGV[5]) end
    end
  elseif st == 'cancelled' then
    redis.call('HSET', key, 'finished', now, 'lease', 0)
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'LIMIT', 0, 1000)
for _, id in ipairs(expired) do
  if redis.call('ZREM', KEYS[1], id) == 1 then reclaim(id) end
end
local running = redis.call('ZRANGE', ARGV[2] .. 'running', 0, 999)
for _, id in ipairs(running) do
  if not redis.call('ZSCORE', KEYS[1], id) then
    local key = ARGV[1] .. id
    local st = redis.call('HGET', key, 'state')
    if st == 'running' then
      if (tonumber(redis.call('HGET', key, 'lease')) or 0) < now then reclaim(id) end
    elseif not st then
      redis.call('ZREM', ARGV[2] .. 'running', id) -- the job itself is gone
    end
  end
end
return count
`)

// ringNextScript rotates a queue's tenant ring and returns its next tenants.
//
// KEYS[1] ring list, KEYS[2] generation hash
// ARGV[1] most tenants
// Returns {tenant, generation, tenant, generation, ...}.
var ringNextScript = redis.NewScript(`
local n = math.min(tonumber(ARGV[1]), redis.call('LLEN', KEYS[1]))
local out = {}
for i = 1, n do
  local t = redis.call('LMOVE', KEYS[1], KEYS[1], 'LEFT', 'RIGHT')
  out[#out + 1] = t
  out[#out + 1] = redis.call('HGET', KEYS[2], t) or '0'
end
return out
`)

// ringAddScript marks tenants as having work in a queue. A new member goes to
// the front so that a tenant with fresh work is served next; the generation
// counter always moves so that a concurrent removal of a stale view fails.
//
// KEYS[1] ring list, KEYS[2] generation hash, KEYS[3] member set
// ARGV tenants
// Returns the number of tenants that joined the ring.
var ringAddScript = redis.NewScript(`
local added = 0
for _, t in ipairs(ARGV) do
  redis.call('HINCRBY', KEYS[2], t, 1)
  if redis.call('SADD', KEYS[3], t) == 1 then
    redis.call('LPUSH', KEYS[1], t)
    added = added + 1
  end
end
return added
`)

// ringRemoveScript removes a tenant found empty from the ring, unless work
// was added since the caller read its generation.
//
// KEYS[1] ring list, KEYS[2] generation hash, KEYS[3] member set
// ARGV[1] tenant, ARGV[2] generation read with ringNextScript
// Returns 1 when removed.
var ringRemoveScript = redis.NewScript(`
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') == ARGV[2] then
  redis.call('LREM', KEYS[1], 0, ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[1])
  return 1
end
return 0
`)

var allScripts = []*redis.Script{enqueueScript, dequeueScript, finishScript, heartbeatScript,
	progressScript, cancelScript, requeueScript, recoverScript, ringNextScript, ringAddScript, ringRemoveScript}
