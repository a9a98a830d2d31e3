/**
 * Evidence anyone can check, end to end on the devnet (anvil, a JetStream nats-server, the demo's sites, 4 real
 * nodes with the real model, one of them lying, the aggregator). After a round:
 * - every node's evidence bundle is in the network's object store (its signer's bucket, with the protocol's
 *   limits), readable by a client that is none of the nodes, and on the node's disk as a fallback;
 * - it hashes to the evidenceHash the node signed, and one source is provable alone against that hash;
 * - replay on the stored evidence, with the models the bundle names, reproduces every honest node's answer and
 *   confidence exactly; the lying node's replay gives the honest answer, not the one it signed;
 * - `sibyl evidence` and `sibyl replay` say the same from the command line (the liar's replay exits 1).
 */
import { expectationOf } from '@sibyl/oracle-node/evidence/collect-evidence'
import { natsClientOptions } from '@sibyl/service-kit/nats/connect-nats'
import test from 'ava'
import { join } from 'node:path'
import { parseEther } from 'ethers'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { evidenceBucket, hashEvidenceBundle, proveEvidenceSource, verifyEvidenceSource } from '@sibyl/protocol/evidence-bundle'
import type { ObservationMessage } from '@sibyl/protocol/messages'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { fetchEvidence } from '@sibyl/oracle-node/evidence/fetch-evidence'
import { createReplayer, type Replayer } from '@sibyl/oracle-node/evidence/create-replayer'
import { compareReplay } from '@sibyl/oracle-node/evidence/replay-evidence'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { askThroughMarket, demoQuestion } from '@sibyl/devnet/ask-through-market'
import { waitForCommit } from '@sibyl/devnet/demo-markets'
import { watchNetwork, type NetworkWatcher } from '@sibyl/devnet/watch-network'
import { main } from '@sibyl/cli/main'

let network: DemoNetwork
let watcher: NetworkWatcher
/** A client that is none of the nodes: "anyone in the network". */
let outsider: NatsConnection
let replayer: Replayer

/** The CLI's flags for the network's read-only identity (and its TLS CA) on the secured bus. */
function readerFlags(): string[] {
  const reader = network.natsReader as { credentialsFile?: string; tls?: { caFile: string } }
  return [...(reader.credentialsFile ? ['--nats-creds', reader.credentialsFile] : []), ...(reader.tls ? ['--nats-ca', reader.tls.caFile] : [])]
}

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 1, disputeWindowSec: 60 })
  watcher = await watchNetwork({ natsUrl: network.natsUrl, connection: network.natsReader, chainId: BigInt(network.net.deployment.chainId) })
  // Anyone in the network: a read-only identity, not a node.
  outsider = await connect({ ...natsClientOptions(network.natsReader), name: 'e2e-reader' })
  replayer = createReplayer({ modelsDir: resolveTestModelsDir(), modelCacheDir: null })
})

test.after.always(async () => {
  await replayer?.close()
  await outsider?.drain().catch(() => undefined)
  await watcher?.close()
  await network?.stop()
})

const nameOf = (signer: string) => network.nodes.find((n) => n.operator.signer.address.toLowerCase() === signer.toLowerCase())!.name

function runCli(argv: string[]): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} }
  return main(argv, io).then((code) => ({ code, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr }))
}

async function askAndCommit(key: 'bridge-approved' | 'hockey-winner') {
  const question = demoQuestion(network, key)
  const { requestId } = await askThroughMarket(network, question, [
    { label: `${key} yes`, outcome: question.expectedOutcomeIndex, amountWei: parseEther('2') },
    { label: `${key} no`, outcome: (question.expectedOutcomeIndex + 1) % question.outcomes.length, amountWei: parseEther('1') },
  ])
  const commit = await waitForCommit(network.net, requestId, { timeoutMs: 120_000 })
  const observations = await pollUntil(`4 observations of ${key}`, async () => {
    const seen = watcher.observations(requestId).filter((m) => m.observation.round === commit.round)
    return new Set(seen.map((m) => m.signer)).size >= 4 ? seen : undefined
  }, { timeoutMs: 60_000 })
  return { question, requestId, commit, observations }
}

