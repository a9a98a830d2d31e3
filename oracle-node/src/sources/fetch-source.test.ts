import test from 'ava'
import type http from 'node:http'
import zlib from 'node:zlib'
import { createSourceFetcher } from './create-source-fetcher.ts'
import { fetchSource, type FetchFailureReason, type FetchSourceReturnType, type ResolvedAddress } from './fetch-source.ts'
import { startTestServer, type TestServer } from './testing/start-test-server.ts'

// Serial: one fetcher serves every test in turn, which is the point ("still serves the next request"),
// and the per-host limit would otherwise make tests queue behind each other's deliberate stalls.

const mb = 1024 * 1024
const hits = new Map<string, number>()
const hit = (key: string) => {
  const n = (hits.get(key) ?? 0) + 1
  hits.set(key, n)
  return n
}
const streamed = { bytes: 0 }
let active = 0
let maxActive = 0
// Built once: 32 MiB of zeros gzip to about 32 KiB.
const gzipBomb = zlib.gzipSync(Buffer.alloc(32 * mb), { level: 9 })
const page = '<!doctype html><html><head><title>ok</title></head><body><p>hello from the fixture</p></body></html>'

/** Writes `totalBytes` zeros honouring backpressure; stops when the client goes away. */
function streamZeros(res: http.ServerResponse, totalBytes: number): void {
  const chunk = Buffer.alloc(64 * 1024)
  streamed.bytes = 0
  let closed = false
  res.on('close', () => (closed = true))
  res.on('error', () => {})
  const pump = () => {
    while (!closed && streamed.bytes < totalBytes) {
      streamed.bytes += chunk.length
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    if (!closed) res.end()
  }
  pump()
}

const routes: Record<string, http.RequestListener> = {
  '/ok': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page),
  '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/ld+json' }).end('{"a":1}'),
  '/big-declared': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * mb) })
    streamZeros(res, 50 * mb)
  },
  '/big-chunked': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    streamZeros(res, 50 * mb)
  },
  '/slow-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.write('<')
    const timer = setInterval(() => res.write('p'), 1000)
    res.on('close', () => clearInterval(timer))
  },
  '/slow-headers': () => {
    // Accepts the connection and never answers.
  },
  '/loop-a': (_req, res) => res.writeHead(302, { location: '/loop-b' }).end(),
  '/loop-b': (_req, res) => res.writeHead(301, { location: '/loop-a#again' }).end(),
  '/to-file': (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
  '/to-metadata': (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  '/plain': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('not html'),
  '/no-type': (_req, res) => {
    res.removeHeader('content-type')
    res.writeHead(200).end('<p>no type</p>')
  },
  '/gzip-bomb': (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(gzipBomb.length) }).end(gzipBomb),
  '/gzip': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(zlib.gzipSync(page)),
  '/deflate': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'deflate' }).end(zlib.deflateSync(page)),
  '/deflate-raw': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'deflate' }).end(zlib.deflateRawSync(page)),
  '/br': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br' }).end(zlib.brotliCompressSync(page)),
  '/zstd': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'zstd' }).end('xx'),
  '/corrupt-gzip': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all')),
  '/flaky-503': (_req, res) => (hit('flaky-503') === 1 ? res.writeHead(503).end('busy') : routes['/ok']!(_req, res)),
  '/flaky-429': (_req, res) => (hit('flaky-429') === 1 ? res.writeHead(429).end('slow down') : routes['/ok']!(_req, res)),
  '/always-500': (_req, res) => (hit('always-500'), res.writeHead(500).end()),
  '/missing': (_req, res) => (hit('missing'), res.writeHead(404).end('no')),
  '/reset-once': (req, res) => (hit('reset-once') === 1 ? req.socket.destroy() : routes['/ok']!(req, res)),
  '/hold': (_req, res) => {
    active++
    maxActive = Math.max(maxActive, active)
    setTimeout(() => {
      active--
      routes['/ok']!(_req, res)
    }, 120)
  },
}

let server: TestServer
const lookups: string[] = []
const names: Record<string, string[]> = {}
async function lookup(hostname: string): Promise<ResolvedAddress[]> {
  lookups.push(hostname)
  const addresses = names[hostname]
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}
const sleeps: number[] = []
const fetcher = createSourceFetcher(
  { lookup, sleepMs: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  { allowPrivateAddresses: true, timeoutMs: 2000, maxBytes: 1 * mb, maxRedirects: 3, retries: 2, retryBackoffMs: 40, allowedContentTypes: ['text/html'] },
)

test.before(async () => {
  server = await startTestServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const chain = /^\/chain\/(\d+)$/.exec(path)
    if (chain) return void res.writeHead(302, { location: `/chain/${Number(chain[1]) + 1}` }).end()
    const route = routes[path]
    if (route) route(req, res)
    else res.writeHead(404).end()
  })
})
test.after.always(async () => server?.close())

