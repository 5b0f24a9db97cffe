import { said } from '../../domain/said.js';
import { normaliseUnitName } from '../../modules/units/unit-name.js';
import { closestNames } from './closest-names.js';
import type { Problems } from './problems.js';
import type { Corrections, Unit } from './types.js';

const EACH_OWN_PART = /按(?:监管)?职责分别牵头/;
const EACH_OWN_PART_TAIL = /按(?:监管)?职责分别牵头$/;

/** Split at separators outside parentheses: "各县(市、区)人民政府" is one name. */
function splitTopLevel(text: string, separators: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '(') depth++;
    if (ch === ')' || ch === ')') depth--;
    if (depth === 0 && separators.includes(ch)) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/**
 * Names in a unit cell as printed: "A、B,C" → A, B, C; "A等中市直各有关单位" → A and the collective;
 * a trailing "按(监管)职责分别牵头" means each lead unit leads its own part.
 */
export function splitUnitCell(cell: string): { names: string[]; eachOwnPart: boolean } {
  const names: string[] = [];
  for (const item of splitTopLevel(cell.replace(EACH_OWN_PART_TAIL, ''), '、,,;;')) {
    const etc = item.indexOf('等');
    if (etc > 0) names.push(item.slice(0, etc), item.slice(etc + 1));
    else names.push(item);
  }
  return { names: names.map((n) => n.trim()).filter((n) => n !== ''), eachOwnPart: EACH_OWN_PART.test(cell) };
}

/** Content of the parenthesis closing a measure cell — its owner, e.g. "…。(市民政局)" → "市民政局". */
export function trailingParenthesis(text: string): string | undefined {
  if (!/[))]$/.test(text)) return undefined;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === ')' || ch === ')') depth++;
    if (ch === '(' || ch === '(') depth--;
    if (depth === 0) return text.slice(i + 1, -1);
  }
  return undefined;
}

/** Where a unit cell stands in the table, for a problem with one of its names. */
export interface CellPlace {
  line: number;
  column: string;
}

export interface UnitResolver {
  /** Canonical names of a unit cell; a name no unit has is reported (with the closest known names) and left out. */
  resolveCell(cell: string, place: CellPlace): { units: string[]; eachOwnPart: boolean };
  /** unitCells corrections no cell asked for (stale data). */
  unusedCorrections(): string[];
}

/** Reads unit cells against known units (canonical name and aliases, compared as normalised), with the corrections' readings. */
export function unitResolver(units: Pick<Unit, 'name' | 'aliases'>[], corrections: Pick<Corrections, 'unitCells'>, problems: Problems): UnitResolver {
  const canonical = new Map<string, string>();
  for (const unit of units) {
    for (const name of [unit.name, ...unit.aliases].map(normaliseUnitName)) {
      const other = canonical.get(name);
      if (other !== undefined && other !== unit.name) throw new Error(`units: "${name}" names both ${other} and ${unit.name}`);
      canonical.set(name, unit.name);
    }
  }
  const fixes = new Map(corrections.unitCells.map((c) => [c.cell, c.units]));
  const used = new Set<string>();
  return {
    resolveCell(cell, place) {
      const fixed = fixes.get(cell);
      if (fixed) used.add(cell);
      const { names, eachOwnPart } = splitUnitCell(cell);
      const resolved = (fixed ?? names).flatMap((name) => {
        const unit = canonical.get(normaliseUnitName(name));
        if (unit !== undefined) return [unit];
        const suggestions = closestNames(normaliseUnitName(name), canonical);
        const hint = suggestions.length === 0 ? said('', '') : said(`；最接近的是 ${suggestions.join('、')}`, `; closest: ${suggestions.join(', ')}`);
        problems.report({
          ...place,
          kind: 'unknown_unit',
          message: said(`单元格“${cell}”中的单位“${name}”不是已知的单位名称或别名${hint.zh}`, `unit "${name}" in cell "${cell}" is not a known unit name or alias${hint.en}`),
          suggestions,
        });
        return [];
      });
      return { units: [...new Set(resolved)], eachOwnPart };
    },
    unusedCorrections: () => [...fixes.keys()].filter((cell) => !used.has(cell)),
  };
}
