/**
 * The project server's memory and CPU time, read from outside through /proc/<pid> (Linux), so the bench needs no
 * endpoint in the server and measures what the operating system sees. CPU time tells a saturated server (close
 * to 100% of a core: Node answers on one thread) from one starved by other work on the machine.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface UsageSample {
  /** Seconds since sampling started. */
  atSeconds: number;
  rssBytes: number;
  /** User plus system CPU time the process has used since it started. */
  cpuSeconds: number;
}

export interface UsageSummary {
  /** RSS at the first sample (taken once the warm-up is over) and the last one (when the load stops). */
  startBytes: number;
  endBytes: number;
  peakBytes: number;
  /** (end − start) ÷ start, in percent. */
  growthPercent: number;
  /** CPU time between the first and the last sample over the time between them: 100 = one core busy throughout. */
  cpuPercent: number;
}

function readProc(pid: number, file: 'status' | 'stat'): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** VmRSS of a process in bytes, or undefined when there is no /proc (not Linux) or the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readProc(pid, 'status') ?? '')?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

let clockTicksPerSecond: number | undefined;

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/<pid>/stat, after the parenthesised name). */
export function readCpuSeconds(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

export const growthPercent = (startBytes: number, endBytes: number) => ((endBytes - startBytes) / startBytes) * 100;

/** CPU time used between two samples over the wall-clock time between them, in percent of one core. */
export const cpuPercent = (from: UsageSample, to: UsageSample) => ((to.cpuSeconds - from.cpuSeconds) / (to.atSeconds - from.atSeconds)) * 100;

export function summariseUsage(samples: UsageSample[]): UsageSummary | undefined {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined) return undefined;
  return {
    startBytes: first.rssBytes,
    endBytes: last.rssBytes,
    peakBytes: Math.max(...samples.map((s) => s.rssBytes)),
    growthPercent: growthPercent(first.rssBytes, last.rssBytes),
    cpuPercent: samples.length > 1 ? cpuPercent(first, last) : 0,
  };
}

/**
 * Samples a process now, every `intervalSeconds`, and on `stop()` unless a sample was just taken. `onSample` sees each sample as it is
 * taken (the soak prints them). A failed read (no /proc, a dead process) records nothing; the caller checks that
 * the server is still running.
 */
export function sampleUsage(pid: number, intervalSeconds: number, onSample?: (sample: UsageSample) => void) {
  const started = performance.now();
  const samples: UsageSample[] = [];
  const take = () => {
    const rssBytes = readRssBytes(pid);
    const cpuSeconds = readCpuSeconds(pid);
    if (rssBytes === undefined || cpuSeconds === undefined) return;
    const sample = { atSeconds: (performance.now() - started) / 1000, rssBytes, cpuSeconds };
    samples.push(sample);
    onSample?.(sample);
  };
  take();
  const timer = setInterval(take, intervalSeconds * 1000);
  return {
    stop(): UsageSummary | undefined {
      clearInterval(timer);
      // When the run ends on an interval tick, that sample already stands for the end.
      if ((performance.now() - started) / 1000 - (samples.at(-1)?.atSeconds ?? -Infinity) > 1) take();
      return summariseUsage(samples);
    },
  };
}

export const mebibytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
export const signedPercent = (percent: number) => `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
