import type { StageReached } from './stages.js';

/** What a reminder tells: the obligation, its unit, and for a return the report and the reviewer's note. */
export interface ReminderFacts {
  unitName: string;
  measure: { taskNo: number; no: number | null; text: string };
  period: string;
  dueDate: string;
  assignmentId: number;
  /** Whole days from the reminder to the end of the due date (lights.ts daysUntilDue). */
  daysLeft: number;
  report?: { id: number; note: string | null } | undefined;
}

const MEASURE_CHARS = 60;

/** The stage as a clerk names it. */
export function stageWords(stage: StageReached): string {
  if (stage.stage === 'due_soon') return '临近提醒';
  if (stage.stage === 'overdue') return '到期催办';
  if (stage.stage === 'still_overdue') return `逾期第${stage.week}周催办`;
  return '报告被退回';
}

const measureLabel = (m: ReminderFacts['measure']) => (m.no === null ? `任务${m.taskNo}` : `任务${m.taskNo} 措施${m.no}`);

/** A measure's text cut to a line: what is owed is recognised by its opening words. */
export function shortened(text: string, chars = MEASURE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const letters = [...flat];
  return letters.length <= chars ? flat : `${letters.slice(0, chars).join('')}…`;
}

function whatToDo(stage: StageReached, facts: ReminderFacts): string {
  if (stage.stage === 'due_soon') {
    const left = facts.daysLeft <= 0 ? '今天到期' : `距截止日期还有 ${facts.daysLeft} 天`;
    return `${left}（${facts.dueDate}），尚未完成，请按时办理并报送进展。`;
  }
  if (stage.stage === 'overdue') return `已于 ${facts.dueDate} 到期，尚未完成，请尽快办理并报送进展，说明未按期完成的原因。`;
  if (stage.stage === 'still_overdue') return `已逾期 ${stage.week} 周（截止日期 ${facts.dueDate}），仍未完成，请抓紧办理并报送进展。`;
  return `本单位报送的进展报告（编号 ${facts.report?.id}）已被退回，请按审核意见修改后重新报送。`;
}

/**
 * The reminder in Chinese: an e-mail subject, and a markdown text the robots post as it is (e-mail sends it as plain
 * text). It names the stage, the unit, the measure (task and measure number, its text shortened), the period and due
 * date, what to do, the reviewer's note for a return, and where to look: `publicBaseUrl` when configured, else the
 * assignment's number to look up after logging in.
 */
export function reminderText(stage: StageReached, facts: ReminderFacts, publicBaseUrl: string | null): { subject: string; text: string } {
  const words = stageWords(stage);
  const label = measureLabel(facts.measure);
  const path = `/api/v1/assignments/${facts.assignmentId}`;
  const link = publicBaseUrl === null ? `登录系统查看（责任分工 ${facts.assignmentId}，${path}）` : `[${publicBaseUrl}${path}](${publicBaseUrl}${path})`;
  const lines = [
    `### 【${words}】${label}`,
    `**单位**：${facts.unitName}`,
    `**措施**：${label} ${shortened(facts.measure.text)}`,
    `**期次**：${facts.period}（截止日期 ${facts.dueDate}）`,
    `**提醒**：${whatToDo(stage, facts)}`,
    ...(stage.stage === 'returned' ? [`**审核意见**：${facts.report?.note?.trim() || '（未填写）'}`] : []),
    `**查看**：${link}`,
  ];
  return { subject: `【${words}】${facts.unitName}：${label}（${facts.period}，截止 ${facts.dueDate}）`, text: lines.join('\n\n') };
}

/** The markdown as plain text, for e-mail: headings and bold marks dropped, links as their address. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/^#+\s*/gm, '')
    .replace(/\*\*/g, '')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$2')
    .replace(/\n\n/g, '\n');
}
