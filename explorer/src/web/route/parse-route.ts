/**
 * The app's hash routes, so the server needs no fallback routes and every view is a link:
 *   #/ or no hash          the requests list (#/?status=final filters it)
 *   #/requests/0x…         one request
 *   #/feeds, #/operators, #/disputes
 */
import { REQUEST_STATUSES, type ExplorerRequestStatus } from '../../store/explorer-types.ts'

export type Route =
  | { page: 'requests'; status: ExplorerRequestStatus | undefined }
  | { page: 'request'; requestId: string }
  | { page: 'feeds' }
  | { page: 'operators' }
  | { page: 'disputes' }
  | { page: 'not-found'; hash: string }

export function parseRoute(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash
  const [path = '', query = ''] = raw.split('?', 2)
  const parts = path.split('/').filter((p) => p.length > 0)
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'requests')) {
    const status = new URLSearchParams(query).get('status')
    return { page: 'requests', status: (REQUEST_STATUSES as readonly string[]).includes(status ?? '') ? (status as ExplorerRequestStatus) : undefined }
  }
  if (parts.length === 2 && parts[0] === 'requests' && /^0x[0-9a-fA-F]{64}$/.test(parts[1]!)) return { page: 'request', requestId: parts[1]!.toLowerCase() }
  if (parts.length === 1 && (parts[0] === 'feeds' || parts[0] === 'operators' || parts[0] === 'disputes')) return { page: parts[0] }
  return { page: 'not-found', hash: raw.slice(0, 200) }
}

export function requestsHref(status: ExplorerRequestStatus | undefined): string {
  return status ? `#/?status=${status}` : '#/'
}

export function requestHref(requestId: string): string {
  return `#/requests/${requestId}`
}
