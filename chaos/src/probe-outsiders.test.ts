/**
 * The outsider probe against a real secured nats-server: the deployment's own rules refuse every attempt (all
 * counts 0), and the same probe run with an identity that may do everything (the admin, standing in for a
 * permission that was given by mistake) counts what got through — so a 0 from the chaos run means refused,
 * not unmeasured.
 */
import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Wallet } from 'ethers'
import { observationSubject, streams } from '@sibyl/protocol/subjects'
import { DEVNET_ADMIN, DEVNET_READER, startNatsCluster, type NatsCluster } from '@sibyl/devnet/start-nats-cluster'
import { probeOutsiders, type OutsiderAttempts, type OutsiderCounts } from './probe-outsiders.ts'

const CHAIN_ID = 31337n
const DURABLE = 'sibyl-aggregator'
const nodeA = Wallet.createRandom()
const nodeB = Wallet.createRandom()
let workDir: string
let cluster: NatsCluster

const zero = (): OutsiderCounts => ({ anonymousConnectAccepted: 0, outsiderPublishAccepted: 0, outsiderConsumerPulls: 0, outsiderKvWrites: 0 })
const tried = (): OutsiderAttempts => ({ connects: 0, publishes: 0, pulls: 0, kvWrites: 0 })

test.before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sibyl-chaos-probe-'))
  cluster = await startNatsCluster({
    size: 1,
    workDir,
    chainIds: [CHAIN_ID],
    identities: [
      { role: 'node', name: 'node-a', signer: nodeA.address },
      { role: 'node', name: 'node-b', signer: nodeB.address },
      { role: 'aggregator', name: 'aggregator-1' },
    ],
  })
  // The aggregators' durable consumer, with messages waiting in it.
  const agg = await cluster.connectAs('aggregator-1')
  await (await jetstreamManager(agg)).consumers.add(streams.observations.name, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, filter_subject: `sibyl.v1.obs.${CHAIN_ID}.>` })
  const a = await cluster.connectAs('node-a')
  for (let i = 0; i < 3; i++) await jetstream(a).publish(observationSubject({ chainId: CHAIN_ID, signer: nodeA.address }), new TextEncoder().encode(`{"n":${i}}`), { msgID: `m${i}` })
  await a.close()
  await agg.close()
})

test.after.always(async () => {
  await cluster?.stop()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

const probe = (nodeIdentity: string, counts: OutsiderCounts, attempts: OutsiderAttempts) =>
  probeOutsiders({ cluster, chainId: CHAIN_ID, nodeIdentity, readerIdentity: DEVNET_READER, victimSigner: nodeB.address, durableName: DURABLE, floodMessages: 50 }, counts, attempts)

test.serial('a node and the reader get nothing through: every count is 0 after real attempts', async (t) => {
  const counts = zero()
  const attempts = tried()
  await probe('node-a', counts, attempts)
  t.deepEqual(counts, zero())
  t.true(attempts.connects >= 3 && attempts.publishes >= 100 && attempts.pulls >= 4 && attempts.kvWrites >= 4, JSON.stringify(attempts))
})

test.serial('an identity allowed too much is counted: publishes, pulls and KV writes that went through', async (t) => {
  const counts = zero()
  await probe(DEVNET_ADMIN, counts, tried())
  t.is(counts.anonymousConnectAccepted, 0)
  t.true(counts.outsiderPublishAccepted >= 5, `publishes counted: ${counts.outsiderPublishAccepted}`)
  t.true(counts.outsiderConsumerPulls >= 1, `pulls counted: ${counts.outsiderConsumerPulls}`)
  t.true(counts.outsiderKvWrites >= 1, `KV writes counted: ${counts.outsiderKvWrites}`)
})
