/** The columns of a breakdown table, by the headers offices give them (the breakdown export's first). */
export const TABLE_COLUMNS = {
  no: ['序号', '任务序号', '编号'],
  chapter: ['规划章节', '章节', '规划章节标题'],
  task: ['规划任务', '任务', '主要任务', '重点任务', '任务内容', '规划任务内容'],
  lead: ['牵头单位', '牵头部门', '牵头'],
  responsible: ['责任单位', '责任部门', '配合单位', '参与单位'],
  measure: ['具体实施措施', '具体实施措施和可用来检查的工作成果', '实施措施', '具体措施', '工作措施'],
  targets: ['各年度工作目标', '年度工作目标', '年度目标', '工作目标'],
  deadline: ['完成时限', '完成时间', '时限要求', '时限'],
} as const;
export type TableColumn = keyof typeof TABLE_COLUMNS;

/** Columns a table cannot be read without; a table without 规划章节 is one chapter, without targets or deadline owes at its end. */
export const REQUIRED_COLUMNS: TableColumn[] = ['no', 'task', 'lead', 'responsible', 'measure'];

/** How a column is named in a problem: the document's header. */
export const columnName = (column: TableColumn): string => TABLE_COLUMNS[column][0];

/** A header as typed: line breaks, blanks and a closing colon or asterisk (required-field marks) do not count. */
const normalised = (header: string): string => header.replace(/[\s:：*＊]/g, '');

/** Which column a header cell names, if any. */
export function columnOf(header: string): TableColumn | undefined {
  const text = normalised(header);
  if (text === '') return undefined;
  const names = Object.entries(TABLE_COLUMNS) as [TableColumn, readonly string[]][];
  return names.find(([, variants]) => variants.includes(text))?.[0];
}

/** Where each column is in a header row (the first cell naming it); undefined unless every required column is there. */
export function headerColumns(cells: string[]): Partial<Record<TableColumn, number>> | undefined {
  const found: Partial<Record<TableColumn, number>> = {};
  cells.forEach((cell, index) => {
    const column = columnOf(cell);
    if (column !== undefined && found[column] === undefined) found[column] = index;
  });
  return REQUIRED_COLUMNS.every((c) => found[c] !== undefined) ? found : undefined;
}
