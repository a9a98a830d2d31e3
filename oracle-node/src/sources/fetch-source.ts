/**
 * Fetches one source URL the way a node must when the page may be hostile: every hop's host is resolved
 * here, every resolved address is vetted, and the connection is pinned to the vetted address (the socket's
 * `lookup` answers with it), so a second DNS answer cannot swap in 127.0.0.1 (DNS rebinding). One
 * deadline covers DNS, the per-host queue, connect, headers and body of every hop; the body is counted
 * while it streams, after decompression, and dropped at `maxBytes + 1`.
 *
 * Expected failures come back as values (`{ ok: false, reason }`); only a bad policy (a bug) throws.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { pipeline, Readable } from 'node:stream'
import zlib from 'node:zlib'
import { classifyAddress } from './classify-address.ts'
import type { HostLimiter } from './create-host-limiter.ts'

export type ResolvedAddress = { address: string; family: number }

export type FetchSourceDeps = {
  /** Resolves a host name to every address it has. Default: node:dns/promises lookup with all: true. */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>
  /** Wall clock for `fetchedAtMs`. */
  nowMs?: () => number
  /** Waits between retries; tests may inject one that does not wait. */
  sleepMs?: (ms: number) => Promise<void>
  /** In [0, 1): jitter for retry backoff. */
  random?: () => number
  /** Per-host concurrency limit, shared by the fetches of one fetcher (see createSourceFetcher). */
  hostLimiter?: HostLimiter
}

export type SourceFetchPolicy = {
  /** Whole budget of one attempt: DNS, waiting for a host slot, connect, headers and body, over all redirects. */
  timeoutMs: number
  /** Cap on the decoded body; a larger body is a `too_large` failure, read no further than maxBytes + 1. */
  maxBytes: number
  maxRedirects: number
  /** Media types accepted: `type/subtype`, `type/*`, or a structured suffix such as `+json`. Empty: any. */
  allowedContentTypes: readonly string[]
  /** Only for local fixtures (the demo, tests): allows loopback, private, link-local... addresses. */
  allowPrivateAddresses: boolean
  /**
   * Exact IP addresses allowed even though they are not public (the demo's fixture hosts), while every
   * other private address stays refused. Narrower than allowPrivateAddresses; compared as written.
   */
  allowedAddresses: readonly string[]
  /** Extra attempts after a network error, a 5xx or a 429; never after a 4xx or a refusal. */
  retries: number
  /** Backoff before retry k (0-based) is retryBackoffMs * 2^k, with half of it jittered. */
  retryBackoffMs: number
  userAgent: string
  /** Used by createSourceFetcher: requests in flight to one host at a time. */
  maxConcurrentPerHost: number
  /**
   * When set, the whole fetch (every attempt and every backoff) ends by this time (ms, on deps.nowMs's clock):
   * the time budget a question shares among its sources. Each attempt gets the smaller of timeoutMs and the
   * time left; no retry starts that could not finish in time.
   */
  deadlineAtMs?: number
}

export const htmlContentTypes = ['text/html', 'application/xhtml+xml'] as const
export const jsonContentTypes = ['application/json', '+json'] as const

export const defaultSourceFetchPolicy: Readonly<SourceFetchPolicy> = Object.freeze({
  timeoutMs: 10_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  allowedContentTypes: [...htmlContentTypes, ...jsonContentTypes],
  allowPrivateAddresses: false,
  allowedAddresses: [],
  retries: 2,
  retryBackoffMs: 250,
  userAgent: 'SibylOracleNode/0.1 (decentralized oracle; source fetcher)',
  maxConcurrentPerHost: 2,
})

export type FetchFailureReason =
  | 'invalid_url'
  | 'private_address'
  | 'dns'
  | 'timeout'
  | 'too_large'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'bad_scheme'
  | 'bad_content_type'
  | 'http_status'
  | 'network'

export type FetchSourceSuccess = {
  ok: true
  url: string
  finalUrl: string
  status: number
  /** The Content-Type header as sent (parameters such as charset included). */
  contentType: string
  /** The decoded body (Content-Encoding removed), at most maxBytes. */
  body: Buffer
  fetchedAtMs: number
  /** Every URL redirected to, in order (the last is finalUrl); empty when there was no redirect. */
  redirects: string[]
}

