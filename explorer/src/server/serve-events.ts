/**
 * GET /api/events: the store's changes as server-sent events. A client that goes away (closed tab, dropped
 * socket) is unsubscribed on the socket's `close`; one that stops reading is dropped once its unsent backlog
 * passes MAX_BACKLOG_BYTES, so a slow or dead reader can neither grow the server's memory nor stall the store,
 * whose listeners must never throw or block.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { ExplorerStore } from '../store/explorer-store.ts'
import type { ExplorerEvent } from '../store/explorer-types.ts'

export const MAX_BACKLOG_BYTES = 1024 * 1024
export const DEFAULT_PING_INTERVAL_MS = 15_000

export type EventClients = { count: () => number; closeAll: () => void; serve: (req: IncomingMessage, res: ServerResponse) => void }

export function createEventClients({ store, logger, pingIntervalMs = DEFAULT_PING_INTERVAL_MS, maxClients }: { store: Pick<ExplorerStore, 'subscribe'>; logger: Logger; pingIntervalMs?: number; maxClients: number }): EventClients {
  const open = new Set<ServerResponse>()
  const log = logger.child({ unit: 'events' })

  function serve(req: IncomingMessage, res: ServerResponse): void {
    if (open.size >= maxClients) {
      res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '5' })
      res.end(JSON.stringify({ error: 'too many event streams open; retry later' }))
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    open.add(res)
    let closed = false
    const write = (chunk: string): void => {
      if (closed || res.destroyed || res.writableEnded) return
      if (res.writableLength > MAX_BACKLOG_BYTES) {
        log.warn({ backlogBytes: res.writableLength }, 'dropping an event client that does not read')
        res.destroy()
        return
      }
      res.write(chunk)
    }
    const unsubscribe = store.subscribe((event: ExplorerEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`))
    const ping = setInterval(() => write(': ping\n\n'), pingIntervalMs)
    ping.unref()
    const cleanUp = (): void => {
      if (closed) return
      closed = true
      clearInterval(ping)
      unsubscribe()
      open.delete(res)
    }
    res.on('close', cleanUp)
    res.on('error', cleanUp)
    req.on('error', cleanUp)
    write('retry: 3000\n: connected\n\n')
  }

  return {
    serve,
    count: () => open.size,
    closeAll: () => {
      for (const res of open) res.destroy()
      open.clear()
    },
  }
}
