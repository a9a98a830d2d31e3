/**
 * Reads ResolutionRequested events from the chain itself (a node does not trust anyone to tell it what was
 * asked), only from blocks with enough confirmations, in bounded ranges.
 */
import { Interface, type InterfaceAbi, type Provider } from 'ethers'
import { resolutionOracleAbi } from '@sibyl/contracts/generated/ResolutionOracle'

const oracleInterface = new Interface(resolutionOracleAbi as unknown as InterfaceAbi)
const requestedTopic = oracleInterface.getEvent('ResolutionRequested')!.topicHash

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

export async function fetchNewRequests(
  provider: Provider,
  oracleAddress: string,
  fromBlock: number,
  options: { confirmations: number; maxBlockRange: number },
): Promise<FetchRequestsResult> {
  const head = await provider.getBlockNumber()
  const safeHead = head - options.confirmations
  if (safeHead < fromBlock) return { requests: [], nextBlock: fromBlock, safeHead }
  const toBlock = Math.min(safeHead, fromBlock + options.maxBlockRange - 1)
  const logs = await provider.getLogs({ address: oracleAddress, topics: [requestedTopic], fromBlock, toBlock })
  const requests: ResolutionRequest[] = []
  for (const log of logs) {
    const parsed = oracleInterface.parseLog(log)
    if (!parsed) continue
    const a = parsed.args
    requests.push({
      requestId: a.getValue('requestId') as string,
      requester: a.getValue('requester') as string,
      specHash: a.getValue('specHash') as string,
      spec: a.getValue('spec') as string,
      outcomes: [...(a.getValue('outcomes') as string[])],
      resolveAfter: Number(a.getValue('resolveAfter')),
      feeWei: a.getValue('feeWei') as bigint,
      blockNumber: log.blockNumber,
      logIndex: log.index,
    })
  }
  return { requests, nextBlock: toBlock + 1, safeHead }
}