export type FetchSourceFailure = {
  ok: false
  url: string
  reason: FetchFailureReason
  message: string
  status?: number
}

export type FetchSourceReturnType = FetchSourceSuccess | FetchSourceFailure

/** Internal: a failure plus whether trying again could help. */
type Attempt = { result: FetchSourceReturnType; retryable: boolean }

const redirectStatuses = new Set([301, 302, 303, 307, 308])
const maxRetries = 10
const maxBackoffMs = 30_000

export async function defaultLookup(hostname: string): Promise<ResolvedAddress[]> {
  return dnsLookup(hostname, { all: true, verbatim: true })
}

const defaultSleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function assertPolicy(p: SourceFetchPolicy): void {
  const positiveInt = (name: keyof SourceFetchPolicy, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`policy.${name} must be an integer in [${min}, ${max}], got ${v}`)
  }
  positiveInt('timeoutMs', p.timeoutMs, 1, 10 * 60_000)
  positiveInt('maxBytes', p.maxBytes, 1, 512 * 1024 * 1024)
  positiveInt('maxRedirects', p.maxRedirects, 0, 20)
  positiveInt('retries', p.retries, 0, maxRetries)
  positiveInt('retryBackoffMs', p.retryBackoffMs, 0, maxBackoffMs)
  positiveInt('maxConcurrentPerHost', p.maxConcurrentPerHost, 1, 64)
  // A header value with CR/LF would be a header-injection bug in our own config.
  if (p.allowedAddresses.length > 64 || p.allowedAddresses.some((a) => classifyAddress(a) === 'invalid')) {
    throw new RangeError('policy.allowedAddresses must be at most 64 IP address literals')
  }
  if (!/^[\x20-\x7e]{1,200}$/.test(p.userAgent)) throw new RangeError('policy.userAgent must be 1..200 printable ASCII characters')
}

const fail = (url: string, reason: FetchFailureReason, message: string, status?: number): FetchSourceFailure =>
  status === undefined ? { ok: false, url, reason, message } : { ok: false, url, reason, message, status }

/** The media type of a Content-Type header, lowercased, without parameters. */
function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}

function contentTypeAllowed(contentType: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true
  const essence = mediaTypeOf(contentType)
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence)) return false
  return allowed.some((a) => {
    const rule = a.toLowerCase()
    if (rule.startsWith('+')) return essence.endsWith(rule)
    if (rule.endsWith('/*')) return essence.startsWith(rule.slice(0, -1))
    return essence === rule
  })
}

function acceptHeader(allowed: readonly string[]): string {
  const types = allowed.map((a) => (a.startsWith('+') ? `application/*${a}` : a))
  return types.length > 0 ? types.join(', ') : '*/*'
}

const unbracket = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname)

/** The URL as a loop-detection key: fragment dropped (it never reaches the server). */
function urlKey(u: URL): string {
  const copy = new URL(u.href)
  copy.hash = ''
  return copy.href
}

/** Scheme and shape checks that need no network; undefined when the URL may be fetched. */
function refuseUrl(u: URL, previous: URL | undefined): FetchSourceFailure | undefined {
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return fail(u.href, 'bad_scheme', `scheme ${u.protocol} is not http or https`)
  }
  // Evidence read over TLS must not silently continue in clear text.
  if (previous?.protocol === 'https:' && u.protocol === 'http:') {
    return fail(u.href, 'bad_scheme', 'redirect from https to http refused')
  }
  if (u.username || u.password) return fail(u.href, 'invalid_url', 'URLs with credentials are refused')
  if (!u.hostname) return fail(u.href, 'invalid_url', 'URL has no host')
  return undefined
}

