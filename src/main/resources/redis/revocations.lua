-- The revocations of one user, shared by every node (POST /api/disconnect), so a revoked token is
-- refused on every node, nodes started later included. Readers use HMGET and ignore entries whose
-- until has passed; the key expires with its latest entry.
-- KEYS[1] hash: u -> '<revokedAtSec> <untilMs>': the user's tokens issued at or before
--               revokedAtSec (or without iat) are refused until untilMs;
--               t:<fingerprint> -> untilMs: that exact token is refused until then
-- ARGV[1] op: user | tokens, ARGV[2] the writer's clock in ms (untils are in that clock, so the
-- key's ttl is their distance from it); user: ARGV[3] revokedAtSec, ARGV[4] untilMs;
-- tokens: fingerprint, untilMs pairs
local writerNowMs = tonumber(ARGV[2])
local latest = 0

if ARGV[1] == 'user' then
  local revokedAt = tonumber(ARGV[3])
  local untilMs = tonumber(ARGV[4])
  local old = redis.call('HGET', KEYS[1], 'u')
  if old then
    local oldAt, oldUntil = string.match(old, '^(%d+) (%d+)$')
    if oldAt then
      -- a later revocation covers more tokens; none ends before an earlier one would have
      revokedAt = math.max(revokedAt, tonumber(oldAt))
      untilMs = math.max(untilMs, tonumber(oldUntil))
    end
  end
  redis.call('HSET', KEYS[1], 'u', string.format('%d %d', revokedAt, untilMs))
  latest = untilMs
else
  for i = 3, #ARGV, 2 do
    local untilMs = tonumber(ARGV[i + 1])
    local old = tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[i]) or '0')
    untilMs = math.max(untilMs, old)
    redis.call('HSET', KEYS[1], 't:' .. ARGV[i], string.format('%d', untilMs))
    latest = math.max(latest, untilMs)
  end
end

local ttl = latest - writerNowMs
-- PTTL is -1 for a key just created (no expiry yet): any ttl is longer
if ttl > 0 and ttl > redis.call('PTTL', KEYS[1]) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
