// What the usage recorder knows about one operation as one client sends it: the data `tollgate check` reads to
// say which recently used operations a schema change would break.

export interface OperationUsage {
  /** The operation's name; undefined for an anonymous operation. */
  name?: string;
  /** sha256 (hex) of the query text as the client sent it. */
  queryHash: string;
  query: string;
  /** The principal's client (JWT client claim, API key client), else its subject, else `anonymous`. */
  client: string;
  /** Executions counted (since the entry was first kept). */
  count: number;
  /** Last execution, ms since the epoch. */
  lastSeen: number;
}

/** Where recorded usage can be read back, newest first; `since` in ms since the epoch. */
export interface UsageSource {
  recentOperations(since: number): Promise<OperationUsage[]>;
}
