/**
 * Follows the change feed and keeps its place: what a system mirroring the plan's status runs.
 *
 *   PLAN_TRACKER_URL=http://127.0.0.1:3000 PLAN_TRACKER_TOKEN=pt_… npx tsx examples/follow-changes.ts --cursor-file mirror.cursor [--types report,assignment] [--follow]
 *
 * Prints each change as one JSON line (`id`, `type`, `at`, `resource`, `unitId`, `state`) and, after each page, writes
 * the page's `nextCursor` to the cursor file (a temporary file renamed over it, so a crash leaves the old cursor or the
 * new one, never half of one). Started again, it goes on after the last change it wrote down: stopped for an hour or
 * killed, it misses nothing. A change printed but not yet written down is printed again after a crash: handle changes
 * idempotently, by `id`. `--follow` keeps asking every `--interval` seconds (default 10) instead of stopping at the end.
 * Exit code 0 when it reached the end, 2 when it could not run (usage, server).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createPlanTrackerClient, describeProblem, type PlanTrackerClient, type Schemas } from '../client/index.js';

export type Change = Schemas['Change'];

/** The cursor written down last time; 0 (the start) when there is none. */
export function readCursor(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^\d{1,16}$/.test(text)) throw new Error(`${file} does not hold a cursor: “${text.slice(0, 40)}”`);
  return Number(text);
}

/** Writes the cursor so that the file always holds a whole one: written beside it, flushed, renamed over it. */
export function writeCursor(file: string, cursor: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, `${cursor}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/** Reads the feed from the cursor file's place to its end, handing each change to `onChange`; the cursor it reached. */
export async function catchUp(api: PlanTrackerClient, options: { cursorFile: string; types?: string | undefined; onChange: (change: Change) => void }): Promise<number> {
  let cursor = readCursor(options.cursorFile);
  for (;;) {
    const query = { after: cursor, limit: 500, ...(options.types === undefined ? {} : { types: options.types }) };
    const { data, error, response } = await api.GET('/api/v1/changes', { params: { query } });
    if (!data) throw new Error(`could not read the change feed: ${describeProblem(error, response.status)}`);
    data.items.forEach(options.onChange);
    cursor = data.nextCursor;
    writeCursor(options.cursorFile, cursor);
    if (!data.hasMore) return cursor;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      token: { type: 'string' },
      'cursor-file': { type: 'string' },
      types: { type: 'string' },
      follow: { type: 'boolean' },
      interval: { type: 'string', default: '10' },
    },
  });
  const cursorFile = values['cursor-file'];
  const interval = Number(values.interval);
  if (cursorFile === undefined || !Number.isInteger(interval) || interval < 1) {
    console.error('usage: follow-changes.ts --cursor-file FILE [--types report,assignment.acknowledged] [--follow [--interval SECONDS]] [--base-url URL] [--token TOKEN]');
    return 2;
  }
  const api = createPlanTrackerClient({
    baseUrl: values['base-url'] ?? process.env.PLAN_TRACKER_URL ?? 'http://127.0.0.1:3000',
    token: values.token ?? process.env.PLAN_TRACKER_TOKEN,
  });
  const print = (change: Change) => console.log(JSON.stringify(change));
  for (;;) {
    await catchUp(api, { cursorFile, types: values.types, onChange: print });
    if (!values.follow) return 0;
    await new Promise((resolve) => setTimeout(resolve, interval * 1000));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`follow-changes: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
