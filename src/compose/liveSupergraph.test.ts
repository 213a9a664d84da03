// LiveSupergraph with a fake source: wake-ups reload at once, a broken supergraph is refused once (not re-validated
// on every poll), and `waitForFirst` retries until a valid supergraph arrives instead of failing.
import pino from 'pino';
import { composeSupergraph } from './compose';
import { LiveSupergraph } from './liveSupergraph';

function supergraph(fields: string): string {
  const result = composeSupergraph([
    { name: 'a', url: 'http://127.0.0.1:1/graphql', sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { ${fields} }` },
  ]);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.supergraphSdl;
}

const V1 = supergraph('a: Int');
const V2 = supergraph('a: Int b: Int');
const logger = pino({ level: 'silent' });

function source(initial: string | Error) {
  let current: string | Error = initial;
  let loads = 0;
  let wake: ((reason: string) => void) | undefined;
  return {
    set: (next: string | Error) => (current = next),
    get loads() {
      return loads;
    },
    wake: (reason: string) => wake?.(reason),
    load: async () => {
      loads += 1;
      if (current instanceof Error) throw current;
      return current;
    },
    subscribe: async (w: (reason: string) => void) => {
      wake = w;
      return async () => void (wake = undefined);
    },
  };
}

async function settle(live: LiveSupergraph): Promise<void> {
  await live.reload('test');
}

describe('LiveSupergraph', () => {
  it('reloads on a wake-up and hands the new supergraph to the gateway', async () => {
    const src = source(V1);
    const updates: string[] = [];
    const live = new LiveSupergraph({ load: src.load, subscribe: src.subscribe, logger });
    const { supergraphSdl } = await live.initialize({ update: (sdl) => updates.push(sdl), healthCheck: async () => {}, getDataSource: () => undefined as never });
    expect(supergraphSdl).toBe(V1);
    src.set(V2);
    src.wake('published');
    await settle(live);
    expect(updates).toEqual([V2]);
    expect(live.status.reloads).toBe(1);
    await live.stop();
  });

  it('refuses a broken supergraph once, keeps the last good one, and does not re-validate it on every poll', async () => {
    const src = source(V1);
    const live = new LiveSupergraph({ load: src.load, logger });
    await live.initialize({ update: () => {}, healthCheck: async () => {}, getDataSource: () => undefined as never });
    const good = live.status.hash;
    src.set('type Query { broken');
    await live.reload('poll');
    expect(live.status.hash).toBe(good);
    expect(live.status.lastError).toMatchObject({ message: expect.stringContaining('Syntax Error'), hash: expect.any(String) });
    const { at } = live.status.lastError!;
    await live.reload('poll');
    expect(live.status.lastError!.at).toBe(at);
    await live.stop();
  });

  it('waits for a first valid supergraph instead of failing (waitForFirst)', async () => {
    const src = source(new Error('nothing published yet'));
    const live = new LiveSupergraph({ load: src.load, subscribe: src.subscribe, waitForFirst: true, logger });
    let done = false;
    const initializing = live.initialize({ update: () => {}, healthCheck: async () => {}, getDataSource: () => undefined as never }).then((r) => {
      done = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    expect(live.status).toMatchObject({ loaded: false, lastError: { message: 'nothing published yet' } });
    src.set('not a supergraph');
    src.wake('published');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    src.set(V2);
    src.wake('published');
    expect((await initializing).supergraphSdl).toBe(V2);
    expect(live.status).toMatchObject({ loaded: true, lastError: undefined });
    await live.stop();
  });

  it('gives up waiting when stopped', async () => {
    const src = source(new Error('nothing yet'));
    const live = new LiveSupergraph({ load: src.load, waitForFirst: true, logger });
    const initializing = live.initialize({ update: () => {}, healthCheck: async () => {}, getDataSource: () => undefined as never });
    await live.stop();
    await expect(initializing).rejects.toThrow('stopped before a supergraph was loaded');
  });
});
