/**
 * The print check (issue 10): the xlsx exports rendered to PDF by LibreOffice, the way an office prints them, and
 * what came out — pages, paper size and orientation, whether the header row and the page header and footer are on
 * every page, how many links stayed clickable. Needs LibreOffice and poppler-utils (not project dependencies):
 *
 *   apt-get install -y libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-crosextra-carlito
 *   npm run bench:print
 *   PRINT_DIR=/tmp/print npm run bench:print     # write the workbooks and PDFs there (default: a new temporary directory)
 *
 * The app runs on a fresh database with the seed plan (as the tests build it), judged as of 2024-12-31 so that there
 * is plenty to follow up. Exits 1 when a PDF is not A4 landscape or a page lacks its header, 2 when a tool is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app.js';
import { BREAKDOWN_COLUMNS, ASSIGNMENT_COLUMNS, FOLLOW_UP_COLUMNS } from '../../src/modules/exports/service.js';
import type { Column } from '../../src/modules/exports/table.js';

const AS_OF = '2024-12-31';

/** The exports as a clerk downloads them (the whole plan's, and one county's own list), with the headers each printed page must repeat. */
const EXPORTS: { file: string; url: string; title: string; columns: Column[] }[] = [
  { file: 'breakdown', url: `/api/v1/exports/breakdown.xlsx?asOf=${AS_OF}`, title: '2024年任务责任分工和实施措施分解表', columns: BREAKDOWN_COLUMNS },
  { file: 'assignments', url: `/api/v1/exports/breakdown.xlsx?asOf=${AS_OF}&by=assignment`, title: '2024年责任清单', columns: ASSIGNMENT_COLUMNS },
  {
    file: 'assignments-beilin',
    url: `/api/v1/exports/breakdown.xlsx?asOf=${AS_OF}&by=assignment&unit=${encodeURIComponent('北林区')}`,
    title: '2024年责任清单',
    columns: ASSIGNMENT_COLUMNS,
  },
  { file: 'follow-ups', url: `/api/v1/exports/follow-ups.xlsx?asOf=${AS_OF}`, title: `督办事项-${AS_OF}`, columns: FOLLOW_UP_COLUMNS },
];

/** A4 in PDF points (297 × 210 mm), and how far a renderer may round it. */
const A4 = { long: 841.89, short: 595.28, tolerance: 1 };

const TOOLS = [
  { command: 'soffice', what: 'LibreOffice, which renders the workbooks', install: 'apt-get install -y libreoffice-calc-nogui' },
  { command: 'pdfinfo', what: 'poppler-utils, which reads page sizes', install: 'apt-get install -y poppler-utils' },
  { command: 'pdftotext', what: 'poppler-utils, which reads the text of each page', install: 'apt-get install -y poppler-utils' },
];

const installed = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function missingTools(): string[] {
  const missing = TOOLS.filter((tool) => !installed(tool.command)).map((tool) => `${tool.command} (${tool.what}): ${tool.install}`);
  // Without a Chinese font LibreOffice draws every character as a box: the page counts still hold, the PDFs are unreadable.
  if (installed('fc-list') && execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim() === '') {
    console.warn('warning: no Chinese font installed, the PDFs will show boxes: apt-get install -y fonts-noto-cjk');
  }
  return missing;
}

