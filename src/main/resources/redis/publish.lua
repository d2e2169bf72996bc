-- Appends a publication to a channel's history and fans it out, atomically: the offset returned
-- to the publisher is the offset every subscribed node sees, and history and pub/sub never differ.
-- KEYS[1] meta hash (e: epoch, o: last offset), KEYS[2] history stream (entry id <offset>-0),
-- KEYS[3] (optional) idempotency key: set, the publish happened already and its result is returned
-- ARGV[1] pub/sub channel, ARGV[2] data (JSON text), ARGV[3] publisher, ARGV[4] '1' when there is
-- a publisher, ARGV[5] history size, ARGV[6] history ttl ms, ARGV[7] meta ttl ms,
-- ARGV[8] epoch to start with when the channel has none (new, expired, evicted, or Redis lost its
-- data), ARGV[9] '1' when the publish may create the channel, '0' when it may not (the publisher is
-- out of new channels: limits.newChannelsPerSecond)
-- Returns {offset, epoch, ts, repeat}: repeat 1 when KEYS[3] was seen (nothing was published);
-- {0, '', '', 0} when the channel does not exist and may not be created.
-- Atomic under maxmemory too: Redis refuses a script with OOM only at its first write, before it
-- changed anything.
if KEYS[3] then
  local seen = redis.call('GET', KEYS[3])
  if seen then
    local offset, epoch, ts = string.match(seen, '^(%d+) (%S+) (%d+)$')
    return {tonumber(offset), epoch, ts, 1}
  end
end
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  if ARGV[9] == '0' then
    return {0, '', '', 0}
  end
  epoch = ARGV[8]
  redis.call('HSET', KEYS[1], 'e', epoch)
  -- a stream left from the lost epoch (Redis evicted or expired the meta before it) holds that
  -- epoch's offsets: never to be read as this one's, and XADD needs ids above its last one
  redis.call('DEL', KEYS[2])
end
local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
local now = redis.call('TIME')
local ts = string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
local size = tonumber(ARGV[5])
if size > 0 then
  if ARGV[4] == '1' then
    redis.call('XADD', KEYS[2], 'MAXLEN', size, offset .. '-0', 'd', ARGV[2], 't', ts, 'p', ARGV[3])
  else
    redis.call('XADD', KEYS[2], 'MAXLEN', size, offset .. '-0', 'd', ARGV[2], 't', ts)
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
else
  redis.call('DEL', KEYS[2])
end
local publisherLength = -1
local publisher = ''
if ARGV[4] == '1' then
  publisher = ARGV[3]
  publisherLength = #publisher
end
if KEYS[3] then
  redis.call('SET', KEYS[3], offset .. ' ' .. epoch .. ' ' .. ts, 'PX', ARGV[7])
end
redis.call('PUBLISH', ARGV[1],
  'm ' .. offset .. ' ' .. epoch .. ' ' .. ts .. ' ' .. publisherLength .. '\n' .. publisher .. ARGV[2])
return {offset, epoch, ts, 0}
