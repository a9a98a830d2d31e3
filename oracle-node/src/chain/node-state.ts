/**
 * What a node must remember across restarts besides its signing journal: the next block to scan and the
 * requests it has seen but that are not settled on-chain yet. Written atomically (temp file, fsync,
 * rename), and written before the cursor moves past a request, so a crash never loses one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'
import type { ResolutionRequest } from './fetch-requests.ts'

export class NodeStateError extends BaseError {
  override name = 'NodeStateError' as const
}

export type PendingRequest = {
  request: ResolutionRequest
  /** Rounds this node has published an observation for. */
  publishedRounds: number[]
  /** The model that judged it, named beside the signed model hash in the message. */
  modelId?: string
}

export type NodeState = {
  nextBlock: number
  pending: Map<string, PendingRequest>
}

type Serialized = {
  version: 1
  nextBlock: number
  pending: { request: Omit<ResolutionRequest, 'feeWei'> & { feeWei: string }; publishedRounds: number[]; modelId?: string }[]
}

export function loadNodeState(path: string, startBlock: number): NodeState {
  if (!existsSync(path)) return { nextBlock: startBlock, pending: new Map() }
  let data: Serialized
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Serialized
  } catch (cause) {
    throw new NodeStateError(`The node state ${path} cannot be read.`, { cause })
  }
  if (data.version !== 1 || !Number.isInteger(data.nextBlock) || !Array.isArray(data.pending)) {
    throw new NodeStateError(`The node state ${path} is not a version 1 state file.`)
  }
  const pending = new Map<string, PendingRequest>()
  for (const p of data.pending) {
    pending.set(p.request.requestId, {
      request: { ...p.request, feeWei: BigInt(p.request.feeWei) },
      publishedRounds: p.publishedRounds,
      ...(p.modelId ? { modelId: p.modelId } : {}),
    })
  }
  return { nextBlock: data.nextBlock, pending }
}

export function saveNodeState(path: string, state: NodeState): void {
  mkdirSync(dirname(path), { recursive: true })
  const data: Serialized = {
    version: 1,
    nextBlock: state.nextBlock,
    pending: [...state.pending.values()].map((p) => ({
      request: { ...p.request, feeWei: p.request.feeWei.toString() },
      publishedRounds: p.publishedRounds,
      ...(p.modelId ? { modelId: p.modelId } : {}),
    })),
  }
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, JSON.stringify(data))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  const dirFd = openSync(dirname(path), 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}
