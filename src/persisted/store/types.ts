// Where APQ registrations live: text by the SHA-256 of the text. Implementations: memory.ts (LRU bounded by
// bytes), redis.ts (shared by the fleet, with a TTL, a memory near cache in front).

export interface ApqStore {
  /** The text registered under `hash` (64 lowercase hex), or undefined. Never throws: an outage is a miss. */
  get(hash: string): Promise<string | undefined>;
  /** Stores `text` under `hash`; the caller has checked that sha256(text) === hash. Never throws. */
  set(hash: string, text: string): Promise<void>;
  /** For /ready. */
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

/** APQ hashes as stored: exactly a SHA-256 in lowercase hex (anything else is never looked up). */
export const APQ_HASH = /^[0-9a-f]{64}$/;
