/**
 * Entry of the embedder thread (create-worker-embedder.ts): loads the sentence encoder here and embeds texts
 * on request. onnxruntime-node runs a session synchronously on the calling thread, so a batch of passages held
 * the node's event loop for hundreds of milliseconds when the model lived on the main thread.
 */
import { createEmbedder, type CreateEmbedderParameters, type Embedder } from '../nlp/embedder.ts'
import { workerInitData, workerPort } from './worker-port.ts'

export type EmbedderWorkerInit = Omit<CreateEmbedderParameters, 'logger' | 'createPipeline' | 'isCudaProviderInstalled'>

export type EmbedderWorkerMessage =
  | { type: 'ready'; info: Omit<Embedder, 'embed' | 'dispose'> }
  | { type: 'log'; level: 'info' | 'warn'; fields: unknown; message: string | undefined }
  | { type: 'vectors'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number | undefined; message: string }

const port = workerPort()!
const post = (message: EmbedderWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)
// The model's loader logs through pino's (fields, message) form; lines are forwarded to the node's logger.
const forward = (level: 'info' | 'warn') => (fields: unknown, message?: string) => post({ type: 'log', level, fields: typeof fields === 'object' ? fields : { message: fields }, message })

try {
  const init = workerInitData<EmbedderWorkerInit>()
  const embedder = await createEmbedder({ ...init, logger: { info: forward('info'), warn: forward('warn') } as CreateEmbedderParameters['logger'] })
  port.on('message', async ({ id, texts }: { id: number; texts: string[] }) => {
    try {
      const vectors = await embedder.embed(texts)
      post({ type: 'vectors', id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer))
    } catch (e) {
      post({ type: 'error', id, message: String((e as Error)?.message ?? e).slice(0, 500) })
    }
  })
  const { embed: _embed, dispose: _dispose, ...info } = embedder
  post({ type: 'ready', info })
} catch (e) {
  post({ type: 'error', id: undefined, message: String((e as Error)?.message ?? e).slice(0, 500) })
  process.exit(1)
}
