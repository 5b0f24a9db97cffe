import { said, type Said } from '../../domain/said.js';

/** Messages about what a plan holds, for every module that checks a reference into it. */
export const unknownMeasure = (measureId: number): Said => said(`没有编号为 ${measureId} 的措施`, `names no measure: ${measureId}`);

export const outsidePlanYears = (startYear: number, endYear: number): Said =>
  said(`超出了规划的年份 ${startYear}–${endYear}`, `falls outside the plan's years ${startYear}–${endYear}`);
