/**
 * sibyl watch ID: the live timeline of one request: asked, observations (with --nats), committed or
 * deferred, the dispute window, disputes, and final. Read-only; polls the chain's logs.
 */
import { type NatsConnection } from '@nats-io/transport-node'
import { observationMessageSchema } from '@sibyl/protocol/messages'
import { observationFilter } from '@sibyl/protocol/subjects'
import { requestStatusName } from '@sibyl/protocol/request-status'
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { splitRequestId } from './evidence-command.ts'
import { connectEvidenceReader } from './connect-evidence-reader.ts'
import { chainOptions, chainUsage, type Chain } from './chain/open-chain.ts'
import { runOnChain, toJson } from './chain/run-on-chain.ts'
import { LOG_BLOCK_RANGE } from './chain/find-committed-report.ts'

const usage = `Usage: sibyl watch ID [--until committed|final] [--timeout-sec N] [--nats URL [--nats-creds FILE] [--nats-ca FILE]]
                  [--rpc URL] [--deployment FILE] [--json]

Prints the timeline of request ID as it happens, from its request on: observations published on NATS (with
--nats; as published, the aggregator checks them), the committed (or deferred) report and its signers, when
the dispute window closes, disputes and their outcome, and the final answer. Exits 0 when the request
reaches --until (default final), 1 when --timeout-sec passes first (default 0: wait forever).
With --json, one JSON object per line.

  --until STATE         committed or final
  --timeout-sec N       give up after N seconds
  --poll-ms N           how often the chain is read (default 1000)
  --nats URL            also show observations (a reader's credentials: --nats-creds, --nats-ca)
${chainUsage}
`

