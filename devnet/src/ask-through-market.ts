/**
 * A question asked the way a consumer asks it: a PredictionMarket on one of the demo questions, backers taking
 * positions, the market closed (the chain clock jumps past its close) and the oracle asked. For the end-to-end
 * tests and anyone driving a devnet by hand.
 */
import { parseEther, type Wallet } from 'ethers'
import type { PredictionMarket } from '@sibyl/contracts/typechain'
import { findDemoQuestion, type DemoQuestion, type DemoQuestionKey } from './demo-questions.ts'
import { fundedWallet, openMarket, requestMarketResolution } from './demo-markets.ts'
import { increaseTime, latestTimestamp } from './local-network.ts'
import type { DemoNetwork } from './start-demo-network.ts'

/** The oracle fee each market pays (in the network token). */
export const FEE_WEI = parseEther('1')

/** The demo question `key`, its sources on this network's demo sites. */
export function demoQuestion(network: DemoNetwork, key: DemoQuestionKey): DemoQuestion {
  return findDemoQuestion(network.sites.url, key)
}

export type Backer = { label: string; outcome: number; amountWei: bigint }

export type AskThroughMarketReturnType = { market: PredictionMarket; requestId: string; wallets: Map<string, Wallet> }

/**
 * Opens a market on `question`, takes each backer's position, closes it (the chain clock jumps past the close)
 * and asks the oracle. Backers are funded wallets named by their label.
 */
export async function askThroughMarket(network: DemoNetwork, question: DemoQuestion, backers: readonly Backer[]): Promise<AskThroughMarketReturnType> {
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
