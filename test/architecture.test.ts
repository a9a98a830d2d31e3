/**
 * The house's rooms, checked: no import cycle anywhere (madge over every workspace, following the
 * `@sibyl/*` imports across packages), an acyclic package graph in which the plumbing never leans on a
 * heavier sibling, every cross-package import declared, and no oversized file in the aggregator or the CLI.
 */
import test from 'ava'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)

type Madge = (paths: string[], config: Record<string, unknown>) => Promise<{ circular(): string[][]; warnings(): { skipped: string[] } }>
const madge = require('madge') as Madge

type PackageJson = { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
const workspaces = rootPackage.workspaces.map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson }))

function sibylDependencies(pkg: PackageJson): string[] {
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => d.startsWith('@sibyl/'))
}

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) return []
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listTs(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

test('no import cycle in any workspace, across packages included', async (t) => {
  const result = await madge(
    rootPackage.workspaces.concat('test').map((d) => join(root, d)),
    { fileExtensions: ['ts'], tsConfig: join(root, 'tsconfig.json'), excludeRegExp: [/node_modules/, /generated\//], baseDir: root },
  )
  t.deepEqual(result.circular(), [])
  // Imports of our own packages must be followed, or a cycle through them would go unseen.
  t.deepEqual(result.warnings().skipped.filter((s) => s.startsWith('@sibyl/')), [])
})

test('the package graph is acyclic and the plumbing depends on nothing heavier', (t) => {
  const deps = new Map(workspaces.map(({ pkg }) => [pkg.name, sibylDependencies(pkg)]))
  const visiting = new Set<string>()
  const done = new Set<string>()
  const visit = (name: string, path: string[]): void => {
    if (done.has(name)) return
    if (visiting.has(name)) t.fail(`package cycle: ${[...path, name].join(' -> ')}`)
    visiting.add(name)
    for (const d of deps.get(name) ?? []) visit(d, [...path, name])
    visiting.delete(name)
    done.add(name)
  }
  for (const name of deps.keys()) visit(name, [])
  // What may never depend on the node package (it carries onnxruntime and transformers.js) or on tooling.
  const light = ['@sibyl/protocol', '@sibyl/contracts', '@sibyl/service-kit', '@sibyl/aggregator']
  for (const name of light) {
    for (const forbidden of ['@sibyl/oracle-node', '@sibyl/devnet', '@sibyl/cli', '@sibyl/judge-lab', '@sibyl/eval', '@sibyl/bench']) {
      t.false(deps.get(name)?.includes(forbidden), `${name} depends on ${forbidden}`)
    }
  }
  // The runtime never depends on training, evaluation or the local network.
  for (const forbidden of ['@sibyl/judge-lab', '@sibyl/eval', '@sibyl/devnet', '@sibyl/bench', '@sibyl/cli']) {
    t.false(deps.get('@sibyl/oracle-node')?.includes(forbidden), `@sibyl/oracle-node depends on ${forbidden}`)
  }
})

test('every @sibyl import is declared by the importing workspace', (t) => {
  for (const { dir, pkg } of workspaces) {
    const declared = new Set([pkg.name, ...sibylDependencies(pkg)])
    for (const file of listTs(join(root, dir))) {
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(/(?:from|import\()\s*'(@sibyl\/[a-z-]+)/g)) {
        t.true(declared.has(match[1]!), `${relative(root, file)} imports ${match[1]} which ${pkg.name} does not declare`)
      }
    }
  }
})

test('no source file in aggregator/ or cli/ is over 400 lines', (t) => {
  for (const dir of ['aggregator', 'cli']) {
    for (const file of listTs(join(root, dir)).filter((f) => !f.endsWith('.test.ts'))) {
      const lines = readFileSync(file, 'utf8').split('\n').length - 1
      t.true(lines <= 400, `${relative(root, file)} has ${lines} lines`)
    }
  }
})

test('the application image copies every workspace manifest before npm ci, and only files that exist', (t) => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
  const copied = [...dockerfile.matchAll(/^COPY\s+(.+?)\s+\S+\s*$/gm)].flatMap((m) => m[1]!.split(/\s+/)).filter((p) => p !== '.')
  for (const { dir } of workspaces) t.true(copied.includes(`${dir}/package.json`), `Dockerfile does not copy ${dir}/package.json`)
  for (const path of copied) t.true(existsSync(join(root, path)), `Dockerfile copies ${path}, which does not exist`)
})
