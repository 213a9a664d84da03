// `planner: hive`: Hive Router's Rust query planner (@graphql-hive/router-query-planner, an N-API addon prebuilt
// for linux glibc and macOS, x64/arm64). Loaded only when configured, so `planner: apollo` runs where it cannot
// load (musl, Windows); there a clear one-line error stops the start. Plans off the event loop (`planAsync`).
import { Kind, print, visit, type DocumentNode, type SelectionSetNode } from 'graphql';
import type * as HiveAddon from '@graphql-hive/router-query-planner';
import { fromHivePlan } from './hivePlan';
import type { ExecPlan } from './planNodes';

type AddonModule = typeof HiveAddon;
let addon: AddonModule | Error | undefined;

/** The addon, or the one-line reason it cannot load on this machine. */
export function loadHiveAddon(): AddonModule {
  if (addon === undefined) {
    try {
      // require, not import: the package is optional at run time (it throws on a platform without a prebuilt binary).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      addon = require('@graphql-hive/router-query-planner') as AddonModule;
    } catch (error) {
      const reason = ((error as Error).message ?? String(error)).split('\n')[0].replace(/\.$/, '');
      addon = new Error(
        `planner: hive needs @graphql-hive/router-query-planner (prebuilt for linux glibc and macOS, x64/arm64), which cannot load here (${process.platform}-${process.arch}): ${reason}. Use planner: apollo.`,
      );
    }
  }
  if (addon instanceof Error) throw addon;
  return addon;
}

/**
 * The planner to run: the configured one (`hive` throws the one-line reason where the addon cannot load), or, when
 * none is configured, `hive` where the addon loads and `apollo` with a one-line warning where it cannot.
 */
export function resolvePlanner(configured: 'apollo' | 'hive' | undefined, logger: { warn(obj: object, msg: string): void }): 'apollo' | 'hive' {
  if (configured === 'apollo') return 'apollo';
  if (configured === 'hive') {
    loadHiveAddon();
    return 'hive';
  }
  try {
    loadHiveAddon();
    return 'hive';
  } catch (error) {
    logger.warn({ planner: 'apollo' }, `Hive's query planner (the default) cannot load here, so @apollo/query-planner plans: ${(error as Error).message.replace(/ Use planner: apollo\.$/, '')}`);
    return 'apollo';
  }
}

export class HivePlanner {
  private readonly planner: HiveAddon.QueryPlanner;

  constructor(supergraphSdl: string) {
    this.planner = new (loadHiveAddon().QueryPlanner)(supergraphSdl);
  }

  /**
   * Plans an operation that graphql-js has already validated (the Rust planner does not validate). `__schema` and
   * `__type` are answered in-process, and the planner refuses them, so they are left out of what it plans.
   */
  async plan(document: DocumentNode, operationName: string | undefined): Promise<ExecPlan> {
    // No progressive-override label is active and the percentage is 0: as @apollo/query-planner plans by default.
    const plan = await this.planner.planAsync(print(withoutIntrospection(document)), operationName ?? null, new Set(), 0);
    return fromHivePlan(plan);
  }

  /** The plan as Hive returns it, unconverted (subscriptions convert their own shape). */
  async raw(document: DocumentNode, operationName: string | undefined): Promise<{ node?: unknown }> {
    return this.planner.planAsync(print(document), operationName ?? null, new Set(), 0);
  }
}

/** The document without `__schema` / `__type` fields; a selection set they leave empty keeps a `__typename`. */
export function withoutIntrospection(document: DocumentNode): DocumentNode {
  let found = false;
  const stripped = visit(document, {
    Field(node) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return undefined;
      found = true;
      return null;
    },
  });
  if (!found) return document;
  return visit(stripped, {
    SelectionSet: {
      leave(node): SelectionSetNode | undefined {
        if (node.selections.length > 0) return undefined;
        return { ...node, selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] };
      },
    },
  });
}
