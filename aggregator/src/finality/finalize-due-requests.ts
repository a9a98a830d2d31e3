/**
 * Finality without a keeper: the aggregator finalizes the answers whose dispute window has passed, so the
 * signers' fees are credited and consumers are called back without anyone watching.
 *
 * It follows ReportCommitted from the deployment block on (the signer list finalize needs is only in that
 * event: ResolutionOracle stores its hash), keeps the requests not yet final, and on each pass finalizes those
 * whose window (ResolutionOracle.disputeEndsAt: committedAt + disputeWindowSec, longer for a contested
 * request; read again when due, since `contest` may lengthen it meanwhile) ended at least `delaySec` ago. Before
 * sending it reads the request (a disputed, or already finalized, request is dropped) and simulates the call,
 * so a request another aggregator or anyone finalized first costs a read, not a reverted transaction. Only a
 * revert drops a request: an RPC failure keeps it for the next pass (commits are never read twice). A request
 * whose callback gas limit is above maxCallbackGas is left to others: its requester could make us pay 1M gas. With
 * several aggregators, give each a different delaySec: the later ones only step in when the first did not.
 * Gas is accounted in sibyl_finalize_gas_total; each outcome in sibyl_finalizations_total{result}.
 */
import type { Provider } from 'ethers'
import type { Logger } from 'pino'
import type { Deployment } from '@sibyl/protocol/deployment'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import type { SendTransactionParameters } from '../commit/tx-sender.ts'
import type { AggregatorMetrics } from '../metrics/aggregator-metrics.ts'

export type FinalityKeeperParameters = {
  provider: Pick<Provider, 'getBlockNumber' | 'getBlock' | 'getLogs' | 'call' | 'estimateGas'>
  sender: { address: string; send: (tx: SendTransactionParameters) => Promise<{ receipt: { status: number | null; hash: string; gasUsed: bigint } }> }
  deployment: Deployment
  metrics: Pick<AggregatorMetrics, 'finalizations' | 'finalizeGas' | 'chainErrors'>
  logger: Logger
  /** Seconds after the window's end before this aggregator finalizes. */
  delaySec: number
  /** Finalizations sent per pass at most (each waits for its receipt). */
  maxPerPass: number
  /** Blocks per eth_getLogs call. */
  maxBlockRange: number
  gasLimitPercent: number
  /**
   * Requests whose callback may use more gas than this are left to others (anyone may finalize them): the
   * requester picks the limit, up to 1M, and a callback that burns it all would be paid by this aggregator.
   * DEFAULT_MAX_CALLBACK_GAS when not given.
   */
  maxCallbackGas?: number
}

export type FinalityKeeper = {
  /** Reads new commits and finalizes what is due; returns the ids finalized by this pass. Stops between sends once `signal` is aborted. */
  pass: (signal?: AbortSignal) => Promise<string[]>
  /** Requests followed and not yet final. */
  pending: () => number
}

/** Requests followed at most: past it the oldest are dropped (anyone may still finalize them). */
const MAX_FOLLOWED = 10_000

/** Three times the demo prediction market's callback limit: an ordinary callback fits, a 1M-gas one does not. */
export const DEFAULT_MAX_CALLBACK_GAS = 300_000

