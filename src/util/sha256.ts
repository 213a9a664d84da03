// The one SHA-256 hex digest used for API keys, registry versions, operation hashes and persisted-operation ids.
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
