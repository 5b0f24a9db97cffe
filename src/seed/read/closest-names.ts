/** Edits (insert, delete, replace one character) that turn `a` into `b`, by code point. */
function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** Characters the two names share, each counted as often as both have it. */
function sharedCharacters(a: string, b: string): number {
  const left = new Map<string, number>();
  for (const ch of a) left.set(ch, (left.get(ch) ?? 0) + 1);
  let shared = 0;
  for (const ch of b) {
    const n = left.get(ch) ?? 0;
    if (n > 0) {
      shared++;
      left.set(ch, n - 1);
    }
  }
  return shared;
}

/**
 * The known names closest to one nobody knows, best first: Chinese unit names are shortened by dropping characters
 * (市发改委 for 市发展改革委, 市营商局 for 市营商环境局), so a name is close when few edits turn one into the other or
 * when most of the shorter name's characters are in the longer one. `known` maps each spelling (canonical name or
 * alias) to the canonical name suggested for it.
 */
export function closestNames(name: string, known: ReadonlyMap<string, string>, limit = 3): string[] {
  const length = [...name].length;
  const scored = new Map<string, number>();
  for (const [spelling, canonical] of known) {
    const longest = Math.max(length, [...spelling].length);
    const shortest = Math.min(length, [...spelling].length);
    const edits = editDistance(name, spelling) / longest;
    const missing = 1 - sharedCharacters(name, spelling) / shortest;
    const score = Math.min(edits, missing + 0.25);
    if (score > 0.5) continue;
    if (score < (scored.get(canonical) ?? Infinity)) scored.set(canonical, score);
  }
  return [...scored]
    .sort(([a, x], [b, y]) => x - y || a.localeCompare(b, 'zh'))
    .slice(0, limit)
    .map(([canonical]) => canonical);
}