export function createFinalityKeeper(parameters: FinalityKeeperParameters): FinalityKeeper {
  const { provider, sender, deployment, metrics, logger } = parameters
  const oracleAddress = deployment.contracts.resolutionOracle
  const oracle = ResolutionOracle__factory.connect(oracleAddress, provider as Provider)
  const committedTopic = oracle.interface.getEvent('ReportCommitted').topicHash
  /** By request id: the committed report's signers and, once read, when this aggregator may finalize it. */
  const due = new Map<string, { signers: string[]; dueAtSec?: bigint }>()
  let fromBlock = deployment.deployedAtBlock

  async function readCommits(): Promise<void> {
    const head = await provider.getBlockNumber()
    for (let to = fromBlock - 1; fromBlock <= head; fromBlock = to + 1) {
      to = Math.min(head, fromBlock + parameters.maxBlockRange - 1)
      const logs = await provider.getLogs({ address: oracleAddress, topics: [committedTopic], fromBlock, toBlock: to })
      for (const log of logs) {
        const parsed = oracle.interface.parseLog(log)
        if (!parsed) continue
        // A deferred request commits again in a later round: the newest list is the one finalize checks.
        due.delete(parsed.args.requestId)
        due.set(parsed.args.requestId, { signers: [...parsed.args.signers] })
        if (due.size > MAX_FOLLOWED) due.delete(due.keys().next().value!)
      }
    }
  }

  const maxCallbackGas = BigInt(parameters.maxCallbackGas ?? DEFAULT_MAX_CALLBACK_GAS)

  async function finalizeOne(requestId: string, entry: { signers: string[]; dueAtSec?: bigint }, nowSec: bigint): Promise<'finalized' | 'dropped' | 'waiting'> {
    // Not read again before it is due: a pass every sweep costs nothing for requests still in their window.
    if (entry.dueAtSec !== undefined && nowSec < entry.dueAtSec) return 'waiting'
    const { signers } = entry
    const request = await oracle.getRequest(requestId)
    if (request.status !== REQUEST_STATUS.Committed) return 'dropped'
    if (request.callbackGasLimit > maxCallbackGas) {
      metrics.finalizations.inc({ result: 'callback-gas-over-cap' })
      logger.info({ requestId, callbackGasLimit: String(request.callbackGasLimit) }, 'callback gas limit above the cap; left to others')
      return 'dropped'
    }
    entry.dueAtSec = (await oracle.disputeEndsAt(requestId)) + BigInt(parameters.delaySec)
    if (nowSec < entry.dueAtSec) return 'waiting'
    const data = oracle.interface.encodeFunctionData('finalize', [requestId, signers])
    const tx = { from: sender.address, to: oracleAddress, data }
    try {
      await provider.call(tx)
    } catch (error) {
      // Only a revert says something about the request (finalized or disputed meanwhile, say). A timeout or a
      // cut connection says nothing, and commits are never read again: it stays for the next pass.
      if ((error as { code?: unknown } | null)?.code !== 'CALL_EXCEPTION') throw error
      metrics.finalizations.inc({ result: 'simulation-failed' })
      logger.warn({ requestId, err: (error as Error).message }, 'finalize simulation reverted; dropped (anyone may still finalize)')
      return 'dropped'
    }
    const gasLimit = ((await provider.estimateGas(tx)) * BigInt(parameters.gasLimitPercent)) / 100n
    const { receipt } = await sender.send({ to: oracleAddress, data, gasLimit })
    metrics.finalizeGas.inc(Number(receipt.gasUsed))
    const ok = receipt.status === 1
    metrics.finalizations.inc({ result: ok ? 'finalized' : 'reverted' })
    logger.info({ requestId, tx: receipt.hash, gasUsed: receipt.gasUsed.toString(), ok }, ok ? 'request finalized' : 'finalize reverted')
    return ok ? 'finalized' : 'dropped'
  }

  async function pass(signal?: AbortSignal): Promise<string[]> {
    try {
      await readCommits()
    } catch (error) {
      metrics.chainErrors.inc({ operation: 'finality-logs' })
      logger.warn({ err: (error as Error).message }, 'commits not read for finality; the next pass tries again')
    }
    const block = await provider.getBlock('latest')
    const nowSec = BigInt(block?.timestamp ?? 0)
    const finalized: string[] = []
    let sent = 0
    for (const [requestId, entry] of [...due]) {
      if (sent >= parameters.maxPerPass || signal?.aborted) break
      try {
        const result = await finalizeOne(requestId, entry, nowSec)
        if (result === 'waiting') continue
        due.delete(requestId)
        if (result === 'finalized') finalized.push(requestId)
        sent += result === 'finalized' ? 1 : 0
      } catch (error) {
        metrics.chainErrors.inc({ operation: 'finalize' })
        logger.warn({ requestId, err: (error as Error).message }, 'finalize failed; the next pass tries again')
      }
    }
    return finalized
  }

  return { pass, pending: () => due.size }
}
