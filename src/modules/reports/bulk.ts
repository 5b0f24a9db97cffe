import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { DomainError, type FieldError } from '../../domain/errors.js';
import { isText } from '../../http/text.js';
import { ruleOfValueError, ruleWords } from '../../http/rule-words.js';
import { said } from '../../domain/said.js';
import { ReportInputSchema, type ReportInput } from './schemas.js';
import type { Actor, ReportService, WriteOutcome } from './service.js';
import type { LongWriteSteps } from '../../db/long-write.js';
import { withMeasureId, type MeasureNumbers } from './measure-numbers.js';

export const BULK_MAX_ROWS = 5_000;

// The row schema uses these formats; TypeBox checks only formats it has been given (`text`: src/http/text.ts).
// URL.canParse passes control characters (it percent-encodes them); Ajv's `uri` on POST /reports refuses them.
if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => URL.canParse(value) && isText(value));
const rowCheck = TypeCompiler.Compile(ReportInputSchema);

export interface ImportOptions {
  dryRun: boolean;
  atomic: boolean;
  /** JSON pointer of row `index` in the request, e.g. `/body/reports/3`. */
  pointer: (index: number) => string;
  /** For CSV: the line each row starts on. */
  lines?: number[] | undefined;
}

export interface RowResult {
  index: number;
  line?: number | undefined;
  outcome: WriteOutcome | 'rejected';
  reportId: number | null;
}

export interface Conflict extends FieldError {
  index: number;
  line?: number | undefined;
}

class Rollback extends Error {}

/**
 * Imports many reports the way POST /reports writes one, in one transaction: every row is checked and
 * every rejected row is reported with its index, field and reason. Atomic imports write nothing when any
 * row is rejected; a dry run writes nothing at all but says what would happen.
 */
export function createBulkImporter(service: ReportService, measures: MeasureNumbers) {
  function checkShape(row: unknown, pointer: string): FieldError | undefined {
    if (rowCheck.Check(row)) return undefined;
    const [first] = rowCheck.Errors(row);
    // The same words as POST /reports: what the value should have been.
    return { field: `${pointer}${first?.path ?? ''}`, message: first ? ruleWords(ruleOfValueError(first)) : said('不是一份进展报告', 'is not a report') };
  }

  return async function importRows(actor: Actor, rows: unknown[], options: ImportOptions, steps: Pick<LongWriteSteps<unknown>, 'pause' | 'savepoint'>) {
    const results: RowResult[] = [];
    const conflicts: Conflict[] = [];
    const firstRowOfKey = new Map<string, number>();
    const importRow = (row: unknown, index: number) => {
      const pointer = options.pointer(index);
      const line = options.lines?.[index];
      const reject = (problem: FieldError) => {
        conflicts.push({ index, line, ...problem });
        results.push({ index, line, outcome: 'rejected', reportId: null });
      };
      try {
        const named = withMeasureId(row, pointer, measures);
        const shapeProblem = checkShape(named, pointer);
        if (shapeProblem) return reject(shapeProblem);
        const input = named as ReportInput;
        const target = service.resolveTarget(actor.principal, input, pointer);
        const key = `${target.context.measureId}/${target.unit.id}/${target.period.text}`;
        const first = firstRowOfKey.get(key);
        if (first !== undefined) {
          return reject({ field: pointer, message: said(`与第 ${first} 行的措施、单位和报告期重复`, `repeats the measure, unit and period of row ${first}`) });
        }
        firstRowOfKey.set(key, index);
        const { outcome, report } = service.transaction(() => service.writeTo(actor, target, input));
        results.push({ index, line, outcome, reportId: report.id });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        reject(error.fields?.[0] ?? { field: pointer, message: error.detail });
      }
    };
    try {
      // Row by row, letting other requests in between slices; one savepoint, so a dry run or a rejected atomic
      // import takes back every row it wrote.
      await steps.savepoint(async () => {
        for (const [index, row] of rows.entries()) {
          await steps.pause();
          importRow(row, index);
        }
        if (options.dryRun || (options.atomic && conflicts.length > 0)) throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }

    const written = !options.dryRun && !(options.atomic && conflicts.length > 0) && results.some((r) => r.outcome !== 'rejected');
    const count = (outcome: RowResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
    return {
      dryRun: options.dryRun,
      atomic: options.atomic,
      status: conflicts.length === 0 ? ('imported' as const) : written ? ('partial' as const) : ('rejected' as const),
      written,
      counts: {
        rows: rows.length,
        created: count('created'),
        updated: count('updated'),
        unchanged: count('unchanged'),
        rejected: count('rejected'),
      },
      // A report created by a write that was rolled back does not exist: do not hand out its id.
      rows: results.map((r) => (!written && r.outcome === 'created' ? { ...r, reportId: null } : r)),
      conflicts,
    };
  };
}

export type BulkImporter = ReturnType<typeof createBulkImporter>;
export type ImportSummary = Awaited<ReturnType<BulkImporter>>;
