/**
 * A node that kept its state in files (node-state.json, version 1, and signing-journal.jsonl) is upgraded: it
 * starts, imports both into its database once, and carries on, publishing what it had journaled for a round
 * instead of the different answer its judge now gives. Real anvil and nats-server.
 */
import test from 'ava'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jetstream } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { keccak256, parseEther, toUtf8Bytes } from 'ethers'
import { pino } from 'pino'
import { observationDigest } from '@sibyl/protocol/eip712'
import { fromObservationMessage, observationMessageSchema } from '@sibyl/protocol/messages'
import { streams } from '@sibyl/protocol/subjects'
import { increaseTime, latestTimestamp, localWallet, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { requestResolution } from '@sibyl/contracts/requests'
import { nodeConfigSchema } from '@sibyl/oracle-node/config/node-config'
import { startOracleNode } from '@sibyl/oracle-node/node/start-oracle-node'
import type { Resolver } from '@sibyl/oracle-node/node/resolver'
import { fetchNewRequests } from '@sibyl/oracle-node/chain/fetch-requests'
import { saveLegacyNodeState } from '@sibyl/oracle-node/chain/legacy-node-state'
import { serializeObservation } from '@sibyl/oracle-node/signing/signing-journal'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { startNatsServer, type NatsServer } from './helpers/nats-server.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

let net: LocalNetwork
let nats: NatsServer
let nc: NatsConnection

test.before(async () => {
  ;[net, nats] = await Promise.all([startLocalNetwork({ operators: 4 }), startNatsServer()])
  nc = await connect({ servers: nats.url })
  await ensureStreams(nc)
})
test.after.always(async () => {
  await nc?.drain().catch(() => undefined)
  await Promise.all([net?.stop(), nats?.stop()])
})

test('a node with a version-1 state file and JSON-lines journal starts, imports them once, and keeps its word', async (t) => {
  const dir = temporaryDir('sibyl-migrate-')
  const stateDir = join(dir, 'node')
  mkdirSync(stateDir)
  const deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))

  const requester = localWallet('migration requester', 0, net.provider)
  await setBalance(net.provider, requester.address, parseEther('10'))
  await (await net.contracts.token.mint(requester.address, parseEther('10'))).wait()
  const spec = JSON.stringify({ version: 1, type: 'text', question: 'Was the bridge approved?', sources: [{ url: 'http://127.0.0.1:9/' }], outcomes: ['Yes', 'No'] })
  const { requestId } = await requestResolution(net.contracts.token, net.contracts.oracle, requester, {
    spec,
    outcomes: ['Yes', 'No'],
    resolveAfter: (await latestTimestamp(net.provider)) + 60,
    feeWei: parseEther('1'),
  })

  // What the old node left: the request pending with the cursor past it, and round 0 journaled as "No" (1).
  const oracle = ResolutionOracle__factory.connect(net.deployment.contracts.resolutionOracle, net.provider)
  const scanned = await fetchNewRequests(net.provider, oracle, net.deployment.deployedAtBlock, { confirmations: 0, maxBlockRange: 10_000 })
  const request = scanned.requests.find((r) => r.requestId === requestId)!
  saveLegacyNodeState(join(stateDir, 'node-state.json'), { nextBlock: scanned.nextBlock, pending: new Map([[requestId, { request, publishedRounds: [] }]]) })
  const domain = { chainId: BigInt(net.deployment.chainId), verifyingContract: net.deployment.contracts.resolutionOracle }
  const journaled = { requestId, round: 0, answer: 1n, confidenceBps: 8000, evidenceHash: keccak256(toUtf8Bytes('old page')), modelHash: keccak256(toUtf8Bytes('old model')) }
  const key = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}:${requestId.toLowerCase()}:0`
  writeFileSync(
    join(stateDir, 'signing-journal.jsonl'),
    `${JSON.stringify({ key, digest: observationDigest(domain, journaled), observation: JSON.parse(serializeObservation(journaled)), observedAtMs: 1 })}\n`,
  )

  await increaseTime(net.provider, 61)
  // The judge now says "Yes" (0): the node must publish its journaled "No", not sign a second answer.
  let judged = 0
  const resolver: Resolver = async () => {
    judged++
    return { kind: 'observed', answer: 0n, confidenceBps: 9000, evidenceHash: keccak256(toUtf8Bytes('new page')), modelHash: journaled.modelHash, modelId: 'stub', reason: 'stub' }
  }
  const config = nodeConfigSchema.parse({
    name: 'migrated',
    chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, confirmations: 0, pollIntervalMs: 100 },
    nats: { servers: [nats.url] },
    key: { source: 'env', env: 'NODE_KEY' },
    stateDir,
    log: { level: 'silent' },
  })
  const started = await startOracleNode({ config, env: { NODE_KEY: net.operators[0]!.signer.privateKey }, createResolver: async () => resolver, logger: pino({ level: 'silent' }) })
  try {
    await pollUntil('the journaled observation is republished', async () => started.node.pending().get(requestId)?.publishedRounds.length === 1, { timeoutMs: 30_000 })
    const consumer = await jetstream(nc).consumers.get(streams.observations.name)
    const message = await consumer.next({ expires: 2000 })
    const { signed } = fromObservationMessage(observationMessageSchema.parse(message!.json()))
    t.deepEqual(signed.observation, journaled)
    t.is(judged, 0, 'a journaled round is never judged again')
    t.false(existsSync(join(stateDir, 'signing-journal.jsonl')))
    t.false(existsSync(join(stateDir, 'node-state.json')))
    t.is(statSync(join(stateDir, 'node.sqlite')).mode & 0o777, 0o600)
  } finally {
    await started.stop()
  }
})