function assertFailure(t: import('ava').ExecutionContext, r: FetchSourceReturnType, reason: FetchFailureReason, message?: RegExp) {
  if (r.ok) return t.fail(`expected ${reason}, got ok`)
  t.is(r.reason, reason, r.message)
  if (message) t.regex(r.message, message)
}

/** After every hostile case the same fetcher must still serve an ordinary page. */
async function stillServes(t: import('ava').ExecutionContext) {
  const r = await fetcher.fetch(`${server.origin}/ok`)
  t.true(r.ok, r.ok ? '' : r.message)
  t.deepEqual(fetcher.load(`127.0.0.1:${server.port}`), { running: 0, waiting: 0 })
}

test.serial('an ordinary page comes back with status, content type, body and no redirects', async (t) => {
  const r = await fetcher.fetch(`${server.origin}/ok`)
  if (!r.ok) return t.fail(r.message)
  t.is(r.status, 200)
  t.is(r.contentType, 'text/html; charset=utf-8')
  t.is(r.body.toString('utf8'), page)
  t.deepEqual(r.redirects, [])
  t.is(r.finalUrl, `${server.origin}/ok`)
  t.true(r.fetchedAtMs > 0)
})

test.serial('a 50 MB body with Content-Length is refused from the header, before reading it', async (t) => {
  const startedMs = Date.now()
  const r = await fetcher.fetch(`${server.origin}/big-declared`)
  assertFailure(t, r, 'too_large', /Content-Length 52428800 exceeds maxBytes/)
  t.true(Date.now() - startedMs < 1000)
  await stillServes(t)
})

test.serial('a 50 MB chunked body is cut at maxBytes + 1 while streaming', async (t) => {
  const r = await fetcher.fetch(`${server.origin}/big-chunked`)
  assertFailure(t, r, 'too_large', /exceeds maxBytes 1048576/)
  // The server could push only what the loopback socket buffers hold before we hung up.
  t.true(streamed.bytes < 20 * mb, `server wrote ${streamed.bytes} bytes`)
  await stillServes(t)
})

test.serial('a server sending one byte per second fails at timeoutMs, not later', async (t) => {
  const startedMs = Date.now()
  const r = await fetcher.fetch(`${server.origin}/slow-body`, { timeoutMs: 600 })
  const elapsedMs = Date.now() - startedMs
  assertFailure(t, r, 'timeout', /timed out after 600 ms/)
  t.true(elapsedMs >= 550 && elapsedMs < 1200, `took ${elapsedMs} ms`)
  await stillServes(t)
})

test.serial('a server that never sends headers times out, and a timeout is not retried', async (t) => {
  const before = sleeps.length
  const r = await fetcher.fetch(`${server.origin}/slow-headers`, { timeoutMs: 300 })
  assertFailure(t, r, 'timeout')
  t.is(sleeps.length, before)
  await stillServes(t)
})

test.serial('a redirect loop is detected (fragments do not make a URL new)', async (t) => {
  const r = await fetcher.fetch(`${server.origin}/loop-a`)
  assertFailure(t, r, 'redirect_loop', /loop-a/)
  await stillServes(t)
})

test.serial('more than maxRedirects hops fail with too_many_redirects', async (t) => {
  const r = await fetcher.fetch(`${server.origin}/chain/0`)
  assertFailure(t, r, 'too_many_redirects', /more than 3 redirects/)
  const within = await fetcher.fetch(`${server.origin}/chain/0`, { maxRedirects: 10, allowedContentTypes: [] })
  assertFailure(t, within, 'too_many_redirects', /more than 10/)
  await stillServes(t)
})

test.serial('redirects are followed and reported; each hop is re-vetted', async (t) => {
  names['redirector.test'] = ['127.0.0.1']
  routes['/moved'] = (_req, res) => res.writeHead(301, { location: `${server.origin}/ok` }).end()
  const moved = await fetcher.fetch(`http://redirector.test:${server.port}/moved`)
  if (!moved.ok) return t.fail(moved.message)
  t.is(moved.url, `http://redirector.test:${server.port}/moved`)
  t.is(moved.finalUrl, `${server.origin}/ok`)
  t.deepEqual(moved.redirects, [`${server.origin}/ok`])
  lookups.length = 0
  const r = await fetcher.fetch(`http://redirector.test:${server.port}/chain/0`)
  assertFailure(t, r, 'too_many_redirects')
  t.is(lookups.filter((h) => h === 'redirector.test').length, 4) // every hop resolved and vetted again
})

