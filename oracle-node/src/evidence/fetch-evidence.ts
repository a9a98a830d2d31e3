/**
 * Reads the bundle behind a signed observation, as anyone in the network can: from the signer's bucket in the
 * object store (or, as a fallback, a local evidence folder, such as the node's own), then checks it: canonical
 * bytes within bounds, hashing to the signed evidence hash, made by the signer that signed, and, given the
 * observation, about that observation (evidenceMismatches: kind, chain, contract, request, round, modelHash,
 * and the on-chain specHash where known). A bundle that fails a check is reported as such, never returned as
 * evidence.
 */
import type { NatsConnection } from '@nats-io/nats-core'
import { decodeEvidenceBundle, evidenceMismatches, hashEvidenceBundle, type EvidenceBundle, type EvidenceExpectation } from '@sibyl/protocol/evidence-bundle'
import { openEvidenceBucket } from './evidence-bucket.ts'
import { openLocalEvidenceStore } from './local-evidence-store.ts'

export type FetchEvidenceParameters = {
  /** Signer and evidence hash of the signed observation. */
  signer: string
  evidenceHash: string
  /**
   * The signed observation and its domain the bundle must be the evidence of (see evidenceMismatches). Every
   * caller that accepts the bundle as an observation's evidence should give it: without it only the hash and
   * the signer are checked.
   */
  expected?: Omit<EvidenceExpectation, 'signer'>
  /** The network; omitted: local folders only. */
  nc?: NatsConnection
  /** Local evidence folders tried after the object store (a node's `<stateDir>/evidence`). */
  localDirs?: readonly string[]
  timeoutMs?: number
}

export type FetchEvidenceReturnType =
  | { ok: true; bundle: EvidenceBundle; bytes: Uint8Array; from: 'object-store' | 'local'; where: string }
  | { ok: false; reason: 'not-found' | 'invalid' | 'hash-mismatch' | 'wrong-signer' | 'mismatch'; message: string; tried: string[] }

export async function fetchEvidence(parameters: FetchEvidenceParameters): Promise<FetchEvidenceReturnType> {
  const { signer, evidenceHash } = parameters
  const tried: string[] = []
  const candidates: { from: 'object-store' | 'local'; where: string; bytes: Uint8Array }[] = []
  if (parameters.nc) {
    const opened = await openEvidenceBucket({ nc: parameters.nc, signer, ...(parameters.timeoutMs === undefined ? {} : { timeoutMs: parameters.timeoutMs }) })
    if (!opened.ok) tried.push(`object store: ${opened.reason}`)
    else {
      const got = await opened.value.get(evidenceHash)
      if (!got.ok) tried.push(`object store: ${got.reason}`)
      else if (!got.value) tried.push(`object store: no object ${evidenceHash.toLowerCase()} in ${opened.value.name}`)
      else candidates.push({ from: 'object-store', where: opened.value.name, bytes: got.value })
    }
  }
  for (const dir of parameters.localDirs ?? []) {
    const bytes = openLocalEvidenceStore(dir).read(evidenceHash)
    if (bytes) candidates.push({ from: 'local', where: dir, bytes })
    else tried.push(`local: nothing under ${evidenceHash.toLowerCase()} in ${dir}`)
  }
  let failure: FetchEvidenceReturnType | undefined
  for (const candidate of candidates) {
    let bundle: EvidenceBundle
    try {
      bundle = decodeEvidenceBundle(candidate.bytes)
    } catch (error) {
      failure ??= { ok: false, reason: 'invalid', message: `${candidate.from} ${candidate.where}: ${(error as Error).message.split('\n')[0]}`, tried }
      continue
    }
    const hash = hashEvidenceBundle(bundle)
    if (hash !== evidenceHash.toLowerCase()) {
      failure ??= { ok: false, reason: 'hash-mismatch', message: `${candidate.from} ${candidate.where}: the bundle hashes to ${hash}, the observation signed ${evidenceHash}`, tried }
      continue
    }
    if (bundle.header.signer.toLowerCase() !== signer.toLowerCase()) {
      failure ??= { ok: false, reason: 'wrong-signer', message: `${candidate.from} ${candidate.where}: made by ${bundle.header.signer}, signed by ${signer}`, tried }
      continue
    }
    const mismatches = parameters.expected ? evidenceMismatches(bundle.header, { ...parameters.expected, signer }) : []
    if (mismatches.length > 0) {
      failure ??= { ok: false, reason: 'mismatch', message: `${candidate.from} ${candidate.where}: not the evidence of this observation: ${mismatches.join('; ')}`, tried }
      continue
    }
    return { ok: true, bundle, bytes: candidate.bytes, from: candidate.from, where: candidate.where }
  }
  return failure ?? { ok: false, reason: 'not-found', message: `no bundle for ${evidenceHash} of ${signer}`, tried }
}
