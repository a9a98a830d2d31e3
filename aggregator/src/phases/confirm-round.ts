/**
 * A decision that cannot be taken back (refuse an observation for good, write a round off as committed by
 * someone else) is taken only on confirmed chain state: every configured RPC, read `confirmations` blocks
 * behind its own head, must agree that the contract no longer takes the round. One RPC's view is not enough:
 * after a fail-over it may be a backend that lags behind the chain, or a block that a reorg takes away.
 *
 *   - `open`:   some confirmed view still takes the round (or shows it not yet decided): not final, go on.
 *   - `closed`: every view agrees it does not (the failure of the first view says why).
 *   - `unsure`: a view could not be read: decide nothing now, ask again later.
 */
import type { RoundTarget } from '../rounds/round-record.ts'
import { checkRoundOnChain, type ChainReads, type RoundCheckFailure } from './chain-reads.ts'

export type ConfirmedRoundCheck = { verdict: 'open' } | { verdict: 'closed'; failure: RoundCheckFailure } | { verdict: 'unsure'; error: string }

export type ConfirmRoundParameters = {
  /** One reader per configured RPC URL. */
  views: readonly ChainReads[]
  target: RoundTarget
  /** Blocks behind each view's head at which its state counts as confirmed (0: its head). */
  confirmations: number
}

async function checkConfirmed(view: ChainReads, target: RoundTarget, confirmations: number): Promise<RoundCheckFailure | undefined> {
  if (confirmations === 0 || !view.headBlock) return checkRoundOnChain(view, target)
  const head = await view.headBlock()
  return checkRoundOnChain(view, target, Math.max(0, head - confirmations))
}

export async function confirmRoundCheck({ views, target, confirmations }: ConfirmRoundParameters): Promise<ConfirmedRoundCheck> {
  if (views.length === 0) return { verdict: 'unsure', error: 'no chain reader configured' }
  const results = await Promise.allSettled(views.map((view) => checkConfirmed(view, target, confirmations)))
  if (results.some((r) => r.status === 'fulfilled' && r.value === undefined)) return { verdict: 'open' }
  const unread = results.find((r) => r.status === 'rejected')
  if (unread) return { verdict: 'unsure', error: unread.reason instanceof Error ? unread.reason.message : String(unread.reason) }
  const failure = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)).find((f) => f !== undefined)
  return { verdict: 'closed', failure: failure! }
}
