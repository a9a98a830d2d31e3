/**
 * Everything a disputer needs about one request, read from the network like any subscriber: the signed
 * observations (from the SIBYL_OBSERVATIONS stream, kept a day, and the outlier reports, kept a month: every
 * dissenting observation is in them with its signature), each one's signature checked against the domain it
 * names, and the evidence bundle behind it fetched from the signer's bucket (or a local folder) and checked
 * against the signed evidence hash.
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import type { EvidenceExpectation } from '@sibyl/protocol/evidence-bundle'
import { fromObservationMessage, observationMessageSchema, outlierMessageSchema, type ObservationMessage } from '@sibyl/protocol/messages'
import { streams, SUBJECT_PREFIX } from '@sibyl/protocol/subjects'
import { fetchEvidence, type FetchEvidenceReturnType } from './fetch-evidence.ts'

export type CollectedEvidence = {
  message: ObservationMessage
  signatureValid: boolean
  evidence: FetchEvidenceReturnType
}

export type CollectEvidenceParameters = {
  nc: NatsConnection
  requestId: string
  /** A node's name (as its bundle gives it) or signer address; omitted: every node. */
  node?: string
  /** Only this round (default: every round seen). */
  round?: number
  localDirs?: readonly string[]
  /** Bound on reading each stream (default 5 s) and on each object store operation. */
  timeoutMs?: number
  /** Bound on messages read per stream (default 100,000). */
  maxMessages?: number
  /** The on-chain specHash of the request (read by the caller, e.g. from ResolutionOracle.getRequest); omitted: the spec is not checked against the chain. */
  specHash?: string
}

/** What the bundle behind an observation message must say (evidenceMismatches); `specHash` where it was read on-chain. */
export function expectationOf(message: ObservationMessage, specHash?: string): EvidenceExpectation {
  return {
    kind: message.kind,
    chainId: BigInt(message.domain.chainId),
    contract: message.domain.verifyingContract,
    requestId: message.observation.requestId,
    round: message.observation.round,
    signer: message.signer,
    modelHash: message.observation.modelHash,
    ...(specHash !== undefined && message.kind === 'resolution' ? { specHash } : {}),
  }
}

async function readStream(nc: NatsConnection, stream: string, subject: string, timeoutMs: number, maxMessages: number): Promise<unknown[]> {
  const js = jetstream(nc)
  const consumer = await js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All }).catch(() => undefined)
  if (!consumer) return []
  const out: unknown[] = []
  const deadline = Date.now() + timeoutMs
  const decoder = new TextDecoder()
  while (out.length < maxMessages && Date.now() < deadline) {
    const m = await consumer.next({ expires: Math.max(1000, Math.min(deadline - Date.now(), 2000)) }).catch(() => null)
    if (!m) break
    try {
      out.push(JSON.parse(decoder.decode(m.data)))
    } catch {
      // Not ours to read.
    }
    if (m.info.pending === 0) break
  }
  return out
}

/**
 * The signed observations of a request: its observation messages, plus those only the outlier reports still hold.
 * Observation subjects name chain and signer, not the request: the stream is read (bounded, one signer's subjects
 * when `signer` is given) and the request picked from the messages.
 */
export async function readSignedObservations(nc: NatsConnection, requestId: string, timeoutMs = 5000, maxMessages = 100_000, signer?: string): Promise<ObservationMessage[]> {
  const id = requestId.toLowerCase()
  const [observations, reports] = await Promise.all([
    readStream(nc, streams.observations.name, signer ? `${SUBJECT_PREFIX}.obs.*.${signer.toLowerCase()}` : `${SUBJECT_PREFIX}.obs.>`, timeoutMs, maxMessages),
    readStream(nc, streams.outliers.name, `${SUBJECT_PREFIX}.outliers.*.*.${id}`, timeoutMs, maxMessages),
  ])
  const found = new Map<string, ObservationMessage>()
  const add = (m: ObservationMessage) => {
    const key = `${m.observation.round}.${m.signer.toLowerCase()}.${m.observation.answer}`
    if (!found.has(key)) found.set(key, m)
  }
  for (const raw of observations) {
    const parsed = observationMessageSchema.safeParse(raw)
    if (parsed.success && parsed.data.observation.requestId.toLowerCase() === id) add(parsed.data)
  }
  for (const raw of reports) {
    const parsed = outlierMessageSchema.safeParse(raw)
    if (!parsed.success) continue
    const r = parsed.data
    for (const o of r.outliers) {
      add({
        version: 1,
        kind: r.kind,
        domain: r.domain,
        observation: { requestId: r.requestId, round: r.round, answer: o.answer, confidenceBps: o.confidenceBps, evidenceHash: o.evidenceHash, modelHash: o.modelHash },
        signer: o.signer,
        signature: o.signature,
        modelId: 'unknown (from an outlier report)',
        observedAtMs: r.closedAtMs,
      })
    }
  }
  return [...found.values()].sort((a, b) => a.observation.round - b.observation.round || a.signer.localeCompare(b.signer))
}

export async function collectEvidence(parameters: CollectEvidenceParameters): Promise<CollectedEvidence[]> {
  const { nc, requestId, node, round } = parameters
  const byAddress = node !== undefined && /^0x[0-9a-fA-F]{40}$/.test(node) ? node : undefined
  const messages = (await readSignedObservations(nc, requestId, parameters.timeoutMs, parameters.maxMessages, byAddress)).filter((m) => round === undefined || m.observation.round === round)
  const collected: CollectedEvidence[] = []
  for (const message of messages) {
    if (node !== undefined && /^0x[0-9a-fA-F]{40}$/.test(node) && message.signer.toLowerCase() !== node.toLowerCase()) continue
    const { domain, signed } = fromObservationMessage(message)
    let signatureValid = false
    try {
      signatureValid = recoverObservationSigner(domain, signed.observation, signed.signature).toLowerCase() === message.signer.toLowerCase()
    } catch {
      signatureValid = false
    }
    const evidence = await fetchEvidence({
      nc,
      signer: message.signer,
      evidenceHash: message.observation.evidenceHash,
      expected: expectationOf(message, parameters.specHash),
      ...(parameters.localDirs ? { localDirs: parameters.localDirs } : {}),
      ...(parameters.timeoutMs === undefined ? {} : { timeoutMs: parameters.timeoutMs }),
    })
    // A name is the bundle's own (self-declared) name: matched once the bundle is read.
    if (node !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(node) && !(evidence.ok && evidence.bundle.header.node === node)) continue
    collected.push({ message, signatureValid, evidence })
  }
  return collected
}