/** Rejects when the signal aborts; the underlying promise is left to settle on its own. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

function addressAllowed(address: string, cls: string, policy: SourceFetchPolicy): boolean {
  return cls === 'public' || policy.allowPrivateAddresses || policy.allowedAddresses.includes(unbracket(address).toLowerCase())
}

type Vetted = { ok: true; address: string; family: 4 | 6 } | { ok: false; attempt: Attempt }

/** Resolves `hostname` and refuses it if ANY of its addresses is not public (unless allowed). */
async function resolveAndVet(
  lookup: (hostname: string) => Promise<ResolvedAddress[]>,
  url: URL,
  policy: SourceFetchPolicy,
  signal: AbortSignal,
): Promise<Vetted> {
  const host = unbracket(url.hostname)
  let addresses: ResolvedAddress[]
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }]
  } else {
    try {
      addresses = await raceAbort(lookup(host), signal)
    } catch (e) {
      if (signal.aborted) throw e
      const code = (e as { code?: unknown }).code
      // EAI_AGAIN and friends are a resolver having a bad moment; NXDOMAIN will not change on retry.
      const transient = code === 'EAI_AGAIN' || code === 'ETIMEOUT' || code === 'ESERVFAIL' || code === 'ECONNREFUSED'
      return { ok: false, attempt: { result: fail(url.href, 'dns', `cannot resolve ${host}: ${String(code ?? (e as Error).message)}`), retryable: transient } }
    }
  }
  if (!Array.isArray(addresses) || addresses.length === 0) {
    return { ok: false, attempt: { result: fail(url.href, 'dns', `${host} has no addresses`), retryable: false } }
  }
  for (const a of addresses.slice(0, 64)) {
    const cls = classifyAddress(String(a.address))
    if (cls === 'invalid') {
      return { ok: false, attempt: { result: fail(url.href, 'dns', `resolver returned a non-IP answer for ${host}`), retryable: false } }
    }
    if (!addressAllowed(String(a.address), cls, policy)) {
      return {
        ok: false,
        attempt: { result: fail(url.href, 'private_address', `${host} resolves to ${a.address} (${cls}); private addresses are not allowed`), retryable: false },
      }
    }
  }
  const first = addresses[0]!
  return { ok: true, address: unbracket(String(first.address)), family: isIP(unbracket(String(first.address))) === 6 ? 6 : 4 }
}

type Decoder = Readable & NodeJS.WritableStream

function createDecoder(encoding: string, firstByte: number | undefined): Decoder | null | 'unsupported' {
  // Lenient flush like browsers: a truncated but otherwise valid stream yields what it has.
  const lenient = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
  switch (encoding) {
    case '':
    case 'identity':
      return null
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(lenient)
    case 'deflate':
      // RFC 9110 "deflate" is zlib-wrapped; some servers send raw deflate. A zlib header's low nibble is 8.
      return firstByte !== undefined && (firstByte & 0x0f) === 8 ? zlib.createInflate(lenient) : zlib.createInflateRaw(lenient)
    case 'br':
      return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
    default:
      return 'unsupported'
  }
}

/**
 * Reads the first chunk (to tell zlib-wrapped from raw deflate) and returns a stream that replays it and
 * then the rest, pulled on demand so backpressure still reaches the socket.
 */
async function withFirstByte(res: http.IncomingMessage): Promise<{ stream: Readable; firstByte: number | undefined }> {
  const it = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const first = await it.next()
  const head = first.done ? undefined : first.value
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head) yield head
      for (;;) {
        const next = await it.next()
        if (next.done) return
        yield next.value
      }
    } finally {
      await it.return?.()
    }
  }
  return { stream: Readable.from(replay(), { objectMode: false }), firstByte: head?.[0] }
}

type Hop = { kind: 'redirect'; location: string; status: number } | { kind: 'done'; attempt: Attempt }

