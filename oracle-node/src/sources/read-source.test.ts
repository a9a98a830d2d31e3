import test from 'ava'
import type http from 'node:http'
import type { SourceSpec } from '@sibyl/protocol/question-spec'
import { createSourceFetcher } from './create-source-fetcher.ts'
import { readSource } from './read-source.ts'
import { splitPassages } from './split-passages.ts'
import { startTestServer, type TestServer } from './testing/start-test-server.ts'

const article = `<!doctype html><html><head><meta charset="utf-8"><title>Final | Site</title>
<meta property="og:title" content="Coyotes beat Canucks 4-2"><meta property="article:published_time" content="2020-03-05T06:00:00Z"></head>
<body><nav><a href="/">Home</a></nav><article>
<p>The Arizona Coyotes beat the Vancouver Canucks 4-2 on Wednesday night at Rogers Arena, with two late goals.</p>
<p>Vancouver led early, but Arizona scored three unanswered goals in the third period to win, and the crowd went quiet.</p>
<p class="score">Final score: Coyotes 4, Canucks 2.</p>
</article></body></html>`
// "Café: €5 – crème" in windows-1252 bytes.
const cafe1252 = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x3a, 0x20, 0x80, 0x35, 0x20, 0x96, 0x20, 0x63, 0x72, 0xe8, 0x6d, 0x65])
const para = (bytes: Buffer) => Buffer.concat([Buffer.from('<p>'), bytes, Buffer.from(' is what the menu board said, all day long, every day.</p>')])

const routes: Record<string, http.RequestListener> = {
  '/article': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(article),
  '/latin1-header': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' }).end(para(cafe1252)),
  '/latin1-meta': (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.concat([Buffer.from('<html><head><meta charset="windows-1252"></head><body>'), para(cafe1252)])),
  '/quote.json': (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"price":"119.01","last":101.5,"name":"K3"},"quotes":[{"close":99.25}]}'),
  '/bom.json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"v":1}')])),
  '/broken.json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": '),
  '/missing': (_req, res) => res.writeHead(404).end(),
}

let server: TestServer
test.before(async () => {
  server = await startTestServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname]
    if (route) route(req, res)
    else res.writeHead(404).end()
  })
})
test.after.always(async () => server?.close())

const fetcher = createSourceFetcher({}, { allowPrivateAddresses: true, timeoutMs: 2000, retries: 0 })
const spec = (path: string, overrides: Partial<SourceSpec> = {}): SourceSpec => ({ url: `${server.origin}${path}`, format: 'html', weight: 10, ...overrides })

test('an HTML source yields its main text, and the evidence is exactly the UTF-8 bytes of that text', async (t) => {
  const r = await readSource(fetcher, spec('/article'))
  if (!r.ok) return t.fail(r.message)
  t.is(r.document.title, 'Coyotes beat Canucks 4-2')
  t.is(r.document.publishedAt, '2020-03-05T06:00:00Z')
  t.true(r.document.text.startsWith('The Arizona Coyotes beat the Vancouver Canucks 4-2'))
  t.false(r.document.text.includes('Home'))
  t.true(r.evidenceBytes.equals(Buffer.from(r.document.text, 'utf8')))
  // Everything the judge can be shown is determined by the evidence bytes.
  t.deepEqual(r.document.passages, splitPassages(r.evidenceBytes.toString('utf8').split('\n\n')))
  t.is(r.charset, 'utf-8')
  t.is(r.finalUrl, `${server.origin}/article`)
  t.is(r.value, undefined)
  t.is(r.html, article, 'the decoded page, for structured readers')
})

test("an HTML source with selectors yields exactly the selected text; selectors that match nothing are a failure value", async (t) => {
  const r = await readSource(fetcher, spec('/article', { selectors: ['p.score'] }))
  t.true(r.ok && r.document.text === 'Final score: Coyotes 4, Canucks 2.')
  t.like(await readSource(fetcher, spec('/article', { selectors: ['.nothing'] })), { ok: false, reason: 'empty_document', message: 'the selectors matched no text' })
})

test('latin1 / windows-1252 pages decode by the header or the <meta> charset', async (t) => {
  for (const path of ['/latin1-header', '/latin1-meta']) {
    const r = await readSource(fetcher, spec(path))
    if (!r.ok) return t.fail(r.message)
    t.is(r.charset, 'windows-1252', path)
    t.true(r.document.text.startsWith('Café: €5 – crème'), r.document.text)
    t.true(r.evidenceBytes.equals(Buffer.from(r.document.text, 'utf8')), 'evidence is re-encoded as UTF-8')
    t.true(r.html?.includes('Café: €5 – crème'))
  }
})

test('a JSON source yields the value at its path, as text and as a value', async (t) => {
  const price = await readSource(fetcher, spec('/quote.json', { format: 'json', jsonPath: 'data.price' }))
  if (!price.ok) return t.fail(price.message)
  t.is(price.value, '119.01')
  t.is(price.document.text, '119.01')
  t.true(price.evidenceBytes.equals(Buffer.from('119.01')))
  t.is(price.html, undefined)
  const close = await readSource(fetcher, spec('/quote.json', { format: 'json', jsonPath: 'quotes[0].close' }))
  t.true(close.ok && close.value === 99.25 && close.document.text === '99.25')
  const whole = await readSource(fetcher, spec('/bom.json', { format: 'json' }))
  t.true(whole.ok && whole.document.text === '{"v":1}')
})

test('JSON failures are values: bad JSON, a path that is not there, a forbidden key', async (t) => {
  t.like(await readSource(fetcher, spec('/broken.json', { format: 'json', jsonPath: 'data' })), { ok: false, reason: 'bad_json' })
  t.like(await readSource(fetcher, spec('/quote.json', { format: 'json', jsonPath: 'data.volume' })), { ok: false, reason: 'json_path' })
  t.like(await readSource(fetcher, spec('/quote.json', { format: 'json', jsonPath: 'data.__proto__' })), { ok: false, reason: 'json_path' })
})

test('the format decides the content types: JSON served for an HTML source and HTML for a JSON source are refused', async (t) => {
  t.like(await readSource(fetcher, spec('/quote.json')), { ok: false, reason: 'bad_content_type' })
  t.like(await readSource(fetcher, spec('/article', { format: 'json', jsonPath: 'x' })), { ok: false, reason: 'bad_content_type' })
})

test('fetch failures pass through unchanged', async (t) => {
  t.like(await readSource(fetcher, spec('/missing')), { ok: false, reason: 'http_status', status: 404 })
  const privateByDefault = createSourceFetcher()
  t.like(await readSource(privateByDefault, spec('/article')), { ok: false, reason: 'private_address' })
})
