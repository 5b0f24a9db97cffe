/**
 * The mixed workload: 90% reads over the catalogue, reports and monitoring endpoints and 10% report writes, sent
 * to the project at a fixed rate, with latencies kept per kind of request and the server's memory and CPU
 * sampled from outside. `npm run bench` runs it for a minute, `npm run bench:soak` for ten.
 */
import type autocannon from 'autocannon';
import { envInt } from './harness.js';
import { summariseLatencies, type LatencySummary } from './latencies.js';
import { measure } from './measure.js';
import { cpuPercent, sampleUsage, signedPercent, type UsageSample, type UsageSummary } from './server-usage.js';
import { assertRunning, type Server } from './processes.js';
import { groupShares, weightedCycle, type MixIds, type MixTarget, type RequestGroup } from './request-mix.js';
import { listItems, listTaskIds } from './sanity.js';
import type { WriteFixture } from './write-fixture.js';

export interface MixedConfig {
  /** Requests per second across all connections (autocannon `overallRate`). */
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** How often the server's memory and CPU are sampled. */
  sampleIntervalSeconds: number;
}

export const MIXED_GOALS = {
  p99Ms: 50,
  /** The rate the p99 goal is set for. */
  goalRate: 1_000,
  maxMemoryGrowthPercent: 10,
  /** Below this share of the target rate the server has not kept up, and its latencies are not those at the rate. */
  minRateShare: 0.99,
};

/** The mixed workload's settings from the environment; `secondsVariable` tells the one-minute run from the soak. */
export function mixedConfig(secondsVariable: 'MIXED_SECONDS' | 'SOAK_SECONDS', defaultSeconds: number, sampleIntervalSeconds: number): MixedConfig {
  return {
    rate: envInt('MIXED_RATE', MIXED_GOALS.goalRate),
    seconds: envInt(secondsVariable, defaultSeconds),
    warmupSeconds: envInt('MIXED_WARMUP', 10),
    connections: envInt('MIXED_CONNECTIONS', 10),
    sampleIntervalSeconds,
  };
}

const idsOf = async (project: Server, path: string) => (await listItems(project, path)).map((item) => item.id);

export async function loadMixIds(project: Server, fixture: WriteFixture): Promise<MixIds> {
  const [taskIds, unitIds, chapterIds, planIds, indicatorIds] = await Promise.all([
    listTaskIds(project),
    idsOf(project, '/api/v1/units?limit=500'),
    idsOf(project, '/api/v1/chapters?limit=500'),
    idsOf(project, '/api/v1/plans'),
    idsOf(project, '/api/v1/indicators?limit=500'),
  ]);
  return { taskIds, measureIds: fixture.measureIds, unitIds, chapterIds, planIds, indicatorIds, readers: fixture.writers };
}

export interface Figures extends LatencySummary {
  name: string;
  requestsPerSecond: number;
  non2xx: number;
}

export interface KindFigures extends Figures {
  group: RequestGroup;
  weight: number;
  statusCodes: Record<string, number>;
}

/** A usage sample with what happened since the previous one, to see drift in a long run. */
export interface SeriesPoint extends UsageSample {
  requests: number;
  p99Ms: number | null;
  /** The server's CPU since the previous sample, in percent of one core; null for the first. */
  cpuPercent: number | null;
}

export interface MixedResult {
  config: MixedConfig;
  shares: Record<RequestGroup, number>;
  durationSeconds: number;
  /** all, reads, writes. */
  groups: Figures[];
  kinds: KindFigures[];
  /** Connection errors and timeouts cannot be told apart by kind: the request never got an answer. */
  errors: number;
  timeouts: number;
  /** X-Report-Outcome of the writes: created, updated or unchanged. */
  writeOutcomes: Record<string, number>;
  /** The server's RSS and CPU from the end of the warm-up to the end of the run. */
  usage: UsageSummary | undefined;
  series: SeriesPoint[];
}

interface Answer {
  target: MixTarget;
  outcome: string | undefined;
}

/**
 * Runs the mix against the project: an uncounted warm-up at the same rate, then the measured run, with memory
 * and CPU sampled from the end of the warm-up to the end of the run. `onSample` sees each series point as it is taken.
 */
