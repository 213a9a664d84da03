// `check`: would this subgraph schema compose with the others as published, what would it change in the API
// clients see, and which recently used operations would it break. Pure given its inputs (composition included).
import { composeSupergraph, type ComposeError, type ComposeHint, type SubgraphInput } from '../compose/compose';
import { validateSupergraphSdl } from '../compose/validateSupergraph';
import type { OperationUsage } from '../telemetry/usage/types';
import { apiSchemaOf } from './apiSchema';
import { findBrokenOperations, type BrokenOperation } from './operationImpact';
import { diffSchemas, type SchemaDiff } from './schemaDiff';
import { sha256Hex, type RegistryState } from './state';

export interface CandidateSubgraph {
  name: string;
  sdl: string;
  /** Routing URL; defaults to the subgraph's current one (required for a new subgraph). */
  url?: string;
}

export interface UsageEvidence {
  /** Recently used operations (since `since`, ms since the epoch). */
  operations: OperationUsage[];
  since: number;
}

export interface CheckReport {
  subgraph: string;
  /** The subgraph is not part of the graph yet. */
  newSubgraph: boolean;
  /** What the candidate was compared with: the version served now (undefined: rover.yaml, nothing published). */
  base: { version?: number; hash: string };
  /** Composes, loads in the gateway, breaks nothing and no recently used operation. */
  ok: boolean;
  /** The candidate changes nothing in the supergraph. */
  unchanged: boolean;
  composition: { ok: boolean; errors: ComposeError[]; hints: ComposeHint[] };
  changes: SchemaDiff;
  /** Absent when no usage data was available. */
  operations?: { since: string; checked: number; broken: BrokenOperation[] };
  /** The supergraph the candidate composes into. */
  supergraph?: { hash: string };
}

export interface CheckResult {
  report: CheckReport;
  /** What a publish would commit, when the candidate composes. */
  composed?: { supergraphSdl: string; hash: string; subgraphs: SubgraphInput[] };
}

const NO_CHANGES: SchemaDiff = { breaking: [], dangerous: [], safe: [] };

/** The subgraphs with the candidate in place of its namesake (or added last). */
export function withCandidate(subgraphs: readonly SubgraphInput[], candidate: CandidateSubgraph): SubgraphInput[] | ComposeError {
  const existing = subgraphs.find((s) => s.name === candidate.name);
  const url = candidate.url ?? existing?.url;
  if (!url) {
    return { subgraph: candidate.name, code: 'ROUTING_URL_REQUIRED', message: `"${candidate.name}" is a new subgraph: give its routing URL (--routing-url)` };
  }
  const replacement: SubgraphInput = { name: candidate.name, url, sdl: candidate.sdl };
  return existing ? subgraphs.map((s) => (s.name === candidate.name ? replacement : s)) : [...subgraphs, replacement];
}

export function checkSubgraph(state: RegistryState, candidate: CandidateSubgraph, usage?: UsageEvidence): CheckResult {
  const base = { ...(state.version !== undefined ? { version: state.version } : {}), hash: state.hash };
  const newSubgraph = !state.subgraphs.some((s) => s.name === candidate.name);
  const failed = (errors: ComposeError[], hints: ComposeHint[] = []): CheckResult => ({
    report: { subgraph: candidate.name, newSubgraph, base, ok: false, unchanged: false, composition: { ok: false, errors, hints }, changes: NO_CHANGES },
  });

  const inputs = withCandidate(state.subgraphs, candidate);
  if (!Array.isArray(inputs)) return failed([inputs]);
  const composed = composeSupergraph(inputs);
  if (!composed.ok) return failed(composed.errors);
  // Composition accepts some supergraphs @apollo/gateway refuses to load; a publish must never ship one.
  const verdict = validateSupergraphSdl(composed.supergraphSdl);
  if (!verdict.ok) return failed([{ code: verdict.codes[0] ?? 'INVALID_SUPERGRAPH', message: `the gateway would refuse the supergraph: ${verdict.message}` }], composed.hints);

  const currentApi = apiSchemaOf(state.supergraphSdl);
  const candidateApi = apiSchemaOf(composed.supergraphSdl);
  const changes = diffSchemas(currentApi, candidateApi);
  const broken = usage ? findBrokenOperations(usage.operations, currentApi, candidateApi) : [];
  const hash = sha256Hex(composed.supergraphSdl);
  return {
    report: {
      subgraph: candidate.name,
      newSubgraph,
      base,
      ok: changes.breaking.length === 0 && broken.length === 0,
      unchanged: hash === state.hash,
      composition: { ok: true, errors: [], hints: composed.hints },
      changes,
      ...(usage ? { operations: { since: new Date(usage.since).toISOString(), checked: usage.operations.length, broken } } : {}),
      supergraph: { hash },
    },
    composed: { supergraphSdl: composed.supergraphSdl, hash, subgraphs: inputs },
  };
}
