/**
 * judge-lab and the evaluation stay out of the runtime: no file the node runs (oracle-node/src, tests and the
 * test-only testing/ folder aside) imports @sibyl/judge-lab, @sibyl/eval or a test-only helper. The import
 * graph is read from the source text, so this holds without running the node.
 */
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const runtimeSrc = fileURLToPath(new URL('../../oracle-node/src/', import.meta.url))
const testingDir = join(runtimeSrc, 'testing')

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return path === testingDir ? [] : runtimeFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
}

test('no runtime file of the node imports judge-lab, the evaluation or a test-only helper', (t) => {
  const files = runtimeFiles(runtimeSrc)
  t.true(files.length > 50, 'the runtime sources were found')
  const offences: string[] = []
  for (const file of files) {
    const name = relative(runtimeSrc, file)
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const testOnly = specifier.startsWith('.') && resolve(dirname(file), specifier).startsWith(testingDir + '/')
      if (specifier.startsWith('@sibyl/judge-lab') || specifier.startsWith('@sibyl/eval') || specifier.startsWith('@sibyl/oracle-node/testing/')) offences.push(`${name} -> ${specifier}`)
      else if (testOnly) offences.push(`${name} -> ${specifier}`)
    }
  }
  t.deepEqual(offences, [])
})

test('the import reader sees static, dynamic and side-effect imports', (t) => {
  t.deepEqual(importsOf("import a from './a.ts'\nexport { b } from \"@sibyl/eval/metrics\"\nawait import('x')\nimport 'side'\n"), ['./a.ts', '@sibyl/eval/metrics', 'x', 'side'])
})
