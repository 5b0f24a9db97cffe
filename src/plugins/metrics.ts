import fs from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import fastifyMetricsModule from 'fastify-metrics';
import client from 'prom-client';
import { problemResponses } from '../http/problem.js';
import { allow, ANY_ROLE } from './auth.js';

/** Request latency buckets, in seconds: most answers take milliseconds, exports and bulk imports seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Writes per group commit: one under light load, hundreds when a burst of reports shares one fsync. */
const GROUP_COMMIT_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

// A CommonJS module whose plugin is its `default` export: Node's ESM loader hands over the whole module.
const fastifyMetrics = fastifyMetricsModule.default;

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4';

let processRegistry: client.Registry | undefined;

/**
 * Process metrics (CPU, memory, event loop lag, GC) describe the process, not an app: collected once per process
 * (prom-client's collectors start timers and observers that are never stopped), shared by every app it builds.
 */
function processMetrics(): client.Registry {
  if (!processRegistry) {
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // no WAL file (yet, or after a clean close)
  }
}

export interface AppMetrics {
  /** The app's own metrics; the process metrics are added when scraped. */
  registry: client.Registry;
  /** Observes one group commit's size: give it to createGroupCommit as `onCommit`. */
  groupCommitted: (writes: number) => void;
  /** Counts one reminder message's outcome: sent, failed (given up) or retry (to be tried again). */
  reminderMessage: (channel: string, stage: string, outcome: 'sent' | 'failed' | 'retry') => void;
  /** Observes how long one supervision sweep took, in seconds. */
  reminderSweep: (seconds: number) => void;
  /** Counts one webhook attempt by what came of it (the dispatcher's `onOutcome`). */
  webhookAttempted: (outcome: WebhookOutcome) => void;
}

/** What a webhook attempt came to: delivered (2xx), failed with another try due, or failed and given up. */
export type WebhookOutcome = 'delivered' | 'failed_attempt' | 'gave_up';

export interface AppMetricSources {
  /** Messages waiting in the webhook outbox, counted when scraped. */
  webhookOutboxDepth?: () => number;
}

