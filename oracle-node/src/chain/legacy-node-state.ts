/**
 * The version-1 state file (node-state.json) that nodes kept before the node database: read once to import
 * an existing node (import-legacy-state.ts), and written only by the state-store benchmark, which measures
 * what rewriting it on every block cost.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { NodeState, PendingRequest } from './node-state.ts'
import { NodeStateError } from './node-state.ts'

type Serialized = {
  version: 1
  nextBlock: number
  pending: { request: Omit<PendingRequest['request'], 'feeWei'> & { feeWei: string }; publishedRounds: number[]; modelId?: string }[]
}

/** The state in a version-1 file, or undefined when there is none. */
export function loadLegacyNodeState(path: string): NodeState | undefined {
  if (!existsSync(path)) return undefined
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

/** Writes the whole state as a version-1 file: temp file, fsync, rename, fsync of the folder. */
export function saveLegacyNodeState(path: string, state: NodeState): void {
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
