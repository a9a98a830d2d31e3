/**
 * A counter that goes up, at most every `debounceMs`, when a live event the page cares about arrives: pages
 * pass it to useApi as the reload key. Bursts (four observations in a second) become one reload.
 */
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import { LiveContext } from '../live-context.ts'
import type { LiveEvent } from './live-events.ts'

export function useLiveReload(concerns: (event: LiveEvent) => boolean, debounceMs = 250): number {
  const live = useContext(LiveContext)
  const [key, setKey] = useState(0)
  // The latest predicate (it closes over the page's props, e.g. the request id, which change without a remount).
  const concernsRef = useRef(concerns)
  concernsRef.current = concerns
  useEffect(() => {
    if (!live) return undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const unsubscribe = live.subscribe((event) => {
      if (!concernsRef.current(event) || timer !== undefined) return
      timer = setTimeout(() => {
        timer = undefined
        setKey((k) => k + 1)
      }, debounceMs)
    })
    return () => {
      unsubscribe()
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [live, debounceMs])
  return key
}
