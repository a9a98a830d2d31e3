/**
 * Builders for the end-to-end tests: the demo's whole network (startDemoNetwork: anvil, nats-server, the
 * demo sites, real nodes with the real models, a real aggregator), a market on one of the demo questions with
 * its backers, and a record of what crossed NATS.
 */
import { parseEther, type Contract, type Wallet } from 'ethers'
import { increaseTime, latestTimestamp } from '@sibyl/devnet/local-network'
import { resolveTestModelsDir } from '@sibyl/oracle-node/nlp/test-models-dir'
import type { ObservationMessage, OutlierMessage } from '@sibyl/protocol/messages'
import { buildDemoQuestions, type DemoQuestion, type DemoQuestionKey } from '@sibyl/devnet/demo-questions'
import { startDemoNetwork, type DemoNetwork, type StartDemoNetworkParameters } from '@sibyl/devnet/start-demo-network'
import { fundedWallet, openMarket, requestMarketResolution } from '@sibyl/devnet/demo-markets'
import { watchNetwork, type NetworkWatcher } from '@sibyl/devnet/watch-network'

export const FEE_WEI = parseEther('1')

/** The demo network with the test models folder and no feed (the tests ask questions). */
export function startE2eNetwork(parameters: StartDemoNetworkParameters = {}): Promise<DemoNetwork> {
  return startDemoNetwork({ modelsDir: resolveTestModelsDir(), feed: false, ...parameters })
}

export function demoQuestion(network: DemoNetwork, key: DemoQuestionKey): DemoQuestion {
  const question = buildDemoQuestions(network.sites.url).find((q) => q.key === key)
  if (!question) throw new Error(`no demo question ${key}`)
  return question
}

export type Backer = { label: string; outcome: number; amountWei: bigint }

/**
 * Opens a market on `question`, takes each backer's position, closes it (the chain clock jumps past the close)
 * and asks the oracle. Backers are funded wallets named by their label.
 */
export async function askThroughMarket(
  network: DemoNetwork,
  question: DemoQuestion,
  backers: readonly Backer[],
): Promise<{ market: Contract; requestId: string; wallets: Map<string, Wallet> }> {
  const { net } = network
  const wallets = new Map<string, Wallet>()
  for (const [i, b] of backers.entries()) wallets.set(b.label, await fundedWallet(net, `e2e ${b.label}`, i))
  const closeTime = (await latestTimestamp(net.provider)) + 60
  const market = await openMarket(net, {
    specJson: question.specJson,
    outcomes: question.outcomes,
    closeTime,
    resolveAfter: closeTime,
    feeWei: FEE_WEI,
    positions: backers.map((b) => ({ wallet: wallets.get(b.label)!, outcome: b.outcome, amountWei: b.amountWei })),
  })
  await increaseTime(net.provider, 61)
  const { requestId } = await requestMarketResolution(net, market)
  return { market, requestId, wallets }
}

/** Everything the nodes and the aggregator publish, as a subscriber sees it. */
export type Traffic = {
  observations: (requestId: string) => ObservationMessage[]
  reports: (requestId: string) => OutlierMessage[]
  watcher: NetworkWatcher
  close: () => Promise<void>
}

export async function recordTraffic(network: DemoNetwork): Promise<Traffic> {
  const observations: ObservationMessage[] = []
  const reports: OutlierMessage[] = []
  const watcher = await watchNetwork({
    natsUrl: network.natsUrl,
    chainId: BigInt(network.net.deployment.chainId),
    onObservation: (m) => observations.push(m),
    onOutlierReport: (r) => reports.push(r),
  })
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  return {
    observations: (requestId) => observations.filter((m) => same(m.observation.requestId, requestId)),
    reports: (requestId) => reports.filter((r) => same(r.requestId, requestId)),
    watcher,
    close: () => watcher.close(),
  }
}
