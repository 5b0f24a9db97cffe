import { SEED_EXAMPLES as EXAMPLE } from '../http/seed-examples.js';

interface Parameter {
  in: string;
  name: string;
  example?: unknown;
}
interface Operation {
  parameters?: Parameter[];
}
export interface ContractPaths {
  paths?: Record<string, Record<string, Operation>>;
}

/** The example for `{id}` by the collection it names: `/units/{id}/scorecard` takes a unit. */
const ID_BY_COLLECTION: Record<string, number> = {
  plans: EXAMPLE.plan,
  chapters: EXAMPLE.chapter,
  tasks: EXAMPLE.task,
  measures: EXAMPLE.measure,
  milestones: EXAMPLE.milestone,
  indicators: EXAMPLE.indicator,
  units: EXAMPLE.unit.id,
  assignments: EXAMPLE.assignment,
  reports: EXAMPLE.report,
  'api-keys': EXAMPLE.apiKey,
  webhooks: EXAMPLE.webhook,
  deliveries: EXAMPLE.webhookDelivery,
};

/**
 * Parameters whose example is not their collection's: returning needs a report still under review (the example
 * report is approved by then), a change names the ETag of the version read, and renaming and merging units leave the
 * example unit alone (`*`: whatever version there is, since a unit's ETag is a hash of what GET shows), and the unit
 * POST /units's example creates is the one changed, retired and restored (a seeded unit carries work: not retired).
 */
const BY_OPERATION: Record<string, Record<string, unknown>> = {
  'post /api/v1/reports/{id}/return': { id: EXAMPLE.submittedReport },
  'patch /api/v1/reports/{id}': { 'if-match': EXAMPLE.reportEtag },
  'post /api/v1/units/{id}/rename': { id: EXAMPLE.renamedUnit, 'if-match': '*' },
  'post /api/v1/units/{id}/merge': { id: EXAMPLE.mergedUnit, 'if-match': '*' },
  'patch /api/v1/units/{id}': { id: EXAMPLE.createdUnit, 'if-match': '*' },
  'delete /api/v1/units/{id}': { id: EXAMPLE.createdUnit, 'if-match': '*' },
  'post /api/v1/units/{id}/restore': { id: EXAMPLE.createdUnit, 'if-match': '*' },
  'delete /api/v1/units/{id}/contacts/{contactId}': { contactId: EXAMPLE.contact },
};

function collectionExample(path: string, name: string): number | undefined {
  const segments = path.split('/');
  const at = segments.indexOf(`{${name}}`);
  return at > 0 ? ID_BY_COLLECTION[segments[at - 1]!] : undefined;
}

/**
 * Gives every path parameter (and the headers above) an example that exists on a freshly seeded server
 * (src/http/seed-examples.ts), in the generated contract: a route added under a known collection gets one too.
 */
export function addSeedExamples(contract: ContractPaths): void {
  for (const [path, operations] of Object.entries(contract.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const named = BY_OPERATION[`${method} ${path}`] ?? {};
      for (const parameter of operation.parameters ?? []) {
        const example = named[parameter.name] ?? (parameter.in === 'path' ? collectionExample(path, parameter.name) : undefined);
        if (example !== undefined) parameter.example = example;
      }
    }
  }
}