async function checkEveryBundle(t: import('ava').ExecutionContext, observations: ObservationMessage[], committed: bigint) {
  const chainId = BigInt(network.net.deployment.chainId)
  for (const message of observations) {
    const name = nameOf(message.signer)
    const liar = network.liars.includes(message.signer)
    const o = message.observation
    // Retrievable by anyone, from the signer's bucket in the object store.
    const fetched = await fetchEvidence({ nc: outsider, signer: message.signer, evidenceHash: o.evidenceHash, expected: expectationOf(message) })
    if (!fetched.ok) return t.fail(`${name}: ${fetched.message} (${fetched.tried.join('; ')})`)
    t.is(fetched.from, 'object-store', name)
    t.is(fetched.where, evidenceBucket.name(message.signer))
    // Its hash is the signed evidence hash, and it says whose and what it is.
    t.is(hashEvidenceBundle(fetched.bundle), o.evidenceHash.toLowerCase(), `${name}: bundle hash = signed evidenceHash`)
    const h = fetched.bundle.header
    t.like(h, { node: name, requestId: o.requestId, round: o.round, chainId, modelHash: o.modelHash })
    t.is(h.signer, message.signer)
    t.true(fetched.bundle.sources.every((s) => s.failure === '' && s.rawIncluded && s.text.length > 0), `${name}: every source read and kept whole`)
    // One source alone proves against the signed hash.
    t.true(verifyEvidenceSource(o.evidenceHash, proveEvidenceSource(fetched.bundle, 0)))
    // The node's own disk has the same bytes (the fallback).
    const local = await fetchEvidence({ signer: message.signer, evidenceHash: o.evidenceHash, localDirs: [join(network.nodes.find((n) => n.name === name)!.config.stateDir, 'evidence')] })
    t.true(local.ok && Buffer.compare(Buffer.from(local.bytes), Buffer.from(fetched.bytes)) === 0, `${name}: local copy`)

    // Replay with the models the bundle names.
    const replay = await replayer.replay(fetched.bundle)
    if (!replay.ok) return t.fail(`${name}: ${replay.reason}`)
    t.true(replay.matchesBundle, `${name}: replay reproduces the bundle's judgement`)
    t.deepEqual(replay.passages, { ...replay.passages, sameTexts: true, maxScoreDiffE9: 0 })
    t.deepEqual(replay.extraction.mismatched, [])
    const verdict = compareReplay(replay, { answer: BigInt(o.answer), confidenceBps: o.confidenceBps }, { node: h.device, replay: replay.device })
    t.log(`${name}${liar ? ' (lying)' : ''}: signed ${o.answer} @ ${o.confidenceBps} bps; replay ${replay.answer} @ ${replay.confidenceBps} bps (${Math.round(replay.replayMs)} ms); bundle ${fetched.bytes.length} bytes`)
    if (liar) {
      // The disagreement: what it signed is not what its own evidence and models give.
      t.false(verdict.matches, `${name} lied and its replay must say so`)
      t.not(BigInt(o.answer), replay.answer)
      t.is(replay.answer, committed, 'its own judge agreed with the honest nodes')
      t.is(h.answer, committed, 'its bundle records the honest judgement')
    } else {
      t.true(verdict.matches, `${name}: replay ${replay.answer}/${replay.confidenceBps} = signed ${o.answer}/${o.confidenceBps}`)
      t.is(replay.answer, BigInt(o.answer))
      t.is(replay.confidenceBps, o.confidenceBps)
    }
  }
}

test.serial('a text question: every bundle retrievable by anyone, hashing to the signed evidenceHash; replay exact for the honest, not for the liar', async (t) => {
  t.timeout(240_000)
  const { requestId, commit, observations } = await askAndCommit('bridge-approved')
  t.is(commit.answer, 0n)
  await checkEveryBundle(t, observations, commit.answer)

  // The buckets carry the protocol's limits, and keep objects at least the dispute window plus the voting period.
  const jsm = await jetstreamManager(outsider)
  for (const node of network.nodes) {
    const info = await jsm.streams.info(`OBJ_${evidenceBucket.name(node.operator.signer.address)}`)
    t.is(info.config.max_bytes, evidenceBucket.maxBytes)
    t.true(info.config.max_age / 1e6 >= evidenceBucket.ttlMs)
    t.true(info.config.max_age / 1e9 >= network.disputeWindowSec + 3600)
  }

  // The command line: every bundle verifies; the liar's replay disagrees (exit 1), an honest node's agrees.
  const evidence = await runCli(['evidence', requestId, '--nats', network.natsUrl, ...readerFlags()])
  t.is(evidence.code, 0, evidence.stderr)
  t.is(evidence.lines.length, 4)
  t.true(evidence.lines.every((l) => l.verified === true && l.from === 'object-store'))
  const liar = network.nodes.find((n) => n.lying)!
  t.deepEqual(evidence.lines.filter((l) => l.agreesWithSigned === false).map((l) => l.node), [liar.name], 'only the liar signed something its bundle does not say')
  const lied = await runCli(['replay', requestId, '--node', liar.name, '--nats', network.natsUrl, ...readerFlags(), '--models-dir', resolveTestModelsDir()])
  t.is(lied.code, 1, lied.stderr)
  t.like(lied.lines[0], { event: 'replay', node: liar.name, replayed: true, matchesSigned: false, matchesBundle: true })
  const honest = await runCli(['replay', requestId, '--node', 'node-1', '--nats', network.natsUrl, ...readerFlags(), '--models-dir', resolveTestModelsDir()])
  t.is(honest.code, 0, honest.stderr)
  t.like(honest.lines[0], { node: 'node-1', matchesSigned: true })
})

test.serial('a structured question: the values each source gave are in the bundle, and replay re-reads the stored pages', async (t) => {
  t.timeout(240_000)
  const { commit, observations } = await askAndCommit('hockey-winner')
  t.is(commit.answer, 0n)
  await checkEveryBundle(t, observations, commit.answer)
  const fetched = await fetchEvidence({ nc: outsider, signer: observations[0]!.signer, evidenceHash: observations[0]!.observation.evidenceHash })
  if (!fetched.ok) return t.fail(fetched.message)
  t.true(fetched.bundle.sources.every((s) => s.values.length === 1 && s.passages.length === 0), 'a vote per source, no passages')
})
