/**
 * Holds the page's EventSource on /api/events inside a dedicated worker and forwards what arrives.
 *
 * Why a worker: an EventSource opened by the page itself is a network fetch that never ends, and headless
 * Chromium's virtual time (`--virtual-time-budget`, what `chromium --headless --dump-dom` uses to snapshot a
 * page) stays paused while a page fetch is pending, so a snapshot of the explorer would never come. A worker's
 * fetches do not hold the page's virtual time; the page stays live in a real browser either way.
 */
import type { LiveWorkerMessage } from './live-worker-message.ts'

const EVENT_TYPES = ['request', 'observation', 'dispute', 'feed-round', 'operator'] as const

const scope = self as unknown as { postMessage: (message: LiveWorkerMessage) => void }
const source = new EventSource('/api/events')
source.onopen = () => scope.postMessage({ kind: 'state', open: true })
source.onerror = () => scope.postMessage({ kind: 'state', open: source.readyState === EventSource.OPEN })
for (const type of EVENT_TYPES) {
  source.addEventListener(type, (message) => scope.postMessage({ kind: 'event', type, data: (message as MessageEvent<string>).data }))
}