async function download(outDir: string): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-print-db-'));
  const app = await buildApp({ databasePath: path.join(dataDir, 'plan-tracker.db'), logLevel: 'silent' });
  try {
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    const files: string[] = [];
    for (const { file, url } of EXPORTS) {
      const res = await fetch(origin + url);
      if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      const target = path.join(outDir, `${file}.xlsx`);
      fs.writeFileSync(target, Buffer.from(await res.arrayBuffer()));
      files.push(target);
    }
    return files;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** LibreOffice headless, with a profile of its own so that it neither waits for nor disturbs a running LibreOffice. */
function toPdf(files: string[], outDir: string): void {
  const profile = path.join(outDir, '.libreoffice-profile');
  execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', outDir, ...files], { stdio: 'ignore' });
  fs.rmSync(profile, { recursive: true, force: true });
}

interface Page {
  width: number;
  height: number;
  text: string;
}

function pagesOf(pdf: string): Page[] {
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  const count = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const sizes = execFileSync('pdfinfo', ['-f', '1', '-l', String(count), pdf], { encoding: 'utf8' });
  return Array.from({ length: count }, (_, i) => {
    const [, width, height] = new RegExp(`^Page\\s+${i + 1} size:\\s+([\\d.]+) x ([\\d.]+) pts`, 'm').exec(sizes) ?? [];
    const text = execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), pdf, '-'], { encoding: 'utf8' });
    return { width: Number(width), height: Number(height), text };
  });
}

const near = (a: number, b: number) => Math.abs(a - b) <= A4.tolerance;
function paper(p: Page): string {
  const size = `${p.width} × ${p.height} pt`;
  if (near(p.width, A4.long) && near(p.height, A4.short)) return `A4 landscape (${size})`;
  return near(p.width, A4.short) && near(p.height, A4.long) ? `A4 portrait (${size})` : size;
}
/** Text as pdftotext gives it, without the line breaks and spaces wrapping put inside a cell. */
const squeezed = (text: string) => text.replace(/\s+/g, '');

/** Pages (1-based) missing any of these texts. */
function pagesWithout(pages: Page[], texts: (page: number) => string[]): number[] {
  return pages.flatMap((page, i) => (texts(i + 1).every((text) => squeezed(page.text).includes(squeezed(text))) ? [] : [i + 1]));
}

function describe(pdf: string, title: string, columns: Column[]) {
  const pages = pagesOf(pdf);
  const sizes = [...new Set(pages.map(paper))];
  // Clickable links are link annotations; LibreOffice writes them as uncompressed objects.
  const links = (fs.readFileSync(pdf, 'latin1').match(/\/URI\s*\(/g) ?? []).length;
  return {
    pdf,
    pages: pages.length,
    paper: sizes.join(', '),
    headerRowMissing: pagesWithout(pages, () => columns.map((c) => c.header)),
    titleMissing: pagesWithout(pages, () => [title]),
    footerMissing: pagesWithout(pages, (n) => [`第 ${n} 页 共 ${pages.length} 页`]),
    links,
  };
}

const list = (pages: number[]) => (pages.length === 0 ? 'every page' : `missing on pages ${pages.join(', ')}`);

async function main(): Promise<number> {
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(`bench:print needs tools that are not installed (they are not project dependencies):\n  ${missing.join('\n  ')}`);
    return 2;
  }
  const outDir = process.env.PRINT_DIR ? path.resolve(process.env.PRINT_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-print-'));
  fs.mkdirSync(outDir, { recursive: true });
  console.log(`exports as of ${AS_OF}, rendered by ${execFileSync('soffice', ['--version'], { encoding: 'utf8' }).trim()}`);
  toPdf(await download(outDir), outDir);

  let failed = false;
  for (const { file, title, columns } of EXPORTS) {
    const r = describe(path.join(outDir, `${file}.pdf`), title, columns);
    const good = r.paper.startsWith('A4 landscape') && !r.paper.includes(',') && r.headerRowMissing.length === 0 && r.titleMissing.length === 0;
    failed ||= !good;
    console.log(`\n${file}.xlsx → ${r.pdf}`);
    console.log(`  pages: ${r.pages}   paper: ${r.paper}   links: ${r.links}`);
    console.log(`  header row: ${list(r.headerRowMissing)}   title: ${list(r.titleMissing)}   第 n 页 共 m 页: ${list(r.footerMissing)}`);
  }
  console.log(`\nPDFs in ${outDir} (a page as an image: pdftoppm -png -r 50 -f 1 -l 1 FILE.pdf page)`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
