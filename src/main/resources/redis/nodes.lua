-- The live nodes of the cluster, so a node that asks every other one (a disconnect) knows whose
-- answers to wait for. Each node beats every presence.ttlMs / 3; one that stops (it died, or lost
-- Redis) drops out after the ttl, as its presence entries do.
-- KEYS[1] zset node -> expiry ms
-- ARGV[1] op: beat | leave | live, ARGV[2] ttl ms, ARGV[3] the calling node
-- beat: (re)registers the caller and returns how many nodes are live; leave: unregisters it (a
-- clean shutdown); live: the live nodes
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)

local op = ARGV[1]
if op == 'beat' then
  redis.call('ZADD', KEYS[1], nowMs + ttl, ARGV[3])
  -- the key outlives its entries, and vanishes when every node is gone
  redis.call('PEXPIRE', KEYS[1], ttl * 2)
  return redis.call('ZCARD', KEYS[1])
elseif op == 'leave' then
  return redis.call('ZREM', KEYS[1], ARGV[3])
else
  return redis.call('ZRANGE', KEYS[1], 0, -1)
end
