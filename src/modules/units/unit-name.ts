/**
 * The source mixes full-width and ASCII parentheses and stray spaces in unit names
 * (各县(市、区)人民政府 / 各县（市、区）人民政府); every lookup compares the normalised form.
 */
export function normaliseUnitName(name: string): string {
  return name.replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '').trim();
}