test.serial('a public-looking host that resolves to 127.0.0.1 is refused when private addresses are not allowed', async (t) => {
  names['news.example.test'] = ['127.0.0.1']
  const before = hits.get('missing') ?? 0
  const r = await fetchSource({ lookup }, `http://news.example.test:${server.port}/missing`)
  assertFailure(t, r, 'private_address', /news\.example\.test resolves to 127\.0\.0\.1 \(loopback\)/)
  t.is(hits.get('missing') ?? 0, before, 'no request reached the server')
  // ANY private answer refuses the host, even after a public one.
  names['mixed.example.test'] = ['93.184.216.34', '10.1.2.3']
  assertFailure(t, await fetchSource({ lookup }, 'http://mixed.example.test/'), 'private_address', /10\.1\.2\.3 \(private\)/)
  await stillServes(t)
})

test.serial('a redirect from an allowed host to a private address is refused at the hop', async (t) => {
  // 127.0.0.1 plays a public site: it alone is allowed. The redirect target resolves to 127.0.0.2.
  names['public.example.test'] = ['127.0.0.1']
  names['internal.example.test'] = ['127.0.0.2']
  routes['/to-internal'] = (_req, res) => res.writeHead(302, { location: `http://internal.example.test:${server.port}/ok` }).end()
  const policy = { allowPrivateAddresses: false, allowedAddresses: ['127.0.0.1'], timeoutMs: 2000 }
  const direct = await fetchSource({ lookup }, `http://public.example.test:${server.port}/ok`, policy)
  t.true(direct.ok, direct.ok ? '' : direct.message)
  const r = await fetchSource({ lookup }, `http://public.example.test:${server.port}/to-internal`, policy)
  assertFailure(t, r, 'private_address', /internal\.example\.test resolves to 127\.0\.0\.2 \(loopback\)/)
  const meta = await fetchSource({ lookup }, `http://public.example.test:${server.port}/to-metadata`, policy)
  assertFailure(t, meta, 'private_address', /169\.254\.169\.254 \(link_local\)/)
  await stillServes(t)
})

test.serial('the connection is pinned to the vetted address: a second DNS answer cannot swap it', async (t) => {
  let calls = 0
  const rebinding = async (): Promise<ResolvedAddress[]> => {
    calls++
    // First answer passes the check; any later answer points at a private host.
    return calls === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }]
  }
  const r = await fetchSource({ lookup: rebinding }, `http://rebind.example.test:${server.port}/ok`, { allowedAddresses: ['127.0.0.1'] })
  t.true(r.ok, r.ok ? '' : r.message)
  t.is(calls, 1, 'the socket did not resolve the name again')
})

test.serial('a non-HTML content type is refused, and so is a missing one; +json matches a structured suffix', async (t) => {
  assertFailure(t, await fetcher.fetch(`${server.origin}/plain`), 'bad_content_type', /text\/plain is not one of text\/html/)
  assertFailure(t, await fetcher.fetch(`${server.origin}/no-type`), 'bad_content_type', /\(none\)/)
  const json = await fetcher.fetch(`${server.origin}/json`, { allowedContentTypes: ['application/json', '+json'] })
  t.true(json.ok)
  await stillServes(t)
})

test.serial('a gzip bomb stops at maxBytes of decoded output', async (t) => {
  t.true(gzipBomb.length < 1 * mb, 'the bomb itself is under the cap')
  const startedMs = Date.now()
  const r = await fetcher.fetch(`${server.origin}/gzip-bomb`)
  assertFailure(t, r, 'too_large', /after decoding/)
  t.true(Date.now() - startedMs < 1500)
  await stillServes(t)
})

test.serial('gzip, zlib deflate, raw deflate and brotli bodies are decoded; unknown or corrupt encodings fail', async (t) => {
  for (const path of ['/gzip', '/deflate', '/deflate-raw', '/br']) {
    const r = await fetcher.fetch(`${server.origin}${path}`)
    t.true(r.ok && r.body.toString('utf8') === page, path)
  }
  assertFailure(t, await fetcher.fetch(`${server.origin}/zstd`), 'network', /unsupported content-encoding zstd/)
  assertFailure(t, await fetcher.fetch(`${server.origin}/corrupt-gzip`, { retries: 0 }), 'network')
  await stillServes(t)
})

test.serial('a 503 then a 200 succeeds on retry, after a backoff', async (t) => {
  sleeps.length = 0
  const r = await fetcher.fetch(`${server.origin}/flaky-503`)
  t.true(r.ok)
  t.is(hits.get('flaky-503'), 2)
  t.deepEqual(sleeps, [30]) // 40 * 2^0: half fixed, half jittered (random() = 0.5)
  const r429 = await fetcher.fetch(`${server.origin}/flaky-429`)
  t.true(r429.ok)
  t.is(hits.get('flaky-429'), 2)
})

