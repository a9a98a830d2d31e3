import test from 'ava'
import { parseFeed } from './parse-feed.ts'

const rss = (items: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>${items}</channel></rss>`
const item = (i: number, date = 'Tue, 11 Mar 2025 19:05:00 +0000') => `<item><title>Story ${i}</title><link>/a/${i}.html</link><pubDate>${date}</pubDate><description>About &amp; more ${i}</description></item>`

test('RSS 2.0: links resolved against the feed, dates in unix seconds, entities decoded', (t) => {
  const r = parseFeed(rss(item(1) + item(2, 'not a date') + '<item><title>no link</title></item>'), 'http://news.example/feed/rss.xml')
  t.true(r.ok)
  if (!r.ok) return
  t.is(r.kind, 'rss')
  t.deepEqual(r.items[0], { url: 'http://news.example/a/1.html', title: 'Story 1', summary: 'About & more 1', publishedSec: 1741719900 })
  t.is(r.items[1]!.publishedSec, undefined)
  t.is(r.skipped, 1)
})

test('Atom entries and sitemaps', (t) => {
  const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>E</title><link rel="self" href="/self"/><link href="https://x.example/e.html"/><published>2025-03-11T10:00:00Z</published><summary>S</summary></entry></feed>`
  const a = parseFeed(atom, 'https://x.example/atom.xml')
  t.true(a.ok && a.kind === 'atom' && a.items[0]!.url === 'https://x.example/e.html' && a.items[0]!.publishedSec === 1741687200)
  const sitemap = `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/p.html</loc><lastmod>2025-03-11</lastmod></url><url><loc>javascript:alert(1)</loc></url></urlset>`
  const s = parseFeed(sitemap, 'https://x.example/sitemap.xml')
  t.true(s.ok)
  if (s.ok) {
    t.is(s.kind, 'sitemap')
    t.deepEqual(s.items.map((i) => i.url), ['https://x.example/p.html'])
    t.is(s.skipped, 1)
  }
})

test('hostile: an entity-expansion bomb is not expanded', (t) => {
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">${Array.from({ length: 8 }, (_, k) => `<!ENTITY lol${k + 3} "${`&lol${k + 2};`.repeat(10)}">`).join('')}]>`
  const started = performance.now()
  const r = parseFeed(lol + rss(`<item><title>&lol9;</title><link>/x</link></item>`).replace('<?xml version="1.0"?>', ''), 'http://n.example/')
  t.true(performance.now() - started < 200)
  t.true(r.ok)
  if (r.ok) t.true(r.items[0]!.title.length < 100)
})

test('hostile: 10,000 items are cut at the bound, with the reason', (t) => {
  const r = parseFeed(rss(Array.from({ length: 10_000 }, (_, i) => item(i)).join('')), 'http://n.example/', { maxItems: 500 })
  t.true(r.ok)
  if (!r.ok) return
  t.is(r.items.length, 500)
  t.is(r.truncated, 'more than 500 items: the rest were not read')
})

test('hostile: deep nesting and non-feeds fail as values', (t) => {
  const deep = parseFeed(rss(`<item>${'<x>'.repeat(100_000)}</item>`), 'http://n.example/')
  t.deepEqual(deep, { ok: false, reason: 'too_deep', message: 'more than 32 nested elements' })
  t.is(parseFeed('<html><body>hi</body></html>', 'http://n.example/').ok, false)
  const long = parseFeed(rss(item(1)) + ' '.repeat(100), 'http://n.example/', { maxChars: 50 })
  t.true(long.ok && long.truncated === 'cut at 50 characters' && long.items.length === 0)
})
