/**
 * The Lua script of a publish whose topic has a history (Redis EVAL runs it atomically): one id for the
 * message, the history entries, then the PUBLISH, so every process sees the same id on the channel and in
 * the stream, and the stream's order is the channel's.
 *
 * Ids are microseconds since the epoch from the Redis server's clock (TIME), kept strictly increasing by
 * a key holding the last one: the same scale as mods-sse's own event ids (start time in µs), so ids keep
 * increasing across restarts of a server process. A stream entry's id is `<id>-0`.
 * Lua numbers are doubles: µs since 1970 (~1.8e15) are exact below 2^53 (~9e15).
 *
 * KEYS[1] the last-id key, KEYS[2..] the history streams. ARGV[1] channel, ARGV[2] topic, ARGV[3] head,
 * ARGV[4] rest, ARGV[5..] each stream's MAXLEN.
 */
export const PUBLISH_WITH_HISTORY = `
local t = redis.call('TIME')
local id = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if id <= last then id = last + 1 end
local ids = string.format('%.0f', id)
redis.call('SET', KEYS[1], ids)
local msg = ARGV[3] .. ids .. ':' .. ARGV[4]
for i = 2, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[i + 3], ids .. '-0', 't', ARGV[2], 'm', msg)
end
redis.call('PUBLISH', ARGV[1], msg)
return ids
`;

/**
 * Marks where each history begins (KEYS: the start keys), unless marked already: now, on the Redis
 * server's clock. Run when a history is kept and whenever the bus (re)connects, so after a Redis restart
 * (streams lost) a client whose last id is older than the new start is told to reload (reset).
 */
export const MARK_STARTS = `
local t = redis.call('TIME')
local ids = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
for i = 1, #KEYS do redis.call('SET', KEYS[i], ids, 'NX') end
return ids
`;

/**
 * Several publishes without history in one command (ARGV: channel, payload, channel, payload…), in their
 * order: one client command for a turn's publishes instead of one each. A script runs atomically; the
 * bus bounds a batch (MAX_BATCH, MAX_BATCH_BYTES in redis-bus.ts) so it holds Redis briefly.
 *
 * Each PUBLISH is a `redis.pcall`: Redis never rolls back what a script already did, so a PUBLISH refused
 * part-way (an ACL channel restriction) must not abort the script, or the caller could not tell which
 * messages went out. Returns the refused ones: message index (1-based), error text, index, error text…
 * (empty when every PUBLISH was taken).
 */
export const PUBLISH_MANY = `
local failed = {}
for i = 1, #ARGV, 2 do
  local r = redis.pcall('PUBLISH', ARGV[i], ARGV[i + 1])
  if type(r) == 'table' and r.err then
    failed[#failed + 1] = (i + 1) / 2
    failed[#failed + 1] = r.err
  end
end
return failed
`;