export async function runMixedScenario(project: Server, targets: MixTarget[], config: MixedConfig, onSample?: (point: SeriesPoint) => void): Promise<MixedResult> {
  // One global cycle, not one per connection: the mix's proportions hold for what is sent, whichever connection sends it.
  const cycle = weightedCycle(targets);
  let slot = 0;
  const latencies = new Map(targets.map((t) => [t.name, [] as number[]]));
  const statusCodes = new Map(targets.map((t) => [t.name, {} as Record<string, number>]));
  const writeOutcomes: Record<string, number> = {};
  let sinceLastSample: number[] = [];

  // autocannon calls a request's onResponse and then, synchronously, emits the response with its latency; with one
  // request in flight per connection the connection's context still names the target that was answered.
  let answered: Answer | undefined;
  const request: autocannon.Request = {
    method: 'GET',
    path: '/',
    setupRequest: (base, context) => {
      const target = cycle[slot++ % cycle.length]!;
      (context as { target?: MixTarget }).target = target;
      return { ...base, ...target.next() };
    },
    onResponse: (_status, _body, context, headers) => {
      const target = (context as { target: MixTarget }).target;
      answered = { target, outcome: headers?.['x-report-outcome'] as string | undefined };
    },
  };
  const record = (statusCode: number, latencyMs: number) => {
    const { target, outcome } = answered!;
    latencies.get(target.name)!.push(latencyMs);
    sinceLastSample.push(latencyMs);
    const codes = statusCodes.get(target.name)!;
    codes[statusCode] = (codes[statusCode] ?? 0) + 1;
    if (target.group === 'write' && outcome !== undefined) writeOutcomes[outcome] = (writeOutcomes[outcome] ?? 0) + 1;
  };

  const series: SeriesPoint[] = [];
  const toPoint = (sample: UsageSample) => {
    const previous = series.at(-1);
    const point = {
      ...sample,
      requests: sinceLastSample.length,
      p99Ms: summariseLatencies(sinceLastSample).p99Ms,
      cpuPercent: previous === undefined ? null : cpuPercent(previous, sample),
    };
    sinceLastSample = [];
    series.push(point);
    onSample?.(point);
  };
  let sampler: ReturnType<typeof sampleUsage> | undefined;
  const measurement = await measure(
    { url: project.url, requests: [request], connections: config.connections, durationSeconds: config.seconds, overallRate: config.rate, onResponse: record },
    config.warmupSeconds,
    () => (sampler = sampleUsage(project.child.pid!, config.sampleIntervalSeconds, toPoint)),
  );
  const usage = sampler!.stop();
  assertRunning(project, 'during the mixed workload');

  const duration = measurement.durationSeconds;
  const non2xxOf = (target: MixTarget) => Object.entries(statusCodes.get(target.name)!).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? 0 : count), 0);
  const figures = (name: string, kinds: MixTarget[]): Figures => {
    const all = kinds.flatMap((t) => latencies.get(t.name)!);
    const non2xx = kinds.reduce((sum, t) => sum + non2xxOf(t), 0);
    return { name, requestsPerSecond: all.length / duration, non2xx, ...summariseLatencies(all) };
  };
  const shares = groupShares(targets);
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  return {
    config,
    shares,
    durationSeconds: duration,
    groups: [
      figures('all', targets),
      figures(
        `reads (${percent(shares.read)})`,
        targets.filter((t) => t.group === 'read'),
      ),
      figures(
        `writes (${percent(shares.write)})`,
        targets.filter((t) => t.group === 'write'),
      ),
    ],
    kinds: targets.map((t) => ({ ...figures(t.name, [t]), group: t.group, weight: t.weight, statusCodes: statusCodes.get(t.name)! })),
    errors: measurement.errors,
    timeouts: measurement.timeouts,
    writeOutcomes,
    usage,
    series,
  };
}

export interface GoalCheck {
  goal: string;
  figure: string;
  /** undefined when it could not be measured (memory without /proc). */
  met: boolean | undefined;
}

export function mixedGoals(result: MixedResult): GoalCheck[] {
  const all = result.groups[0]!;
  const { rate } = result.config;
  const { usage } = result;
  return [
    {
      goal: 'no non-2xx, errors or timeouts',
      figure: `${all.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts)`,
      met: all.non2xx === 0 && result.errors === 0,
    },
    {
      goal: `rate held: >= ${MIXED_GOALS.minRateShare * 100}% of ${rate} req/s`,
      figure: `${all.requestsPerSecond.toFixed(0)} req/s`,
      met: all.requestsPerSecond >= rate * MIXED_GOALS.minRateShare,
    },
    {
      goal: `p99 < ${MIXED_GOALS.p99Ms} ms at ${MIXED_GOALS.goalRate} req/s${rate === MIXED_GOALS.goalRate ? '' : ` (run at ${rate})`}`,
      figure: all.p99Ms === null ? 'no answers' : `${all.p99Ms.toFixed(1)} ms`,
      met: all.p99Ms !== null && all.p99Ms < MIXED_GOALS.p99Ms,
    },
    {
      goal: `RSS growth <= ${MIXED_GOALS.maxMemoryGrowthPercent}% after warm-up`,
      figure: usage === undefined ? 'not sampled (no /proc)' : signedPercent(usage.growthPercent),
      met: usage === undefined ? undefined : usage.growthPercent <= MIXED_GOALS.maxMemoryGrowthPercent,
    },
  ];
}
