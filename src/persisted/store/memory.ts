// APQ registrations in this instance's memory: least recently used first out, bounded by the bytes the texts
// take (not by count), so many distinct or large registrations can't grow the process without limit.
import type { ApqStore } from './types';

/**
 * Heap per entry besides the text: the 64-character key string, the Map slot and the table's growth slack.
 * Measured with bench/apqHeap.ts on Node 20: 133–149 bytes whatever the text's length; counted as 160.
 */
export const ENTRY_OVERHEAD_BYTES = 160;
/** A character V8 can't store in one byte: then the whole string takes two bytes per character. */
// eslint-disable-next-line no-control-regex -- the range starts at U+0000 on purpose: every Latin-1 character is one byte
const TWO_BYTE = /[^\x00-\xff]/;

/** The heap an entry takes, as measured (bench/apqHeap.ts): one byte per character for Latin-1 text, else two. */
export function entryBytes(text: string): number {
  return (TWO_BYTE.test(text) ? text.length * 2 : text.length) + ENTRY_OVERHEAD_BYTES;
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
