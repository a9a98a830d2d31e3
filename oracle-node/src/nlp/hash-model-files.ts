/**
 * `modelHash` names the exact weights an observation was judged with:
 * sha256( sha256(onnx/model.onnx bytes) ‖ sha256(tokenizer.json bytes) ) as 0x-prefixed bytes32 hex,
 * reproducible with `sha256sum` and a hex concatenation.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'

/** The files `hashModelFiles` covers, relative to the model folder, in hashing order. */
export const HASHED_MODEL_FILES = ['onnx/model.onnx', 'tokenizer.json'] as const

/** sha256( sha256(onnx/model.onnx) ‖ sha256(tokenizer.json) ), streamed so large weights are not held twice. */
export async function hashModelFiles(dir: string): Promise<`0x${string}`> {
  const outer = createHash('sha256')
  for (const file of HASHED_MODEL_FILES) {
    const inner = createHash('sha256')
    for await (const chunk of createReadStream(join(dir, file))) inner.update(chunk as Buffer)
    outer.update(inner.digest())
  }
  return `0x${outer.digest('hex')}`
}
