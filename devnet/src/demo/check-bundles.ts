/**
 * The demo as a disputer would check it: for each committed question, every node's evidence bundle is fetched
 * from its signer's bucket in the network's object store, verified against the evidence hash the node signed,
 * and replayed with the models the bundle names. An honest node's replay reproduces what it signed; the lying
 * node's bundle records what its judge concluded, so its replay disagrees with what it signed.
 */
import type { NatsConnection } from '@nats-io/nats-core'
import { fromObservationMessage, type ObservationMessage } from '@sibyl/protocol/messages'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import { fetchEvidence } from '@sibyl/oracle-node/evidence/fetch-evidence'
import { expectationOf } from '@sibyl/oracle-node/evidence/collect-evidence'
import type { Replayer } from '@sibyl/oracle-node/evidence/create-replayer'
import { compareReplay } from '@sibyl/oracle-node/evidence/replay-evidence'

export type QuestionBundles = {
  /** Bundles found (one per node that answered). */
  bundles: number
  /** Of those: signature valid and the bundle hashing to the signed evidence hash. */
  verified: number
  /** Of those: replayed (the models named were available and matched their hashes). */
  replayed: number
  /** Replays that reproduced the signed answer and confidence. */
  replayMatches: number
  /** Nodes whose replay did not reproduce what they signed. */
  replayMismatches: string[]
  /** Sizes of the bundles (bytes) and replay times (ms), for the figures. */
  bundleBytes: number[]
  replayMs: number[]
}

export type CheckBundlesContext = {
  nc: NatsConnection
  replayer: Pick<Replayer, 'replay'>
  nameOf: (address: string) => string
  /** Local evidence folders (the nodes' own), tried when the object store has nothing. */
  localDirs?: readonly string[]
}

export async function checkQuestionBundles(ctx: CheckBundlesContext, observations: readonly ObservationMessage[]): Promise<QuestionBundles> {
  const out: QuestionBundles = { bundles: 0, verified: 0, replayed: 0, replayMatches: 0, replayMismatches: [], bundleBytes: [], replayMs: [] }
  for (const message of observations) {
    const o = message.observation
    // The bundle must be this observation's: same chain, contract, request, round, signer and model.
    const expected = expectationOf(message)
    const fetched = await fetchEvidence({ nc: ctx.nc, signer: message.signer, evidenceHash: o.evidenceHash, expected, ...(ctx.localDirs ? { localDirs: ctx.localDirs } : {}) })
    if (!fetched.ok) {
      if (fetched.reason !== 'not-found') out.bundles++
      continue
    }
    out.bundles++
    out.bundleBytes.push(fetched.bytes.length)
    const { domain, signed } = fromObservationMessage(message)
    const signatureValid = recoverObservationSigner(domain, signed.observation, signed.signature).toLowerCase() === message.signer.toLowerCase()
    if (!signatureValid || fetched.bundle.header.modelHash.toLowerCase() !== o.modelHash.toLowerCase()) continue
    out.verified++
    const replay = await ctx.replayer.replay(fetched.bundle, expected)
    if (!replay.ok) continue
    out.replayed++
    out.replayMs.push(Math.round(replay.replayMs))
    const verdict = compareReplay(replay, { answer: BigInt(o.answer), confidenceBps: o.confidenceBps }, { node: fetched.bundle.header.device, replay: replay.device })
    if (verdict.matches) out.replayMatches++
    else out.replayMismatches.push(ctx.nameOf(message.signer))
  }
  return out
}
