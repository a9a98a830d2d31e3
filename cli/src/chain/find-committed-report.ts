/**
 * The signer list of a request's committed report, read back from ReportCommitted: finalize, dispute and
 * execute take it as an argument because the contract stores only its hash (ResolutionOracle checks it
 * against keccak256(abi.encodePacked(signers)), so a wrong list reverts with SignersMismatch).
 */
import type { Chain } from './open-chain.ts'

/** Blocks per eth_getLogs call: public endpoints refuse wide ranges. */
export const LOG_BLOCK_RANGE = 10_000

export type CommittedReport = { round: bigint; answer: bigint; signers: string[]; blockNumber: number }

/** The newest ReportCommitted of `requestId` (a deferred request commits in a later round), or undefined. */
export async function findCommittedReport(chain: Chain, requestId: string): Promise<CommittedReport | undefined> {
  const { oracle } = chain.contracts
  const head = await chain.provider.getBlockNumber()
  const filter = oracle.filters.ReportCommitted(requestId)
  // Newest first: the report is usually recent, and only the newest counts.
  for (let to = head; to >= chain.deployment.deployedAtBlock; to -= LOG_BLOCK_RANGE) {
    const from = Math.max(chain.deployment.deployedAtBlock, to - LOG_BLOCK_RANGE + 1)
    const events = await oracle.queryFilter(filter, from, to)
    const last = events.at(-1)
    if (last) return { round: last.args.round, answer: last.args.answer, signers: [...last.args.signers], blockNumber: last.blockNumber }
  }
  return undefined
}
