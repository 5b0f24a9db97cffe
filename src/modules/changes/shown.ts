import type { Change } from './repository.js';

/** Where each kind of resource is read; an obligation is read with its assignment. */
const COLLECTIONS: Record<string, string> = {
  report: 'reports',
  assignment: 'assignments',
  obligation: 'assignments',
  chapter: 'chapters',
  task: 'tasks',
  measure: 'measures',
  milestone: 'milestones',
  indicator: 'indicators',
  unit: 'units',
  plan: 'plans',
};

/** A change as the feed and the webhooks show it: with a link to the resource it changed. */
export function shown(change: Change) {
  const { id, type, at, resourceType, resourceId, unitId, state } = change;
  const linked = resourceType === 'obligation' ? (state as { assignmentId: number }).assignmentId : resourceId;
  return { id, type, at, resource: { type: resourceType, id: resourceId, href: `/api/v1/${COLLECTIONS[resourceType]}/${linked}` }, unitId, state };
}
