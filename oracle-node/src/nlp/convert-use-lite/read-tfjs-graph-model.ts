/**
 * Reads a TF.js graph model (`model.json` + weight shards) into plain data: the graph's nodes by name and
 * its weights by name as little-endian bytes. Only what the USE-lite package uses is supported: one or more
 * weight groups of unquantised float32 / int32 tensors.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'

export type TfjsNode = {
  name: string
  op: string
  inputs: string[]
  attr: Record<string, unknown>
}

export type TfjsWeight = {
  name: string
  dtype: 'float32' | 'int32'
  shape: number[]
  /** Little-endian element bytes, a view into the concatenated shards. */
  bytes: Uint8Array
}

export type TfjsGraphModel = {
  nodes: Map<string, TfjsNode>
  weights: Map<string, TfjsWeight>
}

export class TfjsModelFormatError extends BaseError {
  override name = 'TfjsModelFormatError' as const
}

type ModelJson = {
  modelTopology?: { node?: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[] }
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[] }[]
}

/** Reads `<dir>/<modelFile>` and the shards it names (relative to `dir`). */
export async function readTfjsGraphModel(dir: string, modelFile = 'model.json'): Promise<TfjsGraphModel> {
  const json = JSON.parse(await readFile(join(dir, modelFile), 'utf8')) as ModelJson
  const nodeList = json.modelTopology?.node
  if (!Array.isArray(nodeList) || !Array.isArray(json.weightsManifest)) {
    throw new TfjsModelFormatError(`${modelFile} is not a TF.js graph model.`, { details: 'Expected modelTopology.node and weightsManifest.' })
  }
  const nodes = new Map<string, TfjsNode>()
  for (const n of nodeList) nodes.set(n.name, { name: n.name, op: n.op, inputs: n.input ?? [], attr: n.attr ?? {} })

  const weights = new Map<string, TfjsWeight>()
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      if (path.includes('/') || path.includes('\\') || path.startsWith('.')) {
        throw new TfjsModelFormatError(`Weight shard path "${path}" leaves the model folder.`)
      }
    }
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))))
    const data = Buffer.concat(shards)
    let offset = 0
    for (const w of group.weights) {
      if (w.quantization !== undefined) throw new TfjsModelFormatError(`Weight ${w.name} is quantised; only float32 / int32 are supported.`)
      if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new TfjsModelFormatError(`Weight ${w.name} has dtype ${w.dtype}; only float32 / int32 are supported.`)
      const count = w.shape.reduce((a, b) => a * b, 1)
      const byteLength = count * 4
      if (offset + byteLength > data.length) throw new TfjsModelFormatError(`Weight ${w.name} runs past the end of its shards.`)
      weights.set(w.name, { name: w.name, dtype: w.dtype, shape: [...w.shape], bytes: data.subarray(offset, offset + byteLength) })
      offset += byteLength
    }
    if (offset !== data.length) {
      throw new TfjsModelFormatError(`The shards hold ${data.length} bytes but the manifest describes ${offset}.`)
    }
  }
  return { nodes, weights }
}
