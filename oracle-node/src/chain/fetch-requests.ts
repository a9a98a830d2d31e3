/**
 * Reads ResolutionRequested events from the chain itself (a node does not trust anyone to tell it what was
 * asked), only from blocks with enough confirmations, in bounded ranges, and never past a block the chain has.
 */
import type { Provider } from 'ethers'
import { readRequestTexts } from '@sibyl/contracts/read-request-texts'
import type { ResolutionOracle } from '@sibyl/contracts/typechain'

export type ResolutionRequest = {
  requestId: string
  requester: string
  specHash: string
  spec: string
  outcomes: string[]
  resolveAfter: number
  feeWei: bigint
  blockNumber: number
  logIndex: number
}

export type FetchRequestsResult = { requests: ResolutionRequest[]; nextBlock: number; safeHead: number }

/** `oracle` is the ResolutionOracle connected to `provider`, which also gives the chain head. */
export async function fetchNewRequests(
  provider: Provider,
  oracle: ResolutionOracle,
  fromBlock: number,
  options: { confirmations: number; maxBlockRange: number },
): Promise<FetchRequestsResult> {
  const head = await provider.getBlockNumber()
  const safeHead = head - options.confirmations
  if (safeHead < fromBlock) return { requests: [], nextBlock: fromBlock, safeHead }
  let toBlock = Math.min(safeHead, fromBlock + options.maxBlockRange - 1)
  // The head is an RPC's word, and the cursor is saved: moved past blocks that do not exist yet, it would skip
  // the requests they will hold. The range ends at a block the chain has, else at the latest block's number.
  if (!(await provider.getBlock(toBlock))) {
    const latest = await provider.getBlock('latest')
    toBlock = Math.min(toBlock, (latest?.number ?? -1) - options.confirmations)
    if (toBlock < fromBlock) return { requests: [], nextBlock: fromBlock, safeHead: toBlock }
  }
  const logs = await oracle.queryFilter(oracle.filters.ResolutionRequested, fromBlock, toBlock)
  const requests: ResolutionRequest[] = []
  for (const log of logs) {
    // ethers leaves a log it cannot decode without args; the event's own contract never emits one.
    if (!log.args) continue
    const a = log.args
    // Not a.spec / a.outcomes: ethers throws on strings that are not UTF-8, which a requester may emit.
    const { spec, outcomes } = readRequestTexts(log.data)
    requests.push({
      requestId: a.requestId,
      requester: a.requester,
      specHash: a.specHash,
      spec,
      outcomes,
      resolveAfter: Number(a.resolveAfter),
      feeWei: a.feeWei,
      blockNumber: log.blockNumber,
      logIndex: log.index,
    })
  }
  return { requests, nextBlock: toBlock + 1, safeHead }
}
