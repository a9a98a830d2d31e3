/**
 * sibyl evidence ID [--node NAME] [--round N] [--nats URL] [--nats-creds FILE] [--nats-ca FILE] [--local DIR]... [--out DIR]
 * Fetches the evidence bundle behind each signed observation of a request, as anyone in the network can, and
 * verifies it: the observation's signature, and the bundle's hash against the signed evidence hash.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connectEvidenceReader } from './connect-evidence-reader.ts'
import { JsonRpcProvider, ZeroHash } from 'ethers'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { collectEvidence, expectationOf, type CollectedEvidence } from '@sibyl/oracle-node/evidence/collect-evidence'
import { evidenceLocation, evidenceMismatches } from '@sibyl/protocol/evidence-bundle'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'

const usage = `Usage: sibyl evidence REQUEST_ID [--node NAME] [--round N] [--nats URL] [--nats-creds FILE] [--nats-ca FILE] [--local DIR]... [--out DIR] [--rpc URL]

Reads the signed observations of a request from NATS (the observation stream, and the outlier reports that
keep every dissenting observation for a month), checks each signature, fetches the evidence bundle each one
points to from its signer's bucket in the JetStream object store (or a local evidence folder, such as a node's
<stateDir>/evidence), and checks that the bundle hashes to the signed evidenceHash and is about that
observation: same kind, chain, contract, request, round, signer and modelHash. With --rpc, the bundle's spec
must also hash to the request's on-chain specHash (else each line says specChecked: false).

  --node NAME   one node: its name (as its bundle says) or its signer address
  --round N     one round (default: every round)
  --nats URL    a NATS server of the network (default nats://127.0.0.1:4222)
  --nats-creds FILE  a read-only identity's credentials on a secured bus (sibyl nats add … reader)
  --nats-ca FILE     the CA of the bus's TLS certificates
  --local DIR   a local evidence folder to try after the object store (repeatable)
  --out DIR     also write each verified bundle there, as <evidenceHash>.bin (its canonical bytes)
  --rpc URL     a JSON-RPC endpoint of the observations' chain: check the bundle's spec against the
                specHash of the request's ResolutionRequested event (ResolutionOracle)

Prints one JSON line per observation; exits 0 when at least one bundle was found and every one verified.
`

/** The on-chain specHash of a request, or why it was not read (then the spec is not checked against the chain). */
export type OnChainSpec = { specHash: string } | { unchecked: string }

/**
 * Reads the request's specHash at the domain's contract, on the chain the domain names: from the
 * ResolutionRequested event that created it (the Request struct getRequest returns keeps no specHash).
 */
export async function readOnChainSpec(rpc: string | undefined, domain: { chainId: string; verifyingContract: string }, requestId: string): Promise<OnChainSpec> {
  if (!rpc) return { unchecked: 'no --rpc given: the spec was not checked against the chain' }
  const provider = new JsonRpcProvider(rpc)
  let timer: NodeJS.Timeout | undefined
  const deadline = <T>(work: Promise<T>) =>
    Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)))]).finally(() => clearTimeout(timer))
  try {
    const network = await deadline(provider.getNetwork())
    if (network.chainId !== BigInt(domain.chainId)) return { unchecked: `--rpc is chain ${network.chainId}, the observation's domain chain ${domain.chainId}: the spec was not checked against the chain` }
    // The request stores no specHash; the ResolutionRequested event that created it does (requestId is indexed).
    const oracle = ResolutionOracle__factory.connect(domain.verifyingContract, provider)
    const logs = await deadline(oracle.queryFilter(oracle.filters.ResolutionRequested(requestId), 0, 'latest'))
    if (logs.length !== 1) return { unchecked: `${logs.length} ResolutionRequested events for ${requestId} at ${domain.verifyingContract}: the spec was not checked against the chain` }
    const specHash = logs[0]!.args.specHash
    if (specHash === ZeroHash) return { unchecked: `request ${requestId} has no specHash: the spec was not checked against the chain` }
    return { specHash }
  } catch (error) {
    return { unchecked: `reading the request on-chain failed (${(error as Error).message.split('\n')[0]}): the spec was not checked against the chain` }
  } finally {
    provider.destroy()
  }
}

/**
 * One observation and its evidence, as a JSON line. `verified` only when the signature is valid and the bundle
 * is this observation's evidence (evidenceMismatches against the observation, its domain and, where read, the
 * on-chain specHash); `specChecked` says whether the spec was compared with the chain.
 */
