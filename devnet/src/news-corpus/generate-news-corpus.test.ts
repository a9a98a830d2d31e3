import test from 'ava'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateNewsCorpus } from './generate-news-corpus.ts'
import { buildNewsStories, OUTLETS } from './news-corpus-stories.ts'

const committed = fileURLToPath(new URL('../../../feeds/demo/news/', import.meta.url))

function listFiles(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name))
      else out.push(relative(root, join(dir, entry.name)))
    }
  }
  walk(root)
  return out.sort()
}

test('the committed corpus is exactly what the generator writes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-news-'))
  try {
    const written = generateNewsCorpus(dir)
    t.true(written.articles >= 300, `${written.articles} articles`)
    t.true(written.outlets >= 6)
    const files = listFiles(dir)
    t.deepEqual(listFiles(committed), files)
    for (const file of files) t.true(readFileSync(join(dir, file)).equals(readFileSync(join(committed, file))), file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the corpus holds syndicated copies, one contradicting outlet and articles outside the window', (t) => {
  const stories = buildNewsStories()
  t.is(stories.filter((s) => s.id === 'wire-gullwing-dredging-approved').length, 6)
  const from = Date.parse('2025-03-10T00:00:00Z')
  // Inside the window only the Ridgeback Record says the plan was rejected or the strike goes on.
  const contradicting = stories.filter((s) => Date.parse(s.published) >= from && /rejects|drags on/.test(s.title))
  t.true(contradicting.length >= 1 && contradicting.every((s) => s.outlet === 'ridgeback-record'), JSON.stringify(contradicting.map((s) => s.title)))
  t.true(stories.filter((s) => Date.parse(s.published) < from).length > 100)
  t.true(stories.some((s) => s.id === 'dredging-vote-delayed' && Date.parse(s.published) < from))
  t.is(new Set(stories.map((s) => `${s.outlet}/${s.id}`)).size, stories.length)
  for (const outlet of OUTLETS) t.true(stories.some((s) => s.outlet === outlet.slug))
})