test.serial('a persistent 500 is retried a bounded number of times with exponential backoff', async (t) => {
  sleeps.length = 0
  const r = await fetcher.fetch(`${server.origin}/always-500`)
  assertFailure(t, r, 'http_status')
  t.is(!r.ok && r.status, 500)
  t.is(hits.get('always-500'), 3)
  t.deepEqual(sleeps, [30, 60])
})

test.serial('a question deadline bounds the attempt below timeoutMs and stops retries that could not finish in time', async (t) => {
  const startedMs = Date.now()
  const slow = await fetcher.fetch(`${server.origin}/slow-body`, { timeoutMs: 2000, deadlineAtMs: Date.now() + 500 })
  const elapsedMs = Date.now() - startedMs
  assertFailure(t, slow, 'timeout')
  t.true(elapsedMs >= 450 && elapsedMs < 1200, `took ${elapsedMs} ms`)
  // Backoffs here are 30 and 60 ms: with 20 ms left, the failed first attempt is the answer.
  sleeps.length = 0
  const before = hits.get('always-500') ?? 0
  assertFailure(t, await fetcher.fetch(`${server.origin}/always-500`, { deadlineAtMs: Date.now() + 20 }), 'http_status')
  t.is(hits.get('always-500'), before + 1)
  t.deepEqual(sleeps, [])
  // A spent deadline sends nothing at all.
  assertFailure(t, await fetcher.fetch(`${server.origin}/always-500`, { deadlineAtMs: Date.now() - 1 }), 'timeout', /no time left/)
  t.is(hits.get('always-500'), before + 1)
  await stillServes(t)
})

test.serial('a 404 is not retried', async (t) => {
  const r = await fetcher.fetch(`${server.origin}/missing`)
  assertFailure(t, r, 'http_status', /HTTP 404/)
  t.is(!r.ok && r.status, 404)
  t.is(hits.get('missing'), 1)
  await stillServes(t)
})

test.serial('a connection reset is a network error and is retried', async (t) => {
  const r = await fetcher.fetch(`${server.origin}/reset-once`)
  t.true(r.ok, r.ok ? '' : r.message)
  t.is(hits.get('reset-once'), 2)
})

test.serial('DNS failures are values; NXDOMAIN is not retried', async (t) => {
  sleeps.length = 0
  assertFailure(t, await fetcher.fetch('http://nowhere.example.test/'), 'dns', /ENOTFOUND/)
  t.deepEqual(sleeps, [])
})

test.serial('private, loopback, link-local, unique-local and IPv4-mapped literals are refused by default without a request', async (t) => {
  const port = server.port
  const urls = [
    `http://127.0.0.1:${port}/ok`,
    `http://[::1]:${port}/ok`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://[fd12:3456::1]/',
    `http://[::ffff:127.0.0.1]:${port}/ok`,
    'http://[::ffff:a00:1]/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://2130706433/', // 127.0.0.1 as one decimal number
    'http://0x7f.1/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
  ]
  const before = lookups.length
  for (const url of urls) assertFailure(t, await fetchSource({ lookup }, url), 'private_address')
  t.is(lookups.length, before, 'literals need no DNS')
  await stillServes(t)
})

test.serial('non-http schemes, redirects to them, credentials and garbage URLs are refused', async (t) => {
  for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'gopher://example.com/']) {
    assertFailure(t, await fetcher.fetch(url), 'bad_scheme')
  }
  assertFailure(t, await fetcher.fetch(`${server.origin}/to-file`), 'bad_scheme', /file:/)
  assertFailure(t, await fetcher.fetch('not a url'), 'invalid_url')
  assertFailure(t, await fetcher.fetch(`http://user:pw@127.0.0.1:${server.port}/ok`), 'invalid_url', /credentials/)
  await stillServes(t)
})

test.serial('requests to one host are limited to maxConcurrentPerHost at a time', async (t) => {
  maxActive = 0
  const results = await Promise.all(Array.from({ length: 6 }, () => fetcher.fetch(`${server.origin}/hold`)))
  t.true(results.every((r) => r.ok))
  t.is(maxActive, 2)
  t.deepEqual(fetcher.load(`127.0.0.1:${server.port}`), { running: 0, waiting: 0 })
})

test.serial('a bad policy is a bug and throws', async (t) => {
  await t.throwsAsync(fetchSource({ lookup }, 'http://example.com/', { timeoutMs: 0 }), { instanceOf: RangeError })
  await t.throwsAsync(fetchSource({ lookup }, 'http://example.com/', { userAgent: 'x\r\nInjected: 1' }), { instanceOf: RangeError })
  await t.throwsAsync(fetchSource({ lookup }, 'http://example.com/', { allowedAddresses: ['localhost'] }), { instanceOf: RangeError })
})