/** One HTTP exchange with the vetted address; the response is read (or refused) before returning. */
async function exchange(url: URL, vetted: { address: string; family: 4 | 6 }, policy: SourceFetchPolicy, signal: AbortSignal, nowMs: () => number): Promise<Hop> {
  // The socket asks this for the host's address and gets the one we checked, whatever DNS says now.
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: vetted.address, family: vetted.family }])
    else callback(null, vetted.address, vetted.family)
  }
  const transport = url.protocol === 'https:' ? https : http
  const req = transport.request({
    protocol: url.protocol,
    hostname: unbracket(url.hostname),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    agent: false, // no pooled socket from another fetch (and another vetting) is ever reused
    lookup: pinnedLookup,
    signal,
    headers: {
      'user-agent': policy.userAgent,
      accept: acceptHeader(policy.allowedContentTypes),
      'accept-encoding': 'gzip, deflate, br',
      connection: 'close',
    },
  })
  const onAbortDestroy = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
  signal.addEventListener('abort', onAbortDestroy, { once: true })
  try {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', resolve)
      req.once('error', reject)
      req.end()
    })
    const status = res.statusCode ?? 0
    const href = url.href

    // Defence in depth: the peer we actually reached must be the vetted address.
    const remote = res.socket?.remoteAddress
    if (remote !== undefined && !addressAllowed(remote, classifyAddress(remote), policy)) {
      return { kind: 'done', attempt: { result: fail(href, 'private_address', `connected to ${remote}, which is not public`), retryable: false } }
    }

    if (redirectStatuses.has(status)) {
      const location = res.headers.location
      if (!location) return { kind: 'done', attempt: { result: fail(href, 'http_status', `${status} without a Location header`, status), retryable: false } }
      return { kind: 'redirect', location, status }
    }
    if (status < 200 || status > 299) {
      const retryable = status >= 500 || status === 429
      return { kind: 'done', attempt: { result: fail(href, 'http_status', `HTTP ${status}`, status), retryable } }
    }

    const contentType = res.headers['content-type'] ?? ''
    if (!contentTypeAllowed(contentType, policy.allowedContentTypes)) {
      const shown = contentType ? mediaTypeOf(contentType).slice(0, 100) : '(none)'
      return {
        kind: 'done',
        attempt: { result: fail(href, 'bad_content_type', `content type ${shown} is not one of ${policy.allowedContentTypes.join(', ')}`, status), retryable: false },
      }
    }

    const declared = res.headers['content-length']
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > policy.maxBytes) {
      return { kind: 'done', attempt: { result: fail(href, 'too_large', `Content-Length ${declared} exceeds maxBytes ${policy.maxBytes}`, status), retryable: false } }
    }

    const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase()
    const source = encoding === 'deflate' ? await withFirstByte(res) : { stream: res, firstByte: undefined }
    const decoder = createDecoder(encoding, source.firstByte)
    if (decoder === 'unsupported') {
      return { kind: 'done', attempt: { result: fail(href, 'network', `unsupported content-encoding ${encoding.slice(0, 40)}`, status), retryable: false } }
    }

    // pipeline() propagates an error or abort of either side to the other; zlib honours backpressure,
    // so a bomb is inflated only as fast as we read it, and we stop reading at maxBytes + 1.
    const body: Readable = decoder ? (pipeline(source.stream, decoder, () => {}) as unknown as Readable) : source.stream
    const stopOnAbort = () => body.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
    signal.addEventListener('abort', stopOnAbort, { once: true })
    try {
      const chunks: Buffer[] = []
      let total = 0
      for await (const chunk of body as AsyncIterable<Buffer>) {
        total += chunk.length
        if (total > policy.maxBytes) {
          body.destroy()
          return {
            kind: 'done',
            attempt: { result: fail(href, 'too_large', `body exceeds maxBytes ${policy.maxBytes} (after decoding)`, status), retryable: false },
          }
        }
        chunks.push(chunk)
      }
      return {
        kind: 'done',
        attempt: {
          result: { ok: true, url: href, finalUrl: href, status, contentType, body: Buffer.concat(chunks, total), fetchedAtMs: nowMs(), redirects: [] },
          retryable: false,
        },
      }
    } finally {
      signal.removeEventListener('abort', stopOnAbort)
    }
  } finally {
    signal.removeEventListener('abort', onAbortDestroy)
    req.destroy() // connection: close anyway; frees the socket on every path, early refusals included
  }
}

