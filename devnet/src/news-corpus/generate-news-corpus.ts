/**
 * Writes the demo's news corpus (feeds/demo/news/): per outlet its article pages, its feed (RSS 2.0, or Atom for
 * one outlet) and, for one outlet, a sitemap. Deterministic: the same stories, dates and bytes on every run, so the
 * output is committed and the demo's evidence hashes do not move. The demo sites serve the folder under
 * `/outlets/` (serve-demo-sites.ts); feed links are absolute paths ("/outlets/<outlet>/2025/03/<id>.html"), which a
 * reader resolves against the feed's own URL, so the corpus works on whatever host and port the sites run.
 *
 *   npx tsx devnet/src/news-corpus/generate-news-corpus.ts [outDir]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildNewsStories, OUTLETS, type Outlet, type Story } from './news-corpus-stories.ts'

/** Where the sites serve the corpus: /outlets/<slug>/... */
export const NEWS_CORPUS_PATH = '/outlets/'

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

function articlePath(story: Story): string {
  const d = new Date(story.published)
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${story.id}.html`
}

function renderArticle(outlet: Outlet, story: Story): string {
  const when = new Date(story.published)
  return `<!doctype html>
<!-- Fictional demo content, written for the Sibyl demo. Every outlet, name and event is invented. -->
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeXml(story.title)} | ${escapeXml(outlet.name)}</title>
  <meta name="description" content="${escapeXml(story.summary)}">
  <meta property="article:published_time" content="${story.published}">
</head>
<body>
  <header class="site-header"><a class="brand" href="${NEWS_CORPUS_PATH}${outlet.slug}/">${escapeXml(outlet.name)}</a> <span class="tagline">${escapeXml(outlet.tagline)}</span></header>
  <main>
    <article class="story">
      <h1>${escapeXml(story.title)}</h1>
      <p class="byline">By ${escapeXml(story.byline)}</p>
      <p class="dateline"><time datetime="${story.published}">${when.toUTCString()}</time></p>
      <div class="article-body">
${story.paragraphs.map((p) => `        <p>${escapeXml(p)}</p>`).join('\n')}
      </div>
    </article>
  </main>
  <footer class="site-footer"><p>&copy; 2025 ${escapeXml(outlet.name)}. Fictional content written for the Sibyl demo; not real news.</p></footer>
</body>
</html>
`
}

function renderRss(outlet: Outlet, stories: readonly Story[]): string {
  const items = stories.map(
    (s) => `    <item>
      <title>${escapeXml(s.title)}</title>
      <link>${NEWS_CORPUS_PATH}${outlet.slug}/${articlePath(s)}</link>
      <guid isPermaLink="false">${outlet.slug}:${s.id}</guid>
      <pubDate>${new Date(s.published).toUTCString().replace('GMT', '+0000')}</pubDate>
      <description>${escapeXml(s.summary)}</description>
    </item>`,
  )
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${escapeXml(outlet.name)}</title>
    <link>${NEWS_CORPUS_PATH}${outlet.slug}/</link>
    <description>${escapeXml(outlet.tagline)} (fictional, for the Sibyl demo)</description>
${items.join('\n')}
  </channel>
</rss>
`
}

function renderAtom(outlet: Outlet, stories: readonly Story[]): string {
  const updated = stories.map((s) => new Date(s.published).toISOString()).sort().at(-1)
  const entries = stories.map(
    (s) => `  <entry>
    <title>${escapeXml(s.title)}</title>
    <link rel="alternate" href="${NEWS_CORPUS_PATH}${outlet.slug}/${articlePath(s)}"/>
    <id>urn:sibyl-demo:${outlet.slug}:${s.id}</id>
    <published>${new Date(s.published).toISOString()}</published>
    <updated>${new Date(s.published).toISOString()}</updated>
    <summary>${escapeXml(s.summary)}</summary>
  </entry>`,
  )
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${escapeXml(outlet.name)}</title>
  <id>urn:sibyl-demo:${outlet.slug}</id>
  <updated>${updated}</updated>
${entries.join('\n')}
</feed>
`
}

function renderSitemap(outlet: Outlet, stories: readonly Story[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${stories.map((s) => `  <url><loc>${NEWS_CORPUS_PATH}${outlet.slug}/${articlePath(s)}</loc><lastmod>${new Date(s.published).toISOString()}</lastmod></url>`).join('\n')}
</urlset>
`
}

/** Writes the corpus under `outDir` (its content is replaced); returns how many articles it wrote. */
export function generateNewsCorpus(outDir: string): { articles: number; outlets: number } {
  rmSync(outDir, { recursive: true, force: true })
  const stories = buildNewsStories()
  for (const outlet of OUTLETS) {
    // Newest first, as feeds list them.
    const own = stories.filter((s) => s.outlet === outlet.slug).sort((a, b) => Date.parse(b.published) - Date.parse(a.published) || a.id.localeCompare(b.id))
    for (const story of own) {
      const file = join(outDir, outlet.slug, articlePath(story))
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, renderArticle(outlet, story))
    }
    writeFileSync(join(outDir, outlet.slug, outlet.feed === 'atom' ? 'atom.xml' : 'rss.xml'), outlet.feed === 'atom' ? renderAtom(outlet, own) : renderRss(outlet, own))
    if (outlet.sitemap) writeFileSync(join(outDir, outlet.slug, 'sitemap.xml'), renderSitemap(outlet, own))
  }
  return { articles: stories.length, outlets: OUTLETS.length }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? fileURLToPath(new URL('../../../feeds/demo/news/', import.meta.url))
  const written = generateNewsCorpus(outDir)
  process.stdout.write(`wrote ${written.articles} articles of ${written.outlets} outlets to ${outDir}\n`)
}
