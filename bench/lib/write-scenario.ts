import type autocannon from 'autocannon';
import type { Server } from './processes.js';
import { nextPost, REPORTS_PATH, type ReportSequence } from './report-bodies.js';

/** A single POST that autocannon rebuilds before every send, taking the next key and body from `sequence`. */
export function postRequests(sequence: ReportSequence): autocannon.Request[] {
  return [{ method: 'POST', path: REPORTS_PATH, setupRequest: (request) => ({ ...request, ...nextPost(sequence) }) }];
}

async function postOne(server: Server, sequence: ReportSequence) {
  const { token, body } = sequence.next();
  const response = await fetch(server.url + REPORTS_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`${server.name}: POST ${REPORTS_PATH} answered ${response.status}, expected 201: ${text.slice(0, 300)}`);
  return { sent: body, reply: JSON.parse(text) as { id?: unknown; narrative?: unknown }, outcome: response.headers.get('x-report-outcome') };
}

/**
 * One write on each server before the load, so a harness mistake (key, body, route) stops the run instead of
 * being measured as thousands of fast 4xx answers. Both must create (201) and answer with the new id.
 */
export async function checkWrites(baseline: Server, project: Server, sequences: Map<Server, ReportSequence>): Promise<void> {
  const base = await postOne(baseline, sequences.get(baseline)!);
  if (typeof base.reply.id !== 'number') throw new Error(`baseline: POST ${REPORTS_PATH} answered no id`);
  const proj = await postOne(project, sequences.get(project)!);
  if (typeof proj.reply.id !== 'number' || proj.outcome !== 'created' || proj.reply.narrative !== proj.sent.narrative) {
    throw new Error(`project: POST ${REPORTS_PATH} did not create the report sent (outcome ${proj.outcome})`);
  }
}
