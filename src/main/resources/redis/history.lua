-- Reads a channel's position and history in one step, so "what came after since" and "the top"
-- describe the same moment. A channel without meta is at offset 0 of a new epoch; for a node
-- that subscribes to it (ARGV[5] '1') the epoch is stored, so the offset its subscribers are acked
-- with stays valid for the publications that follow; a mere read stores nothing.
-- KEYS[1] meta hash, KEYS[2] history stream
-- ARGV[1] since offset ('' for the newest entries), ARGV[2] limit, ARGV[3] meta ttl ms,
-- ARGV[4] epoch to start with when the channel has none, ARGV[5] '1' to store it
-- Returns {epoch, top offset, oldest retained offset (-1: none or not asked), entries}
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  -- a stream without meta belongs to a lost epoch (Redis evicted or expired the meta first)
  if ARGV[5] == '1' then
    redis.call('HSET', KEYS[1], 'e', ARGV[4], 'o', 0)
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    redis.call('DEL', KEYS[2])
  end
  return {ARGV[4], 0, -1, {}}
end
local top = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
local limit = tonumber(ARGV[2])
local entries = {}
local oldest = -1
if ARGV[1] == '' then
  if limit > 0 then
    entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', limit)
  end
else
  if limit > 0 then
    entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1] .. '-0', '+', 'COUNT', limit)
  end
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
  if first[1] then
    oldest = tonumber(string.match(first[1][1], '^(%d+)'))
  end
end
return {epoch, top, oldest, entries}
