-- Presence of one channel across nodes. Each connection is a member of a sorted set scored with
-- its expiry: nodes refresh their own members, so the members of a node that died expire and are
-- swept here (with a leave for users that had no other connection) by whoever touches the channel.
-- KEYS[1] zset connection -> expiry ms, KEYS[2] hash connection -> user, KEYS[3] hash user -> count
-- ARGV[1] op: add | remove | refresh | restore | list, ARGV[2] entry ttl ms, ARGV[3] pub/sub channel for
-- leaves of swept users ('' for none), then for add/remove: connection, user; for refresh and
-- restore: the node's connections in this channel as connection, user pairs (restore re-adds the
-- missing ones, so a Redis that restarted empty learns the node's presence again)
-- Returns {result, swept}: the op's result, and the users the sweep found gone (their last
-- connection expired), whose leave the calling node announces on its event bus
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])

local function dropConnection(connection)
  local user = redis.call('HGET', KEYS[2], connection)
  redis.call('ZREM', KEYS[1], connection)
  redis.call('HDEL', KEYS[2], connection)
  if user and redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then
    redis.call('HDEL', KEYS[3], user)
    return true, user
  end
  return false, user
end

local swept = {}
for _, connection in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', nowMs)) do
  local left, user = dropConnection(connection)
  if left then
    swept[#swept + 1] = user
    if ARGV[3] ~= '' then
      redis.call('PUBLISH', ARGV[3], 'e leave ' .. user)
    end
  end
end

local function keepKeys()
  -- twice the entry ttl: the keys outlive their entries, and vanish when every node is gone
  for i = 1, 3 do
    redis.call('PEXPIRE', KEYS[i], ttl * 2)
  end
end

-- true when the user had no other connection here
local function addConnection(connection, user)
  if redis.call('ZADD', KEYS[1], nowMs + ttl, connection) == 1 then
    redis.call('HSET', KEYS[2], connection, user)
    return redis.call('HINCRBY', KEYS[3], user, 1) == 1
  end
  return false
end

local op = ARGV[1]
if op == 'add' then
  local first = addConnection(ARGV[4], ARGV[5])
  keepKeys()
  return {first and 1 or 0, swept}
elseif op == 'remove' then
  if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
    local left = dropConnection(ARGV[4])
    return {left and 1 or 0, swept}
  end
  return {0, swept}
elseif op == 'refresh' then
  -- only entries still there: one that is gone was removed (a refresh sent before a remove may
  -- arrive after it) or has not been added yet (its add will announce the join)
  for i = 4, #ARGV, 2 do
    redis.call('ZADD', KEYS[1], 'XX', nowMs + ttl, ARGV[i])
  end
  keepKeys()
  return {0, swept}
elseif op == 'restore' then
  -- after the node's link to Redis came back: Redis may have restarted empty
  for i = 4, #ARGV, 2 do
    addConnection(ARGV[i], ARGV[i + 1])
  end
  keepKeys()
  return {0, swept}
else
  return {redis.call('HGETALL', KEYS[3]), swept}
end
