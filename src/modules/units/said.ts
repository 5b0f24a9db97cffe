import { said, type Said } from '../../domain/said.js';

/** A unit reference (id, name or alias) that names no unit. */
export const unknownUnit = (ref: string): Said => said(`没有名为“${ref}”的单位（可填编号、名称或别名）`, `names no known unit (id, name or alias): "${ref}"`);

/** `role` filters by what a unit does on a task, so it needs the unit. */
export const roleNeedsUnit = said('须同时给出 unit（角色所指的单位）', 'needs a `unit` to apply to');

/** A rename or merge must say which version of the unit it was made against. */
export const ifMatchNeeded = said(
  '请在 If-Match 中带上所读取单位的 ETag（GET /api/v1/units/{id} 的 ETag 响应头）。',
  'Send If-Match with the ETag of the unit you read (the ETag header of GET /api/v1/units/{id}).',
);

export const unitChanged = (name: string, etag: string) =>
  said(`单位“${name}”在您读取后已有变化（现为 ${etag}），请重新读取后再改。`, `The unit ${name} changed since you read it (it is now ${etag}); read it again and retry.`);

/** A merged unit is read-only: its work, name and aliases went to the unit it was merged into. */
export const alreadyMerged = (name: string, into: string | undefined) =>
  into === undefined
    ? said(`单位“${name}”已停用，不能再修改。`, `The unit ${name} is retired and cannot change.`)
    : said(`单位“${name}”已并入“${into}”，请对“${into}”操作。`, `The unit ${name} was merged into ${into}; change ${into} instead.`);

export const nameTaken = (name: string, holder: string) =>
  holder === name
    ? said(`已有单位名为“${name}”`, `is already the name of another unit: ${name}`)
    : said(`“${name}”已是单位“${holder}”的别名`, `is already an alias of another unit, ${holder}: ${name}`);

export const emptyName = said('单位名称不能为空', 'must not be empty');

export const collectiveNotMerged = (name: string) =>
  said(
    `“${name}”是统称，代表其成员单位，不能合并；请逐个处理成员单位。`,
    `${name} is a collective that stands for its member units; it cannot be merged: merge its member units, each for itself.`,
  );

export const intoItself = (name: string) => said(`指向“${name}”本身，单位不能并入自己`, `names ${name} itself; a unit cannot be merged into itself`);

export const intoCollective = (name: string) => said(`“${name}”是统称，不能作为合并目标`, `names a collective, ${name}, which cannot take a unit in`);

export const intoRetired = (name: string, into: string | undefined) =>
  into === undefined
    ? said(`单位“${name}”已停用，不能作为合并目标`, `names a retired unit, ${name}, which cannot take a unit in`)
    : said(`单位“${name}”已并入“${into}”，请并入“${into}”`, `names ${name}, which was merged into ${into}: merge into ${into}`);

/** Both units have an open report for the same measure and period: after the merge one unit would report twice. */
export const openReportsClash = (clashes: { measureId: number; period: string; reportId: number; otherReportId: number }[], from: string, into: string) => {
  const zh = clashes.map((c) => `措施 ${c.measureId} ${c.period}：报告 ${c.reportId} 与 ${c.otherReportId}`).join('；');
  const en = clashes.map((c) => `measure ${c.measureId} ${c.period}: reports ${c.reportId} and ${c.otherReportId}`).join('; ');
  return said(
    `“${from}”与“${into}”对同一措施、同一报告期各有一份未审结的报告（${zh}）。合并后一个单位不能有两份：请先审结其中一份（提交并通过），再合并。未做任何改动。`,
    `${from} and ${into} each have an open report for the same measure and period (${en}). After a merge one unit cannot have two: settle one of each pair first (submit and approve it), then merge. Nothing was changed.`,
  );
};
