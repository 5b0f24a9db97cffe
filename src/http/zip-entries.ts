import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { invalidField } from '../domain/errors.js';
import { said } from '../domain/said.js';

/**
 * The entries of an uploaded zip file (an .xlsx is one), inflated within bounds before any library reads it. A zip
 * says how large each entry is; a zip bomb lies or says "huge". Every entry is inflated here by Node's zlib with its
 * output capped at the size the zip declares, and the declared sizes together at `maxBytes`: what passes holds no
 * more than that, and a library reading the file afterwards reads no more either. Each entry is handed to `visit`
 * and let go, so no more than one is held at a time.
 */
export interface ZipBounds {
  maxEntries: number;
  /** The inflated size of all entries together. */
  maxBytes: number;
}

const inflate = promisify(inflateRaw);

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

const notAZip = (why: string, whyZh: string) =>
  invalidField(
    '/body',
    said(`不是有效的 xlsx 文件（${whyZh}）：请用 Excel 或 WPS 另存为 .xlsx 后重试`, `is not a valid .xlsx file (${why}): save it as .xlsx from Excel or WPS and retry`),
  );

/** The end-of-central-directory record: within the last 22 + 65,535 bytes (the longest comment). */
function endOfDirectory(bytes: Buffer): number {
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (bytes.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  throw notAZip('no zip directory', '找不到 zip 目录');
}

export async function visitZipEntries(bytes: Buffer, bounds: ZipBounds, visit: (name: string, content: Buffer) => void): Promise<void> {
  const end = endOfDirectory(bytes);
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  // 0xFFFF and 0xFFFFFFFF mean ZIP64, which no workbook of an upload's size needs.
  if (count === 0xffff || at === 0xffffffff) throw notAZip('ZIP64', '不支持 ZIP64');
  if (count > bounds.maxEntries) throw notAZip(`${count} entries, at most ${bounds.maxEntries}`, `含 ${count} 个条目，至多 ${bounds.maxEntries} 个`);
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || bytes.readUInt32LE(at) !== DIRECTORY_ENTRY) throw notAZip('damaged zip directory', 'zip 目录已损坏');
    const method = bytes.readUInt16LE(at + 10);
    const packed = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    total += size;
    if (total > bounds.maxBytes) throw notAZip(`more than ${bounds.maxBytes} bytes once unpacked`, `解压后超过 ${bounds.maxBytes} 字节`);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL_HEADER) throw notAZip(`damaged entry ${name}`, `条目 ${name} 已损坏`);
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    if (start + packed > bytes.length) throw notAZip(`entry ${name} cut short`, `条目 ${name} 不完整`);
    const data = bytes.subarray(start, start + packed);
    if (method !== STORED && method !== DEFLATED) throw notAZip(`entry ${name} packed by method ${method}`, `条目 ${name} 的压缩方式 ${method} 不受支持`);
    let content: Buffer;
    try {
      // maxOutputLength stops inflating past the declared size (at least 1: zlib refuses 0).
      content = method === STORED ? data : await inflate(data, { maxOutputLength: Math.max(size, 1) });
    } catch {
      throw notAZip(`entry ${name} does not unpack to its declared size`, `条目 ${name} 无法解压为其声明的大小`);
    }
    if (content.length !== size) throw notAZip(`entry ${name} does not unpack to its declared size`, `条目 ${name} 无法解压为其声明的大小`);
    visit(name, content);
  }
}
