// APQ registrations in this instance's memory: least recently used first out, bounded by the bytes the texts
// take (not by count), so many distinct or large registrations can't grow the process without limit.
import type { ApqStore } from './types';

/** Per entry besides the text: the 64-character key, Map slot and object overhead (an estimate, on the safe side). */
const ENTRY_OVERHEAD_BYTES = 256;

/** V8 stores a string in one byte per character when it can, two otherwise; count two (the worst case). */
export function entryBytes(text: string): number {
  return text.length * 2 + ENTRY_OVERHEAD_BYTES;
}

export class MemoryApqStore implements ApqStore {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(hash: string): Promise<string | undefined> {
    return this.peek(hash);
  }

  /** Synchronous lookup (the Redis store's near cache uses it). */
  peek(hash: string): string | undefined {
    const text = this.entries.get(hash);
    if (text !== undefined) {
      // Re-inserting makes it the most recently used (Map keeps insertion order).
      this.entries.delete(hash);
      this.entries.set(hash, text);
    }
    return text;
  }

  async set(hash: string, text: string): Promise<void> {
    this.put(hash, text);
  }

  put(hash: string, text: string): void {
    const size = entryBytes(text);
    // A text larger than the whole store is served but not kept (it would evict everything else).
    if (size > this.maxBytes) return;
    const previous = this.entries.get(hash);
    if (previous !== undefined) {
      this.entries.delete(hash);
      this.bytes -= entryBytes(previous);
    }
    this.entries.set(hash, text);
    this.bytes += size;
    for (const [oldest, oldText] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entryBytes(oldText);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  status(): Record<string, unknown> {
    return { kind: 'memory', entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes };
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
  }
}
