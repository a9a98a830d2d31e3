/**
 * GET one API path of the explorer's own server. A failure (network, HTTP error, the server's `{ error }`) is a
 * value the page shows, not an exception.
 */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: string }

/** A page waits this long for the API at most; the server answers from memory, so more means it is gone. */
const TIMEOUT_MS = 15_000

export async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<ApiResult<T>> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS)
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
  try {
    // No custom headers: the home page's first fetch must match index.html's preload to reuse it.
    const res = await fetch(path, { signal: combined })
    const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null
    if (!res.ok) return { ok: false, error: body?.error ?? `the server answered ${res.status}` }
    if (body === null) return { ok: false, error: 'the server sent no JSON' }
    return { ok: true, data: body }
  } catch (error) {
    if (timeout.aborted) return { ok: false, error: `no answer from the explorer within ${TIMEOUT_MS / 1000} s` }
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}
