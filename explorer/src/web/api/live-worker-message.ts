/** What the live worker (live-worker.ts) tells the page: the stream's state, or one event's raw JSON. */
export type LiveWorkerMessage = { kind: 'state'; open: boolean } | { kind: 'event'; type: 'request' | 'observation' | 'dispute' | 'feed-round' | 'operator'; data: string }
