/**
 * What the chain says, and nothing else: every ReportCommitted of the oracle, read from the chain by the run's
 * own connection to anvil (not through the RPC proxy the faults cut), and the wall-clock time the run first saw
 * each one. The run's figures (commits per request, answer against truth) are counted from these events, never
 * from what the nodes or aggregators say about themselves.
 */
import type { JsonRpcProvider } from 'ethers'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'

export type SeenCommit = { requestId: string; round: number; answer: bigint; signers: string[]; blockNumber: number; txHash: string; seenAtMs: number }

export type CommitWatcher = {
  /** Reads the blocks mined since the last poll; returns the new commits. */
  poll: () => Promise<SeenCommit[]>
  /** Every commit seen so far, by request id (lower-case). */
  byRequest: () => Map<string, SeenCommit[]>
}

export function createCommitWatcher(provider: JsonRpcProvider, oracleAddress: string, fromBlock: number): CommitWatcher {
  const oracle = ResolutionOracle__factory.connect(oracleAddress, provider)
  const seen = new Map<string, SeenCommit[]>()
  let next = fromBlock
  return {
    poll: async () => {
      const head = await provider.getBlockNumber()
      if (head < next) return []
      const logs = await oracle.queryFilter(oracle.filters.ReportCommitted(), next, head)
      next = head + 1
      const now = Date.now()
      const fresh = logs.map((log) => ({
        requestId: log.args.requestId.toLowerCase(),
        round: Number(log.args.round),
        answer: log.args.answer,
        signers: [...log.args.signers],
        blockNumber: log.blockNumber,
        txHash: log.transactionHash,
        seenAtMs: now,
      }))
      for (const c of fresh) seen.set(c.requestId, [...(seen.get(c.requestId) ?? []), c])
      return fresh
    },
    byRequest: () => seen,
  }
}
