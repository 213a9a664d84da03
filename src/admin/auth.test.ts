// Admin keys: hashed, Bearer only, and team keys limited to their subgraphs (no rollback).
import { sha256Hex } from '../identity/apiKeys';
import { createAdminKeyStore, denyReason } from './auth';

const lookup = createAdminKeyStore([
  { client: 'platform', key: 'platform-key-0123456789' },
  { client: 'team-products', sha256: sha256Hex('products-key-0123456789'), subgraphs: ['products'] },
]);

describe('admin keys', () => {
  it('accepts a configured key as a Bearer token, by clear text or by hash', () => {
    expect(lookup('Bearer platform-key-0123456789')).toEqual({ client: 'platform' });
    expect(lookup('bearer products-key-0123456789')?.client).toBe('team-products');
  });

  it('refuses missing, malformed and unknown keys', () => {
    expect(lookup(undefined)).toBeUndefined();
    expect(lookup('platform-key-0123456789')).toBeUndefined();
    expect(lookup('Basic cGxhdGZvcm0=')).toBeUndefined();
    expect(lookup('Bearer wrong-key-0123456789')).toBeUndefined();
  });

  it('lets a team key check and publish only its subgraphs, and never roll back', () => {
    const team = lookup('Bearer products-key-0123456789')!;
    expect(denyReason(team, { kind: 'publish', subgraph: 'products' })).toBeUndefined();
    expect(denyReason(team, { kind: 'read' })).toBeUndefined();
    expect(denyReason(team, { kind: 'check', subgraph: 'reviews' })).toMatch(/may not check subgraph "reviews"/);
    expect(denyReason(team, { kind: 'rollback' })).toMatch(/cannot roll back/);
  });

  it('lets an unrestricted key do everything', () => {
    const platform = lookup('Bearer platform-key-0123456789')!;
    expect(denyReason(platform, { kind: 'rollback' })).toBeUndefined();
    expect(denyReason(platform, { kind: 'publish', subgraph: 'anything' })).toBeUndefined();
  });
});
