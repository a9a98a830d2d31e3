/**
 * The live feed of the explorer: one stream of /api/events for the whole page (held by a worker, see
 * live-worker.ts), fanned out to the pages that listen. EventSource reconnects by itself after a drop; `onState`
 * says whether the page is live, so the header can say so.
 */
import type { Dispute, FeedRound, NodeAnswer, OperatorSummary, RequestSummary } from '../../store/explorer-types.ts'
import type { LiveWorkerMessage } from './live-worker-message.ts'

export type LiveEvent =
  | { type: 'request'; data: RequestSummary }
  | { type: 'observation'; data: { requestId: string; node: NodeAnswer } }
  | { type: 'dispute'; data: Dispute }
  | { type: 'feed-round'; data: { address: string; round: FeedRound } }
  | { type: 'operator'; data: OperatorSummary }

export type LiveListener = (event: LiveEvent) => void

export type LiveEvents = {
  subscribe: (listener: LiveListener) => () => void
  close: () => void
}

export function connectLiveEvents(onState: (live: boolean) => void): LiveEvents {
  const listeners = new Set<LiveListener>()
  const worker = new Worker(new URL('./live-worker.ts', import.meta.url), { type: 'module', name: 'sibyl-live-events' })
  worker.onmessage = (message: MessageEvent<LiveWorkerMessage>) => {
    const m = message.data
    if (m.kind === 'state') return onState(m.open)
    let data: unknown
    try {
      data = JSON.parse(m.data)
    } catch {
      return // not ours to crash on: the next event carries the current state again
    }
    const event = { type: m.type, data } as LiveEvent
    for (const listener of listeners) listener(event)
  }
  worker.onerror = () => onState(false)
  return {
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: () => worker.terminate(),
  }
}
