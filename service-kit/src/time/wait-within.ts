/**
 * Waits for work, but not for ever: a service stopping must let go of its connections even when what it waits
 * for depends on a server that is gone. The timer does not outlive the wait.
 */
export type WaitWithinResult = { status: 'done' } | { status: 'failed'; error: unknown } | { status: 'timed-out' }

export async function waitWithin(work: Promise<unknown>, timeoutMs: number): Promise<WaitWithinResult> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<WaitWithinResult>((resolve) => (timer = setTimeout(() => resolve({ status: 'timed-out' }), timeoutMs)))
  try {
    return await Promise.race([
      work.then(
        (): WaitWithinResult => ({ status: 'done' }),
        (error: unknown): WaitWithinResult => ({ status: 'failed', error }),
      ),
      timedOut,
    ])
  } finally {
    clearTimeout(timer)
  }
}
