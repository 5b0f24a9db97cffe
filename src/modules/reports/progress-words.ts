import type { PROGRESS_STATUSES } from '../../db/schema.js';

export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

/** What a unit says about a measure, as clerks say it: the exports print these words and the imports read them. */
export const PROGRESS_WORDS: Record<ProgressStatus, string> = {
  not_started: '未开始',
  in_progress: '推进中',
  completed: '已完成',
  delayed: '滞后',
  blocked: '受阻',
};
