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

export interface UnitResolver {
  /** Canonical names of a unit cell; throws naming the line and the name when one is unknown. */
  resolveCell(cell: string, line: number): { units: string[]; eachOwnPart: boolean };
  /** unitCells corrections no cell asked for (stale data). */
  unusedCorrections(): string[];
}

export function unitResolver(units: Unit[], corrections: Corrections): UnitResolver {
  const canonical = new Map<string, string>();
  for (const unit of units) {
    for (const name of [unit.name, ...unit.aliases]) {
      const other = canonical.get(name);
      if (other !== undefined) throw new Error(`seeds/units.json: "${name}" names both ${other} and ${unit.name}`);
      canonical.set(name, unit.name);
    }
  }
  const fixes = new Map(corrections.unitCells.map((c) => [c.cell, c.units]));
  const used = new Set<string>();
  return {
    resolveCell(cell, line) {
      const fixed = fixes.get(cell);
      if (fixed) used.add(cell);
      const { names, eachOwnPart } = splitUnitCell(cell);
      const resolved = (fixed ?? names).map((name) => {
        const unit = canonical.get(name);
        if (unit === undefined) {
          throw new Error(`line ${line}: unit "${name}" in cell "${cell}" is not a name or alias in seeds/units.json`);
        }
        return unit;
      });
      return { units: [...new Set(resolved)], eachOwnPart };
    },
    unusedCorrections: () => [...fixes.keys()].filter((cell) => !used.has(cell)),
  };
}