/** Sweep durations, in seconds: tens of milliseconds on a plan of thousands of obligations, more at a year end. */
const SWEEP_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The app's metrics, made before the database's group commit so that it can observe it. */
export function createAppMetrics(databasePath: string, sources: AppMetricSources = {}): AppMetrics {
  const registry = new client.Registry();
  const groupCommits = new client.Histogram({
    name: 'plan_tracker_group_commit_writes',
    help: 'Writes committed together by one group commit (one fsync’d COMMIT).',
    buckets: GROUP_COMMIT_BUCKETS,
    registers: [registry],
  });
  new client.Gauge({
    name: 'plan_tracker_database_size_bytes',
    help: 'Size of the SQLite database file and of its write-ahead log, read when scraped.',
    labelNames: ['file'],
    registers: [registry],
    collect() {
      if (databasePath === ':memory:') return;
      this.set({ file: 'database' }, fileSize(databasePath));
      this.set({ file: 'wal' }, fileSize(`${databasePath}-wal`));
    },
  });
  const reminderMessages = new client.Counter({
    name: 'plan_tracker_reminder_messages_total',
    help: 'Reminder messages by channel (email, wecom, dingtalk), stage (due_soon, overdue, still_overdue, returned) and outcome (sent; failed: given up; retry: to be tried again).',
    labelNames: ['channel', 'stage', 'outcome'],
    registers: [registry],
  });
  const sweeps = new client.Histogram({
    name: 'plan_tracker_reminder_sweep_seconds',
    help: 'Time one supervision sweep took (judging every open obligation, recording the stages reached).',
    buckets: SWEEP_BUCKETS,
    registers: [registry],
  });
  new client.Gauge({
    name: 'plan_tracker_webhook_outbox_depth',
    help: 'Webhook messages waiting to be delivered (pending, of active subscriptions), counted when scraped.',
    registers: [registry],
    collect() {
      if (sources.webhookOutboxDepth) this.set(sources.webhookOutboxDepth());
    },
  });
  const webhookAttempts = new client.Counter({
    name: 'plan_tracker_webhook_attempts_total',
    help: 'Webhook attempts by outcome: delivered (2xx), failed_attempt (another try is due), gave_up (failed past the give-up time).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // Every outcome shows from the start, at 0: a rate over a series that appears later misses its first increase.
  for (const outcome of ['delivered', 'failed_attempt', 'gave_up'] satisfies WebhookOutcome[]) webhookAttempts.inc({ outcome }, 0);
  return {
    registry,
    groupCommitted: (writes) => groupCommits.observe(writes),
    reminderMessage: (channel, stage, outcome) => reminderMessages.inc({ channel, stage, outcome }),
    reminderSweep: (seconds) => sweeps.observe(seconds),
    webhookAttempted: (outcome) => webhookAttempts.inc({ outcome }),
  };
}

/**
 * Times every request by route pattern (`/api/v1/reports/:id`, never the raw URL, so the labels stay bounded;
 * requests no route matched are `__unknown__`), method and status (fastify-metrics). Register it first, so that
 * requests refused by a later hook (rate limit, bad key) are counted too.
 */
export async function registerRequestMetrics(app: FastifyInstance, metrics: AppMetrics): Promise<void> {
  await app.register(fastifyMetrics, {
    promClient: client,
    endpoint: null, // our own route, documented in the contract (registerMetricsRoute)
    defaultMetrics: { enabled: false }, // per process (processMetrics)
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      registeredRoutesOnly: false,
      overrides: {
        histogram: { buckets: LATENCY_BUCKETS, registers: [metrics.registry], help: 'Time to answer a request, in seconds, by method, route pattern and status.' },
        summary: { registers: [] },
      },
    },
  });
}

const EXAMPLE = [
  '# HELP http_request_duration_seconds Time to answer a request, in seconds, by method, route pattern and status.',
  '# TYPE http_request_duration_seconds histogram',
  'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/tasks/:id",status_code="200"} 3',
  'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/tasks/:id",status_code="200"} 3',
  'http_request_duration_seconds_sum{method="GET",route="/api/v1/tasks/:id",status_code="200"} 0.0071',
  'http_request_duration_seconds_count{method="GET",route="/api/v1/tasks/:id",status_code="200"} 3',
  '# HELP plan_tracker_database_size_bytes Size of the SQLite database file and of its write-ahead log, read when scraped.',
  '# TYPE plan_tracker_database_size_bytes gauge',
  'plan_tracker_database_size_bytes{file="database"} 9105408',
  'plan_tracker_database_size_bytes{file="wal"} 4152',
  '',
].join('\n');

/** `GET /metrics`, outside `/api/v1` like `/health`: public, or for any API key when `requireKey`. */
export function registerMetricsRoute(app: FastifyInstance, metrics: AppMetrics, options: { requireKey: boolean }): void {
  const scraped = client.Registry.merge([processMetrics(), metrics.registry]);
  app.get(
    '/metrics',
    {
      ...(options.requireKey ? { onRequest: allow(ANY_ROLE) } : {}),
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Metrics for Prometheus',
        description: [
          'Prometheus text exposition format 0.0.4. `http_request_duration_seconds` (histogram; its `_count` counts requests) by `method`, `route` (the route pattern, `__unknown__` when none matched) and `status_code`;',
          '`plan_tracker_group_commit_writes` (histogram: writes per group commit); `plan_tracker_database_size_bytes` (the SQLite file and its WAL, by `file`);',
          '`plan_tracker_reminder_messages_total` (counter: reminder messages by `channel`, `stage` and `outcome` sent, failed or retry); `plan_tracker_reminder_sweep_seconds` (histogram: time per supervision sweep);',
          '`plan_tracker_webhook_outbox_depth` (gauge: webhook messages pending); `plan_tracker_webhook_attempts_total` (counter by `outcome`: delivered, failed_attempt, gave_up); the process metrics of prom-client (`process_*`, `nodejs_*`).',
          'Public unless the server runs with `METRICS_REQUIRE_KEY=true`, then any API key (a reader key for the scraper). Never rate-limited.',
        ].join(' '),
        response: {
          200: {
            description: 'The metrics, one sample a line.',
            content: { [METRICS_CONTENT_TYPE]: { schema: Type.String({ description: 'Prometheus text format 0.0.4.', examples: [EXAMPLE] }) } },
          },
          ...problemResponses(),
        },
      },
    },
    async (_request, reply) => {
      const text = await scraped.metrics();
      return reply.type(scraped.contentType).send(text);
    },
  );
}
