// The Redis side of the counter store: the only code that counts. Each script runs atomically on the server, so
// N gateway instances see one sequence of counts per key — exactly `max` hits are ever admitted per window.
// Semantics mirror memory.ts (see types.ts); the batch's keys share a hash tag, so they live in one Cluster slot.

/**
 * KEYS: one counter per op. ARGV[1]: "1" when a budget charge must not be made after a refused hit.
 * Then 4 values per op: amount, max, expire-at (ms since the epoch), kind ("h" hit, "u" hitIfAdmitted,
 * "c" charge). Returns one {count, admitted} pair per op.
 */
export const APPLY_SCRIPT = `
local requireAllHits = ARGV[1] == '1'
local refused = false
local results = {}
for i = 1, #KEYS do
  local at = 1 + (i - 1) * 4
  local amount = tonumber(ARGV[at + 1])
  local max = tonumber(ARGV[at + 2])
  local expireAt = ARGV[at + 3]
  local kind = ARGV[at + 4]
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  local fits = count + amount <= max
  local charge
  if kind == 'h' then
    charge = true
  elseif kind == 'u' then
    charge = fits
  else
    charge = fits and not (requireAllHits and refused)
  end
  if kind ~= 'c' and not fits then refused = true end
  if charge then
    -- INCRBY 0 still creates the key: a reconciliation after a charge of 0 has a counter to charge.
    count = redis.call('INCRBY', KEYS[i], amount)
    redis.call('PEXPIREAT', KEYS[i], expireAt)
  end
  local admitted = 0
  if fits and (kind ~= 'c' or charge) then admitted = 1 end
  results[i] = {count, admitted}
end
return results
`;

/**
 * KEYS[1]: a counter; ARGV[1]: delta; ARGV[2]: expire-at (ms since the epoch) for a counter that is gone, which
 * is created (as `apply` would have) rather than skipped. Returns the new count, never below 0.
 */
export const ADJUST_SCRIPT = `
local fresh = redis.call('EXISTS', KEYS[1]) == 0
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count < 0 then
  redis.call('INCRBY', KEYS[1], -count)
  count = 0
end
if fresh then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return count
`;
