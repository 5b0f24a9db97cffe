/** Runs `tick` every `intervalSeconds` inside the server (no cron), one at a time; `stop` waits for a running tick. */
export function startScheduler(intervalSeconds: number, tick: () => Promise<void>, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  const run = () => {
    // A tick that outlasts the interval (a slow SMTP server) is not overlapped: the next one waits for its turn.
    if (running) return running;
    running = tick()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = intervalSeconds > 0 ? setInterval(run, intervalSeconds * 1000).unref() : undefined;
  return {
    /** Runs a tick now (or waits for the one running). */
    run,
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
