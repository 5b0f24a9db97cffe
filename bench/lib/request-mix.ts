/** What the mixed workload sends and in which proportions: pure logic, no I/O, so the mix can be tested. */
import { nextPost, type Reporter, type ReportSequence } from './report-bodies.js';

export type RequestGroup = 'read' | 'write';

/** What autocannon needs to send one request. */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One kind of request in the mix, e.g. "task detail", sent `weight` times in every cycle of the mix. */
export interface MixTarget {
  name: string;
  group: RequestGroup;
  weight: number;
  /** The next request of this kind (the next id, key or body in its rotation). */
  next: () => OutgoingRequest;
}

/**
 * One cycle of the mix by smooth weighted round-robin (the way nginx spreads requests over weighted upstreams):
 * every target appears exactly `weight` times in `sum(weights)` slots, spread evenly rather than in runs, so
 * any stretch of the load has the mix's proportions, not a burst of one kind.
 */
export function weightedCycle<T extends { weight: number }>(targets: readonly T[]): T[] {
  if (targets.some((t) => !Number.isInteger(t.weight) || t.weight < 1)) throw new Error('weights must be positive integers');
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  const current = targets.map(() => 0);
  const cycle: T[] = [];
  for (let slot = 0; slot < total; slot++) {
    targets.forEach((t, i) => (current[i]! += t.weight));
    const chosen = current.indexOf(Math.max(...current));
    current[chosen]! -= total;
    cycle.push(targets[chosen]!);
  }
  return cycle;
}

/** An endless picker over `items`, in order. */
export function rotation<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to rotate through');
  let n = 0;
  return () => items[n++ % items.length]!;
}

/** Share of the mix's requests per group, e.g. { read: 0.9, write: 0.1 }. */
export function groupShares(targets: readonly MixTarget[]): Record<RequestGroup, number> {
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  const share = (group: RequestGroup) => targets.filter((t) => t.group === group).reduce((sum, t) => sum + t.weight, 0) / total;
  return { read: share('read'), write: share('write') };
}

const API = '/api/v1';
const SEARCH_TERMS = ['信用', '信易贷', '双公示', '营商环境', '诚信', '信用修复'];
const YEARS = [2021, 2022, 2023, 2024, 2025];

/** The ids and keys the mix's requests rotate through. */
export interface MixIds {
  taskIds: number[];
  measureIds: number[];
  unitIds: number[];
  chapterIds: number[];
  planIds: number[];
  indicatorIds: number[];
  /** Keys for reading reports (a reporter sees approved reports and its own unit's drafts). */
  readers: Reporter[];
}

/** GETs of `paths` in turn. */
function gets(paths: string[], headers?: () => Record<string, string>): () => OutgoingRequest {
  const nextPath = rotation(paths);
  return () => ({ method: 'GET', path: nextPath(), ...(headers ? { headers: headers() } : {}) });
}

const pages = (path: string, total: number, limit: number) => Array.from({ length: Math.ceil(total / limit) }, (_, page) => `${path}?limit=${limit}&offset=${page * limit}`);

/**
 * The mix, in requests per 100. Lists and details carry most of the reads, as people browse the plan; the
 * monitoring views cost several milliseconds each and are opened less often. Writes take the next (key, measure,
 * period) of `writes`, so each one creates a report (or updates a draft once every combination is used).
 */
export function mixTargets(ids: MixIds, writes: ReportSequence): MixTarget[] {
  const { taskIds, measureIds, unitIds, chapterIds, planIds, indicatorIds } = ids;
  const nextReader = rotation(ids.readers);
  const read = (name: string, weight: number, next: () => OutgoingRequest): MixTarget => ({ name, group: 'read', weight, next });
  return [
    read('tasks list', 15, gets([...pages(`${API}/tasks`, taskIds.length, 20), ...chapterIds.map((id) => `${API}/tasks?chapter=${id}`)])),
    read('task detail', 15, gets(taskIds.map((id) => `${API}/tasks/${id}`))),
    read('measures list', 9, gets(pages(`${API}/measures`, measureIds.length, 20))),
    read('measure detail', 9, gets(measureIds.map((id) => `${API}/measures/${id}`))),
    read('milestones list', 5, gets(YEARS.map((year) => `${API}/milestones?year=${year}&limit=50`))),
    read('indicators list', 4, gets([`${API}/indicators?limit=50`, ...YEARS.map((year) => `${API}/indicators?year=${year}`)])),
    read('units list', 3, gets([`${API}/units?limit=100`, `${API}/units?kind=county_government`])),
    read('unit detail', 3, gets(unitIds.map((id) => `${API}/units/${id}`))),
    read('plans and chapters', 3, gets([`${API}/plans`, ...planIds.map((id) => `${API}/plans/${id}`), `${API}/chapters`])),
    read('search', 8, gets(SEARCH_TERMS.map((q) => `${API}/search?q=${encodeURIComponent(q)}&limit=20`))),
    read(
      'reports list',
      8,
      gets([`${API}/reports?limit=20`, `${API}/reports?state=draft&limit=20`, `${API}/reports?period=2024&limit=20`], () => ({ authorization: `Bearer ${nextReader().token}` })),
    ),
    read('dashboard', 2, gets([`${API}/dashboard`, `${API}/dashboard?year=2024`])),
    read('unit scorecard', 2, gets(unitIds.map((id) => `${API}/units/${id}/scorecard`))),
    read('chapter progress', 2, gets(chapterIds.map((id) => `${API}/chapters/${id}/progress`))),
    read('follow-ups', 1, gets([`${API}/follow-ups?limit=20`])),
    read('indicator series', 1, gets(indicatorIds.map((id) => `${API}/indicators/${id}/series`))),
    { name: 'report write', group: 'write', weight: 10, next: () => nextPost(writes) },
  ];
}
