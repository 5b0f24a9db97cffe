import { isDeepStrictEqual } from 'node:util';
import type { Server } from './processes.js';

interface TaskSummary {
  id: number;
  title: string;
}

export async function getJson(server: Server, path: string): Promise<unknown> {
  const response = await fetch(server.url + path, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`${server.name}: GET ${path} answered ${response.status}, expected 200`);
  return response.json();
}

function itemsOf<T = TaskSummary>(body: unknown, server: Server, path: string): T[] {
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new Error(`${server.name}: GET ${path} has no items array`);
  return items as T[];
}

/** The items of a list endpoint; an empty list stops the run, since the bench needs something to request. */
export async function listItems<T extends { id: number }>(server: Server, path: string): Promise<T[]> {
  const items = itemsOf<T>(await getJson(server, path), server, path);
  if (items.length === 0) throw new Error(`${server.name}: GET ${path} listed nothing`);
  return items;
}

/** The task ids the project serves, so the detail scenario hits every one of them. */
export async function listTaskIds(project: Server): Promise<number[]> {
  const path = '/api/v1/tasks?limit=500';
  return itemsOf(await getJson(project, path), project, path).map((task) => task.id);
}

/**
 * Both servers must serve the same rows, or the ratio compares different work. Same list ids/titles and a 200
 * for every path are required (throws otherwise); a body that differs in any other way is only reported,
 * since the project's shape may move while the baseline lags behind.
 */
export async function checkSameRows(baseline: Server, project: Server, listPath: string, paths: string[]): Promise<string[]> {
  const [baseList, projList] = await Promise.all([baseline, project].map((s) => getJson(s, listPath)));
  const summary = (body: unknown, server: Server) => itemsOf(body, server, listPath).map(({ id, title }) => ({ id, title }));
  if (!isDeepStrictEqual(summary(baseList, baseline), summary(projList, project))) {
    throw new Error(`GET ${listPath}: baseline and project list different task ids/titles`);
  }

  const differing: string[] = [];
  for (const path of [listPath, ...paths]) {
    const [baseBody, projBody] = await Promise.all([baseline, project].map((s) => getJson(s, path)));
    if (!isDeepStrictEqual(baseBody, projBody)) differing.push(path);
  }
  if (differing.length === 0) return [];
  return [`response bodies differ between baseline and project for ${differing.length} path(s), e.g. ${differing.slice(0, 3).join(', ')}`];
}
