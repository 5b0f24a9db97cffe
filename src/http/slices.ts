/**
 * Long work done in slices: a request that parses or writes megabytes calls `pause()` between steps, and when the
 * current slice has run `sliceMs` it waits one turn of the event loop, so other requests are served in between.
 */
export const SLICE_MS = 10;

export function timeSlices(sliceMs = SLICE_MS): () => Promise<void> {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    started = performance.now();
  };
}

/** `text` in pieces of about `size` characters; a piece never ends between the two halves of a surrogate pair. */
export function* pieces(text: string, size: number): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && end < text.length) end++;
    yield text.slice(start, end);
    start = end;
  }
}
