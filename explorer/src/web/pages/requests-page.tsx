/**
 * The requests list (the home page): question, outcomes, answer, status, requester, fee, time to commit; a status
 * filter; live rows.
 *
 * Fast with many requests: plain table rows with no per-row state or effects, pages of 500 from the API (its
 * largest) until INITIAL_ROWS are loaded, shown in one render, then a "Show more" button. A live `request` event updates its row in
 * place (or adds it on top) instead of reloading the list. `performance.mark('sibyl:requests-rendered')` is set
 * once the first INITIAL_ROWS rows (or all there are) are in the DOM, 'sibyl:requests-painted' once they are
 * painted: the first-render benchmark (bench/sections/explorer.ts) reads both.
 */
import { useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { REQUEST_STATUSES, type ExplorerRequestStatus, type RequestSummary } from '../../store/explorer-types.ts'
import { fetchJson } from '../api/fetch-json.ts'
import { RequestStatusBadge } from '../components/badges.tsx'
import { Hex } from '../components/hex.tsx'
import { formatDuration, formatTime, formatToken, requestStatusLabel } from '../format/format.ts'
import { AnnounceContext, LiveContext } from '../live-context.ts'
import { requestHref, requestsHref } from '../route/parse-route.ts'

export const PAGE_SIZE = 500
export const INITIAL_ROWS = 1000
/** The first INITIAL_ROWS rows (or all there are) are in the DOM. */
export const RENDERED_MARK = 'sibyl:requests-rendered'
/** ... and the browser has laid them out and painted the frame that shows them. */
export const PAINTED_MARK = 'sibyl:requests-painted'

type Page = { requests: RequestSummary[]; nextCursor: string | null }

function pagePath(status: ExplorerRequestStatus | undefined, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) })
  if (status) q.set('status', status)
  if (cursor) q.set('cursor', cursor)
  return `/api/requests?${q}`
}

export function RequestsPage({ status }: { status: ExplorerRequestStatus | undefined }) {
  const [loadedRows, setRows] = useState<RequestSummary[]>([])
  /** The filter the rows were loaded for: another filter's rows are never shown, not even for one frame. */
  const [rowsFor, setRowsFor] = useState<ExplorerRequestStatus | undefined | null>(null)
  const rows = rowsFor === status ? loadedRows : []
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | undefined>()
  const [initialDone, setInitialDone] = useState(false)
  const marked = useRef(false)
  const announced = useRef(new Map<string, string>())
  const live = useContext(LiveContext)
  const announce = useContext(AnnounceContext)

  /** Loads pages from `from` until `target` rows in all, then shows them in one render (one layout pass). */
  async function loadFrom(from: string | null, target: number, signal: AbortSignal, shown: number): Promise<void> {
    let next = from
    let count = shown
    const fresh: RequestSummary[] = []
    do {
      const page = await fetchJson<Page>(pagePath(status, next), signal)
      if (signal.aborted) return
      if (!page.ok) {
        setError(page.error)
        break
      }
      setError(undefined)
      fresh.push(...page.data.requests)
      count += page.data.requests.length
      next = page.data.nextCursor
    } while (next !== null && count < target)
    if (shown === 0) setRowsFor(status)
    setRows((prev) => {
      if (shown === 0) return fresh
      // A live event may already have added a row that a later page also holds.
      const known = new Set(prev.map((r) => r.requestId))
      return prev.concat(fresh.filter((r) => !known.has(r.requestId)))
    })
    setCursor(next)
    setLoading(false)
  }

  useEffect(() => {
    const controller = new AbortController()
    setRows([])
    setLoading(true)
    setInitialDone(false)
    void loadFrom(null, INITIAL_ROWS, controller.signal, 0).then(() => {
      if (!controller.signal.aborted) setInitialDone(true)
    })
    return () => controller.abort()
  }, [status])

  // A layout effect runs right after the commit: the rows are in the DOM. The frame after the next one has
  // painted them (a task queued from requestAnimationFrame runs once that frame is done).
  useLayoutEffect(() => {
    if (!initialDone || marked.current) return
    marked.current = true
    performance.mark(RENDERED_MARK, { detail: { rows: rows.length } })
    requestAnimationFrame(() => setTimeout(() => performance.mark(PAINTED_MARK, { detail: { rows: rows.length } }), 0))
  }, [initialDone, rows])

  useEffect(() => {
    if (!live) return undefined
    return live.subscribe((event) => {
      if (event.type !== 'request') return
      const summary = event.data
      setRows((prev) => {
        const at = prev.findIndex((r) => r.requestId === summary.requestId)
        const matches = status === undefined || summary.status === status
        if (at >= 0) {
          if (!matches) return prev.filter((_, i) => i !== at)
          const copy = prev.slice()
          copy[at] = summary
          return copy
        }
        return matches ? [summary, ...prev] : prev
      })
      // Announced when a request's status changes, not on every update of its fields.
      if (announced.current.get(summary.requestId) === summary.status) return
      announced.current.set(summary.requestId, summary.status)
      announce(`Request updated: ${summary.question.slice(0, 80)} is ${requestStatusLabel(summary.status)}${summary.answer ? `, answer ${summary.answer}` : ''}`)
    })
  }, [live, status])

  const showMore = () => {
    setLoading(true)
    void loadFrom(cursor, rows.length + PAGE_SIZE, new AbortController().signal, rows.length)
  }

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Requests
      </h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={status ?? ''}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLSelectElement).value
            location.hash = requestsHref((REQUEST_STATUSES as readonly string[]).includes(value) ? (value as ExplorerRequestStatus) : undefined)
          }}
        >
          <option value="">all</option>
          {REQUEST_STATUSES.map((s) => (
            <option value={s}>{requestStatusLabel(s)}</option>
          ))}
        </select>
        <span class="count" aria-live="polite">
          {loading && rows.length === 0 ? 'Loading…' : `${rows.length} request${rows.length === 1 ? '' : 's'} shown${cursor ? ' (more below)' : ''}`}
        </span>
      </form>
      {error ? (
        <p class="error" role="alert">
          Could not load the requests: {error}
        </p>
      ) : null}
      <div class="table-wrap">
        <table class="requests">
          <caption class="visually-hidden">Oracle requests, newest first{status ? `, status ${requestStatusLabel(status)}` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Question</th>
              <th scope="col">Outcomes</th>
              <th scope="col">Answer</th>
              <th scope="col">Status</th>
              <th scope="col">Requester</th>
              <th scope="col">Fee</th>
              <th scope="col">Requested</th>
              <th scope="col">Time to commit</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.requestId}>
                <th scope="row" class="question">
                  <a href={requestHref(r.requestId)}>{r.question || r.requestId}</a>
                </th>
                <td>{r.outcomes.join(' / ')}</td>
                <td class="answer">{r.answer ?? '—'}</td>
                <td>
                  <RequestStatusBadge status={r.status} />
                </td>
                <td>
                  <Hex value={r.requester} />
                </td>
                <td>{formatToken(r.feeWei)}</td>
                <td>{formatTime(r.requestedAt)}</td>
                <td>{formatDuration(r.timeToCommitSec)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && rows.length === 0 && !error ? <p>No requests{status ? ` with status ${requestStatusLabel(status)}` : ''} yet.</p> : null}
      {cursor ? (
        <p>
          <button type="button" onClick={showMore} disabled={loading}>
            Show {PAGE_SIZE} more
          </button>
        </p>
      ) : null}
    </section>
  )
}
