/**
 * sibyl replay ID --node NAME [--round N] [--nats URL] [--nats-creds FILE] [--nats-ca FILE] [--models-dir DIR] [--device cpu|cuda|auto] [--local DIR]... [--rpc URL]
 * Re-runs a node's judgement on its stored evidence, with the models its signed modelHash names, and says
 * whether it reproduces the answer and confidence the node signed. A node that signed something its own judge
 * did not conclude is caught here: this output is what a disputer brings to governance.
 */
import { homedir } from 'node:os'
import { connectEvidenceReader } from './connect-evidence-reader.ts'
import { collectEvidence, expectationOf } from '@sibyl/oracle-node/evidence/collect-evidence'
import { resolveModelCacheDir } from '@sibyl/oracle-node/nlp/model-cache-dir'
import { describeEvidence, readOnChainSpec, splitRequestId, type OnChainSpec } from './evidence-command.ts'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'

const usage = `Usage: sibyl replay REQUEST_ID --node NAME [--round N] [--nats URL] [--nats-creds FILE] [--nats-ca FILE] [--models-dir DIR] [--device cpu|cuda|auto] [--local DIR]... [--rpc URL]

Fetches and verifies the node's evidence bundle (as sibyl evidence does), loads the models its modelHash
names (the sentence encoder from --models-dir, else the npm-installed default; the judge this code carries;
each hash checked against the bundle), re-runs the judgement on the stored extracted text (passages,
embeddings, judge; structured questions re-read the stored page) and compares it with what the node signed.

Same kind of device as the node: the answer and the confidence must be identical. CPU against CUDA: the
answer identical, the confidence within 10 bps (the encoder's float rounding differs between them).

  --node NAME        the node: its name (as its bundle says) or its signer address (required)
  --round N          one round (default: every round it signed)
  --nats URL         a NATS server of the network (default nats://127.0.0.1:4222)
  --nats-creds FILE  a read-only identity's credentials on a secured bus (sibyl nats add … reader)
  --nats-ca FILE     the CA of the bus's TLS certificates
  --models-dir DIR   models folder (transformers.js layout) tried first
  --device D         cpu (default), cuda or auto
  --local DIR        a local evidence folder to try after the object store (repeatable)
  --rpc URL          a JSON-RPC endpoint of the observations' chain: the bundle's spec must hash to the
                     specHash of the request's ResolutionRequested event (without it: specChecked false)

A bundle is replayed only as the evidence of the observation it is offered for: same kind, chain, contract,
request, round, signer and modelHash (and, with --rpc, the on-chain spec); any other is refused.

Prints one JSON line per observation; exits 0 when every replay reproduces the signed answer, 1 when one
does not (or could not be replayed).
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('replay', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const cli = parseCommandArgs(
    split.rest,
    { node: { type: 'string' }, round: { type: 'string' }, nats: { type: 'string' }, 'nats-creds': { type: 'string' }, 'nats-ca': { type: 'string' }, 'models-dir': { type: 'string' }, device: { type: 'string' }, local: { type: 'string', multiple: true }, rpc: { type: 'string' } },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const values = cli.values as typeof cli.values & { local?: string[] }
  if (!values.node) {
    io.stderr.write(`sibyl replay: --node is required\n\n${usage}`)
    return EXIT_USAGE
  }
  const device = values.device ?? 'cpu'
  if (device !== 'cpu' && device !== 'cuda' && device !== 'auto') {
    io.stderr.write(`sibyl replay: --device must be cpu, cuda or auto\n`)
    return EXIT_USAGE
  }
  const round = values.round === undefined ? undefined : Number(values.round)
  if (round !== undefined && (!Number.isInteger(round) || round < 0)) {
    io.stderr.write(`sibyl replay: --round must be a round number\n`)
    return EXIT_USAGE
  }
  const nc = await connectEvidenceReader('replay', values, io)
  if (!nc) return EXIT_FAILED
  // Loaded here, not at the top: the models' runtime is heavy and every other command (and --help) goes without.
  const { createReplayer } = await import('@sibyl/oracle-node/evidence/create-replayer')
  const { compareReplay } = await import('@sibyl/oracle-node/evidence/replay-evidence')
  const replayer = createReplayer({
    ...(values['models-dir'] ? { modelsDir: values['models-dir'] } : {}),
    modelCacheDir: resolveModelCacheDir({ env: io.env, homeDir: homedir() }),
    device,
  })
  try {
    const collected = await collectEvidence({ nc, requestId: split.requestId, node: values.node, ...(round === undefined ? {} : { round }), ...(values.local ? { localDirs: values.local } : {}) })
    if (collected.length === 0) {
      io.stderr.write(`sibyl replay: no signed observation of ${split.requestId} by ${values.node} found\n`)
      return EXIT_FAILED
    }
    let failed = false
    const specs = new Map<string, Promise<OnChainSpec>>()
    for (const item of collected) {
      const d = item.message.domain
      const key = `${d.chainId}:${d.verifyingContract.toLowerCase()}`
      if (!specs.has(key)) specs.set(key, readOnChainSpec(values.rpc, d, split.requestId))
      const onChain = await specs.get(key)!
      const evidence = describeEvidence(item, onChain)
      if (!item.evidence.ok || !evidence.verified) {
        failed = true
        io.stdout.write(`${JSON.stringify({ ...evidence, event: 'replay', replayed: false, reason: 'the evidence does not verify', ...('message' in evidence ? { detail: evidence.message } : {}) })}\n`)
        continue
      }
      const bundle = item.evidence.bundle
      const specHash = 'specHash' in onChain ? onChain.specHash : undefined
      const replay = await replayer.replay(bundle, expectationOf(item.message, specHash))
      if (!replay.ok) {
        failed = true
        io.stdout.write(`${JSON.stringify({ event: 'replay', node: bundle.header.node, signer: item.message.signer, round: item.message.observation.round, replayed: false, reason: replay.reason })}\n`)
        continue
      }
      const o = item.message.observation
      const signed = { answer: BigInt(o.answer), confidenceBps: o.confidenceBps }
      const verdict = compareReplay(replay, signed, { node: bundle.header.device, replay: replay.device })
      if (!verdict.matches) failed = true
      io.stdout.write(
        `${JSON.stringify({
          event: 'replay',
          node: bundle.header.node,
          signer: item.message.signer,
          round: o.round,
          evidenceHash: o.evidenceHash,
          replayed: true,
          specChecked: 'specChecked' in evidence && evidence.specChecked,
          ...('specNote' in evidence ? { specNote: evidence.specNote } : {}),
          signed: { answer: o.answer, confidenceBps: o.confidenceBps },
          judged: { answer: bundle.header.answer.toString(), confidenceBps: bundle.header.confidenceBps },
          replay: { answer: replay.answer.toString(), confidenceBps: replay.confidenceBps, outcomeProbabilitiesBps: replay.outcomeProbabilitiesBps, reason: replay.reason, device: replay.device, ms: Math.round(replay.replayMs) },
          matchesSigned: verdict.matches,
          matchesBundle: replay.matchesBundle,
          toleranceBps: verdict.toleranceBps,
          passages: replay.passages,
          extraction: replay.extraction,
          ...(verdict.matches ? {} : { verdict: `the node signed ${o.answer} (${o.confidenceBps} bps); its own evidence and models give ${replay.answer} (${replay.confidenceBps} bps)` }),
        })}\n`,
      )
    }
    return failed ? EXIT_FAILED : EXIT_OK
  } finally {
    await replayer.close()
    await drainWithin(nc)
  }
}

export const replayCommand: Command = { name: 'replay', summary: 're-run a node’s judgement on its stored evidence and compare with what it signed', usage, run }
