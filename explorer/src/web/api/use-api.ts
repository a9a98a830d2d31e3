/**
 * Loads one API path into a page and loads it again when `reloadKey` changes (a live event that concerns the
 * page bumps it). The previous data of the same path stays on screen while a reload is in flight, so live updates
 * never flash.
 */
import { useEffect, useState } from 'preact/hooks'
import { fetchJson } from './fetch-json.ts'

export type ApiState<T> = { data: T | undefined; error: string | undefined; loading: boolean }

export function useApi<T>(path: string, reloadKey = 0): ApiState<T> {
  const [state, setState] = useState<ApiState<T> & { path: string }>({ path, data: undefined, error: undefined, loading: true })
  useEffect(() => {
    const controller = new AbortController()
    setState((s) => ({ ...s, loading: true }))
    void fetchJson<T>(path, controller.signal).then((result) => {
      if (controller.signal.aborted) return
      setState((s) => (result.ok ? { path, data: result.data, error: undefined, loading: false } : { path, data: s.path === path ? s.data : undefined, error: result.error, loading: false }))
    })
    return () => controller.abort()
  }, [path, reloadKey])
  // Another path's data (the previous request's page) is never shown as this one's.
  return state.path === path ? state : { data: undefined, error: undefined, loading: true }
}
