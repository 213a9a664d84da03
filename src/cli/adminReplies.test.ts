// Replies from /admin are validated before a formatter reads them: a wrong shape is an error naming the field.
import { readAdminReply } from './adminReplies';

const entry = { version: 2, hash: 'ab'.repeat(32), at: '2026-01-01T00:00:00.000Z', by: 'ci', action: 'publish', subgraph: 'products', summary: 'products: 1 addition', changes: [], subgraphs: {} };

describe('readAdminReply', () => {
  it('passes a history view through unchanged, unknown keys kept', () => {
    const view = { served: { hash: entry.hash, version: 2 }, entries: [{ ...entry, current: true, extra: 1 }] };
    expect(readAdminReply('historyView', view, 'http://gw/admin/history')).toEqual(view);
  });

  it.each([
    ['an HTML page', '<html>'],
    ['null', null],
    ['entries not a list', { served: null, entries: {} }],
    ['a version as text', { served: null, entries: [{ ...entry, version: '2', current: false }] }],
    ['a prototype key', JSON.parse('{"__proto__": {"served": null, "entries": []}}')],
  ])('refuses %s with a message naming the URL', (_name, json) => {
    expect(() => readAdminReply('historyView', json, 'http://gw/admin/history')).toThrow(/^http:\/\/gw\/admin\/history answered with JSON that is not a historyView: /);
  });

  it('refuses a publish outcome with an unknown status', () => {
    expect(() => readAdminReply('publishOutcome', { status: 'maybe' }, 'u')).toThrow(/not a publishOutcome/);
  });
});
