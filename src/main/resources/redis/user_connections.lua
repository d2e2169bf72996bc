-- The connections of one user on every node, for limits.maxConnectionsPerUser. Each connection is
-- a member of a sorted set scored with its expiry; its node refreshes it every presence.ttlMs / 3,
-- so the connections of a node that died stop counting after the ttl, and are swept here by
-- whoever touches the user next.
-- KEYS[1] zset <node>/<connection> -> expiry ms
-- ARGV[1] op: acquire | release | refresh | restore, ARGV[2] entry ttl ms, ARGV[3] the limit
-- (acquire), then the connections: one for acquire and release, the node's connections of the
-- user for refresh and restore
-- acquire returns 1 when the connection was counted, 0 when the user already has the limit
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)

local function keepKey()
  -- twice the entry ttl: the key outlives its entries, and vanishes when no node refreshes it
  redis.call('PEXPIRE', KEYS[1], ttl * 2)
end

local op = ARGV[1]
if op == 'acquire' then
  local connection = ARGV[4]
  if not redis.call('ZSCORE', KEYS[1], connection)
      and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    return 0
  end
  redis.call('ZADD', KEYS[1], nowMs + ttl, connection)
  keepKey()
  return 1
elseif op == 'release' then
  return redis.call('ZREM', KEYS[1], ARGV[4])
elseif op == 'refresh' then
  -- only entries still there: one that is gone was released (a refresh sent before a release may
  -- arrive after it)
  for i = 4, #ARGV do
    redis.call('ZADD', KEYS[1], 'XX', nowMs + ttl, ARGV[i])
  end
  keepKey()
  return 0
else
  -- restore: after the node's link to Redis came back (Redis may have restarted empty), or after
  -- connections were counted on this node only while Redis was unreachable
  for i = 4, #ARGV do
    redis.call('ZADD', KEYS[1], nowMs + ttl, ARGV[i])
  end
  keepKey()
  return 0
end
