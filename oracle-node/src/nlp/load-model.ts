/**
 * Resolves an ONNX model by id (`<org>/<name>`) and opens it with transformers.js on onnxruntime-node.
 *
 * Where: the configured local models folder first (transformers.js local layout:
 * `<modelsDir>/<org>/<name>/{config.json,tokenizer.json,onnx/model.onnx}`), then the Hugging Face hub only
 * when the config allows it. A model found nowhere is a `ModelNotFoundError` naming every place tried.
 *
 * Which execution provider: 'cpu'; 'cuda' (an error when onnxruntime-node has no CUDA provider library
 * next to its binding, or the session cannot start on it); 'auto' (CUDA when present and it starts, else
 * CPU with a warning). The device actually used comes back so `main()` can log it.
 *
 * `modelHash` names the exact weights an observation was judged with:
 * sha256( sha256(onnx/model.onnx bytes) ‖ sha256(tokenizer.json bytes) ) as 0x-prefixed bytes32 hex,
 * reproducible with `sha256sum` and a hex concatenation.
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { env, pipeline } from '@huggingface/transformers'
import { BaseError } from '@sibyl/protocol/errors'

export type ExecutionProvider = 'cpu' | 'cuda' | 'auto'
export type Device = 'cpu' | 'cuda'
/** The pipeline tasks this node uses. */
export type ModelTask = 'feature-extraction'

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
  /** Local models folder, tried first. Undefined: only the hub (if allowed). */
  modelsDir: string | undefined
  /** Reach the Hugging Face hub for a model not found locally. */
  allowRemoteModels: boolean
  executionProvider: ExecutionProvider
  /** Bound on each hub request, download included (default 10 minutes). */
  hubTimeoutMs?: number
  /** Defaults: transformers.js `pipeline()` and a look for onnxruntime-node's CUDA provider library. */
  createPipeline?: CreatePipeline
  isCudaProviderInstalled?: () => boolean
}

export type LoadModelReturnType<P = unknown> = {
  modelId: string
  /** The transformers.js pipeline object. */
  pipeline: P
  device: Device
  /** Where the weights were read from. */
  location: { kind: 'local'; dir: string } | { kind: 'hub'; dir: string | undefined }
  /** bytes32 hex, see the file comment; undefined only when hub files could not be found on disk to hash. */
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
  const { modelId, task, modelsDir, allowRemoteModels, executionProvider } = parameters
  const createPipeline = parameters.createPipeline ?? createTransformersPipeline
  const isCudaInstalled = parameters.isCudaProviderInstalled ?? isCudaProviderInstalled
  if (!MODEL_ID.test(modelId) || modelId.includes('..')) {
    throw new ModelNotFoundError(`Invalid model id "${modelId}".`, { details: 'Expected "<org>/<name>".' })
  }

  const tried: string[] = []
  let localDir: string | undefined
  if (modelsDir !== undefined) {
    const dir = join(modelsDir, ...modelId.split('/'))
    const missing = MODEL_FILES.filter((f) => !existsSync(join(dir, f)))
    if (missing.length === 0) localDir = dir
    else tried.push(`local folder ${dir} (missing ${missing.join(', ')})`)
  } else {
    tried.push('local folder (none configured: model.modelsDir is unset)')
  }
  if (localDir === undefined && !allowRemoteModels) {
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
        localModelPath: localDir === undefined ? undefined : modelsDir,
        allowRemoteModels: localDir === undefined && allowRemoteModels,
        hubTimeoutMs: parameters.hubTimeoutMs ?? 600_000,
      })) as P
      const hubDir = localDir === undefined ? findHubCacheDir(modelId) : undefined
      const hashDir = localDir ?? hubDir
      return {
        modelId,
        pipeline: pipe,
        device,
        location: localDir === undefined ? { kind: 'hub', dir: hubDir } : { kind: 'local', dir: localDir },
        modelHash: hashDir === undefined ? undefined : await hashModelFiles(hashDir),
        warnings,
      }
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
  if (localDir === undefined) {
    tried.push(`Hugging Face hub ${env.remoteHost} (${errorMessage(lastError)})`)
    throw new ModelNotFoundError(`Model "${modelId}" was not found.`, {
      cause: lastError,
      metaMessages: tried.map((t) => `Tried: ${t}`),
    })
  }
  throw new ModelLoadError(`Model "${modelId}" in ${localDir} could not be opened.`, { cause: lastError })
}

/** sha256( sha256(onnx/model.onnx) ‖ sha256(tokenizer.json) ), streamed so large weights are not held twice. */
export async function hashModelFiles(dir: string): Promise<`0x${string}`> {
  const outer = createHash('sha256')
  for (const file of ['onnx/model.onnx', 'tokenizer.json']) {
    const inner = createHash('sha256')
    for await (const chunk of createReadStream(join(dir, file))) inner.update(chunk as Buffer)
    outer.update(inner.digest())
  }
  return `0x${outer.digest('hex')}`
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
 * here, per load, from the parameters, never read from anywhere else.
 */
const createTransformersPipeline: CreatePipeline = async ({ task, modelId, device, localModelPath, allowRemoteModels, hubTimeoutMs }) => {
  env.allowLocalModels = localModelPath !== undefined
  if (localModelPath !== undefined) env.localModelPath = ensureTrailingSlash(localModelPath)
  env.allowRemoteModels = allowRemoteModels
  if (allowRemoteModels) env.fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(hubTimeoutMs) })
  return pipeline(task, modelId, { device, dtype: 'fp32', local_files_only: !allowRemoteModels })
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