/** One attempt: the redirect chain under one deadline. */
async function attemptOnce(deps: Required<Omit<FetchSourceDeps, 'hostLimiter'>> & Pick<FetchSourceDeps, 'hostLimiter'>, start: URL, policy: SourceFetchPolicy): Promise<Attempt> {
  const controller = new AbortController()
  const timeout = new Error(`timed out after ${policy.timeoutMs} ms`)
  const timer = setTimeout(() => controller.abort(timeout), policy.timeoutMs)
  const signal = controller.signal
  const redirects: string[] = []
  const seen = new Set([urlKey(start)])
  let current = start
  try {
    for (;;) {
      const vetted = await resolveAndVet(deps.lookup, current, policy, signal)
      if (!vetted.ok) return vetted.attempt
      const run = () => exchange(current, vetted, policy, signal, deps.nowMs)
      const hop = deps.hostLimiter ? await deps.hostLimiter.run(current.host, signal, run) : await run()
      if (hop.kind === 'done') {
        const r = hop.attempt.result
        const result: FetchSourceReturnType = r.ok
          ? { ...r, url: start.href, finalUrl: current.href, redirects }
          : { ...r, url: start.href, message: current === start ? r.message : `${r.message} (at ${current.href})` }
        return { result, retryable: hop.attempt.retryable }
      }
      let next: URL
      try {
        next = new URL(hop.location, current)
      } catch {
        return { result: fail(start.href, 'invalid_url', `redirect ${hop.status} to an invalid URL`), retryable: false }
      }
      const refused = refuseUrl(next, current)
      if (refused) return { result: { ...refused, url: start.href, message: `redirect to ${next.href.slice(0, 200)}: ${refused.message}` }, retryable: false }
      if (seen.has(urlKey(next))) {
        return { result: fail(start.href, 'redirect_loop', `redirect loop back to ${next.href.slice(0, 200)} after ${redirects.length + 1} hops`), retryable: false }
      }
      if (redirects.length >= policy.maxRedirects) {
        return { result: fail(start.href, 'too_many_redirects', `more than ${policy.maxRedirects} redirects`), retryable: false }
      }
      seen.add(urlKey(next))
      redirects.push(next.href)
      current = next
    }
  } catch (e) {
    if (signal.reason === timeout) {
      // A timeout is not retried: timeoutMs is the budget the caller gave this fetch.
      return { result: fail(start.href, 'timeout', `${timeout.message} (at ${current.href})`), retryable: false }
    }
    const code = (e as { code?: unknown }).code
    const detail = typeof code === 'string' ? `${code}: ${(e as Error).message}` : String((e as Error)?.message ?? e)
    // A certificate that does not verify will not verify on a second try (and may be an interception).
    const certificate = typeof code === 'string' && /CERT|TLS|SELF_SIGNED/.test(code)
    return { result: fail(start.href, 'network', detail.slice(0, 300)), retryable: !certificate }
  } finally {
    clearTimeout(timer)
    controller.abort() // releases anything still listening (a queued host slot, a lookup race)
  }
}

/**
 * Fetches `url` under `policy` (merged over defaultSourceFetchPolicy). Never throws for an expected
 * failure; throws RangeError for an invalid policy.
 */
export async function fetchSource(deps: FetchSourceDeps, url: string, policy: Partial<SourceFetchPolicy> = {}): Promise<FetchSourceReturnType> {
  const p: SourceFetchPolicy = { ...defaultSourceFetchPolicy, ...policy }
  assertPolicy(p)
  const d = {
    lookup: deps.lookup ?? defaultLookup,
    nowMs: deps.nowMs ?? Date.now,
    sleepMs: deps.sleepMs ?? defaultSleepMs,
    random: deps.random ?? Math.random,
    hostLimiter: deps.hostLimiter,
  }
  let start: URL
  try {
    start = new URL(url)
  } catch {
    return fail(url, 'invalid_url', 'not a valid absolute URL')
  }
  const refused = refuseUrl(start, undefined)
  if (refused) return { ...refused, url }

  const leftMs = () => (p.deadlineAtMs === undefined ? Infinity : Math.floor(p.deadlineAtMs - d.nowMs()))
  if (leftMs() < 1) return fail(url, 'timeout', 'no time left in the question\'s budget')
  for (let attempt = 0; ; attempt++) {
    const { result, retryable } = await attemptOnce(d, start, { ...p, timeoutMs: Math.max(1, Math.min(p.timeoutMs, leftMs())) })
    if (result.ok || !retryable || attempt >= p.retries) return result
    const baseMs = Math.min(p.retryBackoffMs * 2 ** attempt, maxBackoffMs)
    const waitMs = Math.round(baseMs / 2 + (baseMs / 2) * d.random())
    // A retry that would start after the deadline cannot help; the last failure is the answer.
    if (leftMs() - waitMs < 1) return result
    await d.sleepMs(waitMs)
  }
}
