import type { SeedIndicator, SeedTask } from '../../../seed/types.js';

/** Everything a task prints: where an indicator's words are quoted from. */
const printed = (task: SeedTask): string => [task.title, task.leadUnitsText, task.responsibleUnitsText, ...task.measures.flatMap((m) => [m.text, m.targetsText])].join('\n');

/**
 * Quantitative targets are curated by hand (seeds/indicators.json: comparator, scope, yearly targets, each quoting the
 * table), not guessed from the wording. A table gets those of the curated indicators it states word for word: the
 * task with the indicator's 序号 prints its words and every yearly target's, and has the measure it names. A table
 * stating targets of its own gets them through the amendments API.
 */
export function indicatorsStated(tasks: SeedTask[], curated: SeedIndicator[]): SeedIndicator[] {
  const byNo = new Map(tasks.map((t) => [t.no, t]));
  return curated.filter((indicator) => {
    const task = byNo.get(indicator.task);
    if (task === undefined) return false;
    if (indicator.measurePosition !== null && task.measures.length < indicator.measurePosition) return false;
    const text = printed(task);
    return [indicator.sourceText, ...indicator.targets.map((t) => t.sourceText)].every((words) => text.includes(words));
  });
}
