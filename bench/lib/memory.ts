/**
 * The project server's memory, read from outside: the resident set size of its process in /proc/<pid>/status
 * (Linux), so the bench needs no endpoint in the server and measures what the operating system sees.
 */
import fs from 'node:fs';

export interface MemorySample {
  /** Seconds since sampling started. */
  atSeconds: number;
  rssBytes: number;
}

export interface MemorySummary {
  /** First sample (taken once the warm-up is over) and last sample (when the load stops). */
  startBytes: number;
  endBytes: number;
  peakBytes: number;
  /** (end − start) ÷ start, in percent. */
  growthPercent: number;
}

/** VmRSS of a process in bytes, or undefined when there is no /proc (not Linux) or the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

export const growthPercent = (startBytes: number, endBytes: number) => ((endBytes - startBytes) / startBytes) * 100;

export function summariseMemory(samples: MemorySample[]): MemorySummary | undefined {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined) return undefined;
  return {
    startBytes: first.rssBytes,
    endBytes: last.rssBytes,
    peakBytes: Math.max(...samples.map((s) => s.rssBytes)),
    growthPercent: growthPercent(first.rssBytes, last.rssBytes),
  };
}

/**
 * Samples a process's RSS now, every `intervalSeconds`, and once more on `stop()`. `onSample` sees each sample as
 * it is taken (the soak prints them). A failed read (no /proc, a dead process) records nothing; the caller checks
 * that the server is still running.
 */
export function sampleMemory(pid: number, intervalSeconds: number, onSample?: (sample: MemorySample) => void) {
  const started = performance.now();
  const samples: MemorySample[] = [];
  const take = () => {
    const rssBytes = readRssBytes(pid);
    if (rssBytes === undefined) return;
    const sample = { atSeconds: (performance.now() - started) / 1000, rssBytes };
    samples.push(sample);
    onSample?.(sample);
  };
  take();
  const timer = setInterval(take, intervalSeconds * 1000);
  return {
    stop(): MemorySummary | undefined {
      clearInterval(timer);
      take();
      return summariseMemory(samples);
    },
  };
}

export const mebibytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
export const signedPercent = (percent: number) => `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