type Step = { at: string; event: string; [key: string]: unknown }

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('watch', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const { requestId } = split
  const cli = parseCommandArgs(
    split.rest,
    { ...chainOptions, until: { type: 'string' }, 'timeout-sec': { type: 'string' }, 'poll-ms': { type: 'string' }, nats: { type: 'string' }, 'nats-creds': { type: 'string' }, 'nats-ca': { type: 'string' } },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  const until = values.until ?? 'final'
  if (until !== 'final' && until !== 'committed') {
    io.stderr.write('sibyl watch: --until must be committed or final\n')
    return 2
  }
  for (const name of ['timeout-sec', 'poll-ms'] as const) {
    if (values[name] !== undefined && !/^[0-9]+$/.test(values[name])) {
      io.stderr.write(`sibyl watch: --${name} must be an integer\n`)
      return 2
    }
  }
  const timeoutMs = Number(values['timeout-sec'] ?? 0) * 1000
  const pollMs = Math.max(100, Number(values['poll-ms'] ?? 1000))
  const print = (step: Step) => {
    const { at, event, ...rest } = step
    io.stdout.write(values.json ? `${toJson(step)}\n` : `${at}  ${event.padEnd(12)} ${Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}\n`)
  }
  return runOnChain({
    name: 'watch',
    io,
    values,
    keyEnvDefault: 'SIBYL_KEY',
    needKey: false,
    body: async (chain) => {
      const status = await chain.contracts.oracle.getRequest(requestId)
      if (status.status === 0n) return { ok: false, message: `no request ${requestId} on this deployment` }
      let nc: NatsConnection | undefined
      if (values.nats) {
        nc = await connectEvidenceReader('watch', values, io)
        if (!nc) return { ok: false, message: 'cannot show observations without NATS' }
        void followObservations(nc, BigInt(chain.deployment.chainId), requestId, print)
      }
      try {
        const reached = await followChain(chain, requestId, { until, timeoutMs, pollMs, print })
        const done = reached ? `reached ${until}` : `not ${until} after ${values['timeout-sec']} s`
        return reached ? { ok: true, result: { requestId, reached: until }, text: `-- ${done}` } : { ok: false, message: done }
      } finally {
        await nc?.close()
      }
    },
  })
}

async function followObservations(nc: NatsConnection, chainId: bigint, requestId: string, print: (s: Step) => void): Promise<void> {
  const sub = nc.subscribe(observationFilter(chainId))
  for await (const msg of sub) {
    let parsed
    try {
      parsed = observationMessageSchema.safeParse(msg.json())
    } catch {
      continue
    }
    if (!parsed.success || parsed.data.observation.requestId.toLowerCase() !== requestId.toLowerCase()) continue
    const o = parsed.data.observation
    print({ at: new Date().toISOString(), event: 'observation', signer: parsed.data.signer, round: o.round, answer: o.answer, confidenceBps: o.confidenceBps })
  }
}

/** Polls the oracle's and governance's logs about the request; true once it reaches `until`. */
async function followChain(chain: Chain, requestId: string, o: { until: string; timeoutMs: number; pollMs: number; print: (s: Step) => void }): Promise<boolean> {
  const { oracle, governance } = chain.contracts
  const windowSec = await oracle.disputeWindowSec()
  const started = Date.now()
  let from = chain.deployment.deployedAtBlock
  const topics = [[requestId]]
  for (;;) {
    // The status is read before the logs: a state reached between the two is then printed before the exit.
    const status = requestStatusName((await oracle.getRequest(requestId)).status)
    const head = await chain.provider.getBlockNumber()
    for (let to = from - 1; from <= head; from = to + 1) {
      to = Math.min(head, from + LOG_BLOCK_RANGE - 1)
      const logs = await chain.provider.getLogs({ address: [await oracle.getAddress(), await governance.getAddress()], topics: [null, ...topics], fromBlock: from, toBlock: to })
      for (const log of logs) {
        const parsed = oracle.interface.parseLog(log) ?? governance.interface.parseLog(log)
        if (!parsed) continue
        const block = await chain.provider.getBlock(log.blockNumber)
        const at = new Date((block?.timestamp ?? 0) * 1000).toISOString()
        const a = parsed.args
        switch (parsed.name) {
          case 'ResolutionRequested':
            o.print({ at, event: 'requested', requester: a.requester, outcomes: [...a.outcomes], resolveAfter: new Date(Number(a.resolveAfter) * 1000).toISOString(), feeWei: a.feeWei })
            break
          case 'ReportCommitted':
            o.print({ at, event: 'committed', round: a.round, answer: a.answer, signers: [...a.signers] })
            o.print({ at, event: 'window', disputableUntil: new Date(((block?.timestamp ?? 0) + Number(windowSec)) * 1000).toISOString() })
            break
          case 'ResolutionContested':
            // The request's window is now disputeWindowSec x contestedWindowMultiplier (ResolutionOracle).
            o.print({ at, event: 'contested', dissentCount: a.dissentCount, medianConfidenceBps: a.medianConfidenceBps, disputableUntil: new Date(Number(a.disputeEndsAt) * 1000).toISOString() })
            break
          case 'ResolutionDeferred':
            o.print({ at, event: 'deferred', round: a.round, resolveAfter: new Date(Number(a.resolveAfter) * 1000).toISOString() })
            break
          case 'Disputed':
            o.print({ at, event: 'disputed', disputer: a.disputer, votingEndsAt: new Date(Number(a.votingEndsAt) * 1000).toISOString() })
            break
          case 'Claimed':
            o.print({ at, event: 'claim', claimant: a.claimant, answer: a.answer, bondWei: a.bondWei })
            break
          case 'Decided':
            o.print({ at, event: 'decided', answer: a.answer })
            break
          case 'DisputeExecuted':
            o.print({ at, event: 'executed', outcome: ['overturned', 'upheld', 'expired'][Number(a.outcome)], answer: a.finalAnswer, slashedWei: a.slashedWei })
            break
          case 'RequestExpired':
            o.print({ at, event: 'expired', refundWei: a.refundWei })
            break
          case 'ResolutionFinalized':
            o.print({ at, event: 'final', answer: a.answer })
            break
        }
      }
    }
    if (status === 'Finalized' || (o.until === 'committed' && (status === 'Committed' || status === 'Disputed'))) return true
    if (o.timeoutMs > 0 && Date.now() - started >= o.timeoutMs) return false
    await new Promise((resolve) => setTimeout(resolve, o.pollMs))
  }
}

export const watchCommand: Command = { name: 'watch', summary: "a request's live timeline: observations, commit, window, final", usage, run }
