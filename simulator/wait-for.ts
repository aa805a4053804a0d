// Waiting for a condition on something that announces its changes (the monitor, the reference platform).

/** Resolves when `holds()` is true: now, or after one of the changes `subscribe` reports; rejects after `timeoutMs`. */
export function waitForChange(
  subscribe: (listener: () => void) => () => void,
  holds: () => boolean,
  timeoutMs: number,
  failure: string,
): Promise<void> {
  if (holds()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(failure));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      if (!holds()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}
