/**
 * sibyl claim: withdraws everything the account can claim: fee shares and refunds from ResolutionOracle
 * (claimableWei, withdrawFees), and bonds, dispute rewards and slashes owed from DisputeGovernance
 * (claimableWei, withdraw). Settles the account's own executed claims first (settleClaim), so a
 * disputer's bond and reward are included.
 */
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { LOG_BLOCK_RANGE } from './chain/find-committed-report.ts'

const usage = `Usage: sibyl claim [--dry-run] [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Withdraws every amount the sending account can claim in the network token:
  fees      ResolutionOracle.claimableWei: fee shares of finalized answers, refunds of expired or overturned requests
  payouts   DisputeGovernance.claimableWei: bonds returned, dispute rewards, bonds paid to signers of upheld answers
Claims the account posted on executed disputes are settled first. With --dry-run only prints the amounts.

  --dry-run             print what is claimable, send nothing
${chainUsage}
${keyUsage('SIBYL_OPERATOR_KEY')}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { ...chainOptions, ...keyOptions, 'dry-run': { type: 'boolean' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const dryRun = cli.values['dry-run'] === true
  return runOnChain({
    name: 'claim',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_OPERATOR_KEY',
    needKey: true,
    body: async (chain) => {
      const { oracle, governance } = chain.contracts
      const account = chain.wallet!.address
      // The account's claims on executed disputes, not yet settled: settling credits claimableWei.
      const head = await chain.provider.getBlockNumber()
      const requestIds = new Set<string>()
      for (let from = chain.deployment.deployedAtBlock; from <= head; from += LOG_BLOCK_RANGE) {
        for (const e of await governance.queryFilter(governance.filters.Claimed(undefined, account), from, Math.min(head, from + LOG_BLOCK_RANGE - 1))) requestIds.add(e.args.requestId)
      }
      let unsettledWei = 0n
      const settled: string[] = []
      for (const requestId of requestIds) {
        const claim = await governance.getClaim(requestId, account)
        if (claim.settled || (await governance.getDispute(requestId)).state !== 2n) continue
        const pendingWei = await governance.pendingClaimWei(requestId, account)
        unsettledWei += pendingWei
        if (!dryRun) {
          await (await governance.settleClaim(requestId, account)).wait()
          settled.push(requestId)
        }
      }
      const feesWei = await oracle.claimableWei(account)
      const payoutsWei = (await governance.claimableWei(account)) + (dryRun ? unsettledWei : 0n)
      const withdrawn: string[] = []
      if (!dryRun) {
        if (feesWei > 0n) {
          await (await oracle.withdrawFees()).wait()
          withdrawn.push('fees')
        }
        if (payoutsWei > 0n) {
          await (await governance.withdraw()).wait()
          withdrawn.push('payouts')
        }
      }
      const totalWei = feesWei + payoutsWei
      return {
        ok: true,
        result: { account, feesWei, payoutsWei, totalWei, settled, withdrawn, dryRun },
        text: `${dryRun ? 'claimable' : totalWei === 0n ? 'nothing to claim' : 'claimed'} for ${account}: fees ${feesWei} wei, bonds and rewards ${payoutsWei} wei${settled.length ? ` (settled ${settled.length} dispute claims)` : ''}`,
      }
    },
  })
}

export const claimCommand: Command = { name: 'claim', summary: 'withdraw everything claimable: fees, bonds, rewards', usage, run }
