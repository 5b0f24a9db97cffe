/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (what Prometheus itself accepts): `# HELP` and
 * `# TYPE` lines, then `name{label="value",…} value [timestamp]` samples. Throws, naming the line, on anything else:
 * a malformed line, a sample before its family's TYPE, a family typed twice, a histogram whose buckets are not
 * cumulative or whose `+Inf` bucket is not its `_count`.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
// As Go's strconv.ParseFloat reads it (Prometheus does): NaN and Inf in any case (prom-client writes `Nan`).
const VALUE = '(?:[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)|[nN][aA][nN]|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: (-?\\d+))?$`);
const HELP = new RegExp(`^# HELP (${NAME})(?: (.*))?$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const PAIR = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');

function unescape(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function number(text: string): number {
  if (/nan/i.test(text)) return NaN;
  if (/inf/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** The family a sample belongs to: its own name, or a histogram's or summary's with the suffix taken off. */
function familyOf(families: Map<string, Family>, name: string): Family | undefined {
  const own = families.get(name);
  if (own) return own;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  const family = base === undefined ? undefined : families.get(base);
  return family && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push(sample);
    if (sample.name === `${family.name}_bucket` && le === undefined) throw new Error(`${family.name}: a bucket without le`);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`).map((s) => ({ le: number(s.labels.le!), value: s.value }));
    const count = samples.find((s) => s.name === `${family.name}_count`)?.value;
    if (buckets.length === 0 || count === undefined || !samples.some((s) => s.name === `${family.name}_sum`)) throw new Error(`${family.name} ${key}: buckets, _sum and _count`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]!.le > buckets[i - 1]!.le && buckets[i]!.value >= buckets[i - 1]!.value)) throw new Error(`${family.name} ${key}: buckets not cumulative`);
    }
    const last = buckets[buckets.length - 1]!;
    if (last.le !== Infinity || last.value !== count) throw new Error(`${family.name} ${key}: the +Inf bucket is not _count`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, index) => {
      const where = `line ${index + 1}: ${line}`;
      if (line === '') return;
      const help = HELP.exec(line);
      if (help) return helps.set(help[1]!, help[2] ?? '');
      const type = TYPE.exec(line);
      if (type) {
        if (families.has(type[1]!)) throw new Error(`${where}: typed twice`);
        families.set(type[1]!, { name: type[1]!, type: type[2] as Family['type'], help: '', samples: [] });
        return;
      }
      if (line.startsWith('#')) return; // a comment
      const sample = SAMPLE.exec(line);
      if (!sample) throw new Error(`${where}: not a sample`);
      const family = familyOf(families, sample[1]!);
      if (!family) throw new Error(`${where}: a sample before its # TYPE`);
      const labels: Record<string, string> = {};
      for (const [, label, value] of (sample[2] ?? '').matchAll(PAIR)) {
        if (label! in labels) throw new Error(`${where}: label ${label} twice`);
        labels[label!] = unescape(value!);
      }
      family.samples.push({ name: sample[1]!, labels, value: number(sample[3]!) });
    });
  for (const family of families.values()) {
    family.help = helps.get(family.name) ?? '';
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

/** The value of the sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(families, name);
  return family?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
