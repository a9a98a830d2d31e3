/**
 * Builders for aggregator tests: open a request on a local network, sign observations as its operators,
 * publish them to JetStream, and start an aggregator against the same chain and NATS.
 */
import type { NatsCluster, NatsConnectionSpec } from '@sibyl/devnet/start-nats-cluster'
import { Kvm } from '@nats-io/kv'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import { Wallet, parseEther } from 'ethers'
import { pino } from 'pino'
import { signObservation } from '@sibyl/protocol/eip712'
import { toObservationMessage, type ObservationMessage } from '@sibyl/protocol/messages'
import { latestTimestamp, localWallet, setBalance, type LocalNetwork } from '@sibyl/devnet/local-network'
import { requestResolution } from '@sibyl/contracts/requests'
import { publishObservation } from '@sibyl/oracle-node/transport/publish-observation'
import { resolveAggregatorConfig, type AggregatorConfig, type AggregatorConfigInput } from '@sibyl/aggregator/config/aggregator-config'
import { roundRecordSchema, type RoundRecord } from '@sibyl/aggregator/rounds/round-record'
import { keccak256, toUtf8Bytes } from 'ethers'

let questions = 0

/** Opens a yes/no request whose resolveAfter has passed, so it can be committed at once. */
export async function openRequest(net: LocalNetwork): Promise<string> {
  const requester = localWallet('aggregator test requester', 0, net.provider)
  await setBalance(net.provider, requester.address, parseEther('10'))
  await (await net.contracts.token.mint(requester.address, parseEther('1'))).wait()
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(net.contracts.token, net.contracts.oracle, requester, {
    spec: JSON.stringify({ version: 1, type: 'text', question: `Aggregator test question ${questions++}?`, sources: [] }),
    outcomes: ['No', 'Yes'],
    resolveAfter: now - 1,
    feeWei: 10n ** 17n,
  })
  return requestId
}

export type SignAsParameters = {
  signer: Wallet
  chainId: bigint
  contract: string
  requestId: string
  round: number
  answer: bigint
  kind?: ObservationMessage['kind']
  /** Feeds only: the chain time the value was taken (signed; transmit refuses stale values). Default: now. */
  observedAt?: number
}

export async function signedMessage(p: SignAsParameters): Promise<ObservationMessage> {
  const domain = { chainId: p.chainId, verifyingContract: p.contract }
  const feed = p.kind === 'feed'
  const observedAt = p.observedAt ?? Math.floor(Date.now() / 1000)
  const signed = await signObservation({
    signer: p.signer,
    domain,
    observation: {
      requestId: p.requestId,
      round: p.round,
      answer: p.answer,
      confidenceBps: 9000,
      evidenceHash: keccak256(toUtf8Bytes(`evidence ${p.signer.address} ${p.requestId}`)),
      modelHash: keccak256(toUtf8Bytes('model')),
      ...(feed ? { observedAt } : {}),
    },
  })
  // A feed value's signed time travels as the message's observedAtMs (the message's observation has no such
  // field); the aggregator rebuilds the FeedObservation from it.
  const { observedAt: _signedAt, ...observation } = signed.observation
  return toObservationMessage(p.kind ?? 'resolution', domain, { ...signed, observation }, { modelId: 'test-model', observedAtMs: feed ? observedAt * 1000 : Date.now() })
}

/** Each operator i signs answers[i] for the request (round 0) and publishes it. */
export async function publishAnswers(js: JetStreamClient, net: LocalNetwork, requestId: string, answers: readonly bigint[], from = 0): Promise<void> {
  for (let i = 0; i < answers.length; i++) {
    const message = await signedMessage({
      signer: net.operators[from + i]!.signer,
      chainId: BigInt(net.deployment.chainId),
      contract: net.deployment.contracts.resolutionOracle,
      requestId,
      round: 0,
      answer: answers[i]!,
    })
    const result = await publishObservation(js, message)
    if (!result.ok) throw new Error(`publish failed: ${result.error}`)
  }
}

export function aggregatorConfig(net: LocalNetwork, natsUrl: string, deploymentFile: string, overrides: Partial<AggregatorConfigInput> = {}): AggregatorConfig {
  return resolveAggregatorConfig(
    {
      name: 'agg-0',
      chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, pollIntervalMs: 100 },
      nats: { servers: [natsUrl], ackWaitMs: 3000 },
      key: { source: 'env', env: 'AGGREGATOR_KEY' },
      rounds: { deadlineMs: 4000, commitLeaseMs: 5000, sweepIntervalMs: 100 },
      transactions: { stuckAfterMs: 5000 },
      log: { level: 'silent' },
      ...overrides,
    },
    process.cwd(),
  )
}

/** A funded aggregator key, one per index. */
export async function aggregatorKey(net: LocalNetwork, index: number): Promise<string> {
  const wallet = localWallet('aggregator', index, net.provider)
  await setBalance(net.provider, wallet.address, parseEther('100'))
  return wallet.privateKey
}

export async function readRound(nc: NatsConnection, chainId: string, key: string): Promise<RoundRecord | undefined> {
  const kv = await new Kvm(nc).open(`sibyl_rounds_${chainId}`)
  const entry = await kv.get(key)
  if (!entry || entry.length === 0) return undefined
  return roundRecordSchema.parse(entry.json())
}

/** ReportCommitted events for one request: how many commits landed. */
export async function commitsOf(net: LocalNetwork, requestId: string): Promise<number> {
  const oracle = net.contracts.oracle
  const logs = await oracle.queryFilter(oracle.filters.ReportCommitted(requestId), net.deployment.deployedAtBlock)
  return logs.length
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await fn()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}

export const silentLogger = pino({ level: 'silent' })

/** Each operator's node identity on a secured devnet cluster, connected: one connection per operator, in order. */
export async function connectNodeIdentities(cluster: NatsCluster, net: LocalNetwork): Promise<NatsConnection[]> {
  const nodes: NatsConnection[] = []
  for (const op of net.operators) {
    await cluster.addIdentity({ role: 'node', name: `node-${op.index + 1}`, signer: op.signer.address })
    nodes.push(await cluster.connectAs(`node-${op.index + 1}`))
  }
  return nodes
}

/** The aggregator config's `nats` section for an identity of a secured cluster. */
export function securedNatsSection(identity: NatsConnectionSpec, ackWaitMs: number) {
  return { servers: identity.servers, credentialsFile: identity.credentialsFile, ...(identity.tls ? { tls: identity.tls } : {}), ackWaitMs }
}
