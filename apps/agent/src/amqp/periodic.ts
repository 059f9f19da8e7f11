/**
 * Run an async task every `intervalMs`, never two at once (a slow management API must
 * not pile up requests). The timer does not keep the process alive. Errors are the
 * task's business; a rejection is swallowed here so it can never become unhandled.
 */
export function every(intervalMs: number, task: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(() => undefined)
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A sleep that `wake()` can cut short (stop() must not wait out a 30 s backoff). */
export function interruptibleSleep(): { sleep(ms: number): Promise<void>; wake(): void } {
  let pending: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending = null;
          resolve();
        }, ms);
        pending = { timer, resolve };
      }),
    wake() {
      if (!pending) return;
      clearTimeout(pending.timer);
      const { resolve } = pending;
      pending = null;
      resolve();
    },
  };
}
