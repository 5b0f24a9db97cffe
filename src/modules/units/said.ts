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
    ? said(
        `单位“${name}”已停用，请先恢复（POST /api/v1/units/{id}/restore）再修改。`,
        `The unit ${name} is retired: restore it (POST /api/v1/units/{id}/restore) before changing it.`,
      )
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

/** A retired unit takes on nothing new: keys, reports, assignments, roles and owners name a unit that stands. */
export const retiredUnit = (name: string, into: string | undefined) =>
  into === undefined
    ? said(`单位“${name}”已停用，不能再承担新的工作`, `names a retired unit, ${name}, which takes on no new work`)
    : said(`单位“${name}”已并入“${into}”，其工作由“${into}”承担，请改填“${into}”`, `names ${name}, which was merged into ${into}: its work went to ${into}, name ${into}`);

export const aliasIsName = (name: string) => said(`“${name}”是本单位的名称，不必再作别名`, `is the unit’s own name, not an alias: ${name}`);

/** Names of units merged into this one are how those units find where their work went. */
export const mergedAliasKept = (names: string[], unit: string) =>
  said(
    `别名“${names.join('”“')}”是已并入“${unit}”的单位的名称，不能删除（按这些名称查询要找到“${unit}”）。`,
    `The aliases ${names.join(', ')} are the names of units merged into ${unit}; they stay (lookups by those names find ${unit}).`,
  );

export const collectiveNeedsMembers = (name: string) =>
  said(`“${name}”是统称，须列出其成员单位（至少一个）`, `is required for a collective (${name}): name at least one member unit`);

export const membersOnlyForCollective = (name: string) => said(`只有统称才有成员单位，“${name}”不是统称`, `only a collective has member units; ${name} is not one`);

export const memberIsCollective = (name: string) => said(`“${name}”是统称，不能作为另一统称的成员`, `names a collective, ${name}, which cannot be a member of another`);

export const kindFixed = (name: string) =>
  said(
    `“${name}”的类别不能改为或改自统称（统称代表成员单位，二者承担工作的方式不同）；请新建单位`,
    `cannot change ${name} into or out of a collective (a collective stands for its members, who carry its work): create a unit instead`,
  );

/** What a unit still carries, named so that someone can hand it over first. */
export interface OpenWork {
  leadTasks: number[];
  responsibleTasks: number[];
  ownedMeasures: number[];
  assignments: number[];
  collectives: string[];
}

const listed = (ids: number[]) => (ids.length > 10 ? `${ids.slice(0, 10).join(', ')} …` : ids.join(', '));

/** Retiring a unit that still carries work: 409 naming what to move first (a merge hands everything over). */
export const openWorkLeft = (name: string, work: OpenWork) => {
  const parts: [number, string, string][] = [
    [work.leadTasks.length, `牵头任务 ${work.leadTasks.length} 项（任务 ${listed(work.leadTasks)}）`, `leads ${work.leadTasks.length} tasks (${listed(work.leadTasks)})`],
    [
      work.responsibleTasks.length,
      `责任任务 ${work.responsibleTasks.length} 项（任务 ${listed(work.responsibleTasks)}）`,
      `is responsible for ${work.responsibleTasks.length} tasks (${listed(work.responsibleTasks)})`,
    ],
    [
      work.ownedMeasures.length,
      `负责措施 ${work.ownedMeasures.length} 项（措施 ${listed(work.ownedMeasures)}）`,
      `owns ${work.ownedMeasures.length} measures (${listed(work.ownedMeasures)})`,
    ],
    [
      work.assignments.length,
      `未撤回的责任分工 ${work.assignments.length} 项（${listed(work.assignments)}）`,
      `owes ${work.assignments.length} standing assignments (${listed(work.assignments)})`,
    ],
    [work.collectives.length, `属于统称“${work.collectives.join('”“')}”`, `belongs to the collectives ${work.collectives.join(', ')}`],
  ];
  const shown = parts.filter(([n]) => n > 0);
  return said(
    `单位“${name}”仍有未移交的工作：${shown.map((p) => p[1]).join('；')}。请先移交（修订任务、措施或统称成员，撤回责任分工），或将其合并到承接单位（POST /api/v1/units/{id}/merge）。未做任何改动。`,
    `The unit ${name} still carries work: it ${shown.map((p) => p[2]).join('; ')}. Hand it over first (amend the tasks, measures or collective members, withdraw the assignments), or merge the unit into the one taking its work (POST /api/v1/units/{id}/merge). Nothing was changed.`,
  );
};

export const mergedNotRestored = (name: string, into: string | undefined) =>
  said(
    `单位“${name}”已并入“${into ?? '其他单位'}”，其工作、名称和别名都已移交，不能恢复。`,
    `The unit ${name} was merged into ${into ?? 'another unit'}: its work, name and aliases went there; it cannot be restored.`,
  );
