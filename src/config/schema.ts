// The shape of tollgate.yaml, validated once at start-up: each concern owns its section (a `config.ts` beside the
// code that reads it); this file assembles them. Objects are strict, so a misspelt key is an error that names it.
import { z } from 'zod';
import { supergraphConfig } from '../compose/config';
import { executorConfig, headersConfig, plannerConfig, plannerFallbackConfig, trafficConfig } from '../execute/config';
import { authenticationConfig, clientsConfig } from '../identity/config';
import { persistedOperationsConfig } from '../persisted/config';
import { dedupeConfig, limitsConfig } from '../pipeline/config';
import { authorizationConfig } from '../policy/authorization/config';
import { costConfig } from '../policy/cost/config';
import { rateLimitsConfig } from '../policy/ratelimit/config';
import { storeConfig } from '../policy/store/config';
import { publishConfig } from '../publish/config';
import { restConfig } from '../rest/config';
import { serverConfig } from '../server/config';
import { subscriptionsConfig } from '../subscriptions/config';
import { alertsConfig } from '../telemetry/alerts/config';
import { loggingConfig, metricsConfig, tracingConfig } from '../telemetry/config';
import { meteringConfig } from '../telemetry/metering/config';
import { usageConfig } from '../telemetry/usage/config';

// Key order is the order of defaults in the parsed config and of errors in a report: keep it.
export const configSchema = z.strictObject({
  server: serverConfig,
  supergraph: supergraphConfig,
  limits: limitsConfig,
  traffic: trafficConfig,
  headers: headersConfig,
  executor: executorConfig,
  planner: plannerConfig,
  plannerFallback: plannerFallbackConfig,
  dedupe: dedupeConfig,
  rest: restConfig,
  authentication: authenticationConfig,
  authorization: authorizationConfig,
  clients: clientsConfig,
  rateLimits: rateLimitsConfig,
  cost: costConfig,
  store: storeConfig,
  usage: usageConfig,
  publish: publishConfig,
  logging: loggingConfig,
  metrics: metricsConfig,
  tracing: tracingConfig,
  metering: meteringConfig,
  alerts: alertsConfig,
  persistedOperations: persistedOperationsConfig,
  subscriptions: subscriptionsConfig,
  // Cross-section rule: it reads two sections, so neither owns it.
}).refine((c) => !(c.planner === 'hive' && c.executor === 'apollo'), {
  message: '`planner: hive` needs `executor: tollgate` (the Apollo executor only runs @apollo/query-planner plans)',
  path: ['planner'],
});

export type TollgateConfig = z.output<typeof configSchema>;
export type TollgateConfigInput = z.input<typeof configSchema>;