export function describeEvidence(item: CollectedEvidence, onChain: OnChainSpec = { unchecked: 'the spec was not checked against the chain' }) {
  const o = item.message.observation
  const base = {
    signer: item.message.signer,
    round: o.round,
    signed: { answer: o.answer, confidenceBps: o.confidenceBps, evidenceHash: o.evidenceHash, modelHash: o.modelHash },
    signatureValid: item.signatureValid,
    location: evidenceLocation(item.message.signer, o.evidenceHash),
  }
  if (!item.evidence.ok) return { event: 'evidence', ...base, verified: false, reason: item.evidence.reason, message: item.evidence.message, tried: item.evidence.tried }
  const { bundle, bytes, from, where } = item.evidence
  const h = bundle.header
  const specHash = 'specHash' in onChain && item.message.kind === 'resolution' ? onChain.specHash : undefined
  const mismatches = evidenceMismatches(h, expectationOf(item.message, specHash))
  return {
    event: 'evidence',
    node: h.node,
    ...base,
    verified: item.signatureValid && mismatches.length === 0,
    ...(mismatches.length > 0 ? { reason: 'mismatch', message: `not the evidence of this observation: ${mismatches.join('; ')}` } : {}),
    specChecked: specHash !== undefined,
    ...(specHash === undefined ? { specNote: item.message.kind === 'resolution' ? ('unchecked' in onChain ? onChain.unchecked : 'the spec was not checked against the chain') : 'a feed has no on-chain spec to check' } : {}),
    from,
    where,
    bytes: bytes.length,
    judged: { answer: h.answer.toString(), confidenceBps: h.confidenceBps, reason: h.reason, outcomeProbabilitiesBps: h.outcomeProbabilitiesBps, value: h.value },
    agreesWithSigned: h.answer.toString() === o.answer && h.confidenceBps === o.confidenceBps,
    questionType: h.questionType,
    models: h.models,
    device: h.device,
    sources: bundle.sources.map((s) => ({
      url: s.url,
      ...(s.failure ? { failure: s.failure } : {}),
      status: s.status,
      fetchedAtMs: s.fetchedAtMs,
      contentType: s.contentType,
      rawHash: s.rawHash,
      rawBytes: s.rawSize,
      rawIncluded: s.rawIncluded,
      textChars: s.text.length,
      passages: s.passages.length,
      values: s.values.map((v) => ({ answer: v.answer.toString(), value: v.value, detail: v.detail })),
    })),
  }
}

/** `ID [options]`: the request id first (the shared option parser takes no positionals). */
export function splitRequestId(command: string, args: string[], usage: string, io: CommandIo): { requestId: string; rest: string[] } | { exitCode: number } {
  const [requestId, ...rest] = args
  if (requestId === '--help' || requestId === '-h') {
    io.stdout.write(usage)
    return { exitCode: EXIT_OK }
  }
  if (requestId === undefined || !/^0x[0-9a-fA-F]{64}$/.test(requestId)) {
    io.stderr.write(`sibyl ${command}: give the request id first (0x + 64 hex digits)\n\n${usage}`)
    return { exitCode: EXIT_USAGE }
  }
  return { requestId, rest }
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('evidence', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const { requestId } = split
  const cli = parseCommandArgs(
    split.rest,
    { node: { type: 'string' }, round: { type: 'string' }, nats: { type: 'string' }, 'nats-creds': { type: 'string' }, 'nats-ca': { type: 'string' }, local: { type: 'string', multiple: true }, out: { type: 'string' }, rpc: { type: 'string' } },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const values = cli.values as typeof cli.values & { local?: string[] }
  const round = values.round === undefined ? undefined : Number(values.round)
  if (round !== undefined && (!Number.isInteger(round) || round < 0)) {
    io.stderr.write(`sibyl evidence: --round must be a round number\n`)
    return EXIT_USAGE
  }
  const nc = await connectEvidenceReader('evidence', values, io)
  if (!nc) return EXIT_FAILED
  try {
    const collected = await collectEvidence({
      nc,
      requestId,
      ...(values.node === undefined ? {} : { node: values.node }),
      ...(round === undefined ? {} : { round }),
      ...(values.local ? { localDirs: values.local } : {}),
    })
    let failed = collected.length === 0
    const specs = new Map<string, Promise<OnChainSpec>>()
    for (const item of collected) {
      const d = item.message.domain
      const key = `${d.chainId}:${d.verifyingContract.toLowerCase()}`
      if (!specs.has(key)) specs.set(key, readOnChainSpec(values.rpc, d, requestId))
      const line = describeEvidence(item, await specs.get(key)!)
      if (!line.verified) failed = true
      if (values.out && item.evidence.ok && line.verified) {
        mkdirSync(values.out, { recursive: true })
        writeFileSync(join(values.out, `${item.message.observation.evidenceHash.toLowerCase()}.bin`), item.evidence.bytes)
      }
      io.stdout.write(`${JSON.stringify(line)}\n`)
    }
    if (collected.length === 0) io.stderr.write(`sibyl evidence: no signed observation of ${requestId}${values.node ? ` by ${values.node}` : ''} found\n`)
    return failed ? EXIT_FAILED : EXIT_OK
  } finally {
    await drainWithin(nc)
  }
}

export const evidenceCommand: Command = { name: 'evidence', summary: 'fetch and verify the evidence behind a request’s signed observations', usage, run }
