/**
 * sibyl status [--operator ADDRESS]: the network's state (active operators, quorum, epoch) and, for an
 * operator, its stake, membership, signer, unbonding and everything it can claim. Read-only.
 */
import { getAddress, isAddress } from 'ethers'
import { quorumFor } from '@sibyl/protocol/quorum'
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { chainOptions, chainUsage, keyOptions } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { MIN_FAULT_TOLERANT_OPERATORS } from './chain/assess-slash-impact.ts'

const usage = `Usage: sibyl status [--operator ADDRESS | --key-env NAME | --keystore FILE] [--rpc URL] [--deployment FILE] [--json]

Network: active operators of the current and the next epoch, the quorum they need, the epoch and when it
ends; warns when no operator is active (nothing can commit) or fewer than ${MIN_FAULT_TOLERANT_OPERATORS} are.
Operator (--operator, or the address of the key given): signer, admitted, bonded and unbonding stake, the
time the unbonding stake is withdrawable, open disputes locking it, whether it is active now and next epoch,
and what it can claim (fees, bonds and rewards: sibyl claim). Sends nothing.

  --operator ADDRESS    the operator to show
  --key-env NAME        or the address of the key in this environment variable
  --keystore FILE       or of this keystore (its password in --password-env)
${chainUsage}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { ...chainOptions, ...keyOptions, operator: { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  if (cli.values.operator !== undefined && !isAddress(cli.values.operator)) {
    io.stderr.write(`sibyl status: --operator ${cli.values.operator} is not an address\n`)
    return 2
  }
  return runOnChain({
    name: 'status',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_OPERATOR_KEY',
    needKey: false,
    body: async (chain) => {
      const { staking, oracle, governance } = chain.contracts
      const epoch = await staking.currentEpoch()
      const epochEndsAt = await staking.epochStartsAt(epoch + 1n)
      const active = Number(await staking.activeOperatorCount())
      const activeNext = Number(await staking.memberCountAt(epoch + 1n))
      const network = { epoch, epochEndsAt, activeOperators: active, quorum: quorumFor(active), activeOperatorsNextEpoch: activeNext, quorumNextEpoch: quorumFor(activeNext), halted: active === 0, haltsNextEpoch: activeNext === 0 }
      const lines = [
        `network: epoch ${epoch} (ends ${new Date(Number(epochEndsAt) * 1000).toISOString()}); ${active} active operators, quorum ${network.quorum}; next epoch ${activeNext}, quorum ${network.quorumNextEpoch}`,
      ]
      if (active === 0 || activeNext === 0) lines.push(`WARNING: ${active === 0 ? 'no operator is active: nothing can commit' : 'no operator will be active next epoch'} — the network is halted until operators stake (README, "Recovering from a halt")`)
      else if (activeNext < MIN_FAULT_TOLERANT_OPERATORS) lines.push(`WARNING: fewer than ${MIN_FAULT_TOLERANT_OPERATORS} active operators next epoch: one faulty operator can block or decide`)
      const address = cli.values.operator ? getAddress(cli.values.operator) : chain.wallet?.address
      let operator: Record<string, unknown> | undefined
      if (address) {
        const op = await staking.getOperator(address)
        const registered = op.signer !== '0x0000000000000000000000000000000000000000'
        const activeNow = await staking.isActive(address)
        const activeNextEpoch = registered ? await staking.isMemberAt(op.signer, epoch + 1n) : false
        const feesWei = await oracle.claimableWei(address)
        const payoutsWei = await governance.claimableWei(address)
        operator = {
          address,
          signer: registered ? op.signer : null,
          admitted: await staking.isAdmitted(address),
          stakeWei: op.stakeWei,
          minStakeWei: await staking.minStakeWei(),
          unbondingWei: op.unbondingWei,
          unbondReadyAt: op.unbondingWei > 0n ? op.unbondReadyAt : null,
          locks: await staking.locksOf(address),
          active: activeNow,
          activeNextEpoch,
          claimable: { feesWei, payoutsWei },
        }
        lines.push(
          `operator ${address}: ${activeNow ? 'active' : 'NOT active'}${activeNextEpoch === activeNow ? '' : activeNextEpoch ? ' (active from the next epoch)' : ' (leaves at the next epoch)'}; signer ${registered ? op.signer : 'none registered'}; ${operator.admitted ? 'admitted' : 'not admitted'}`,
          `  stake ${op.stakeWei} wei bonded (minimum ${String(operator.minStakeWei)}), ${op.unbondingWei} unbonding${op.unbondingWei > 0n ? `, withdrawable from ${new Date(Number(op.unbondReadyAt) * 1000).toISOString()}` : ''}${operator.locks ? `, locked by ${String(operator.locks)} open disputes` : ''}`,
          `  claimable: fees ${feesWei} wei, bonds and rewards ${payoutsWei} wei`,
        )
      }
      return { ok: true, result: { network, operator }, text: lines.join('\n') }
    },
  })
}

export const statusCommand: Command = { name: 'status', summary: 'network and operator state: stake, active, quorum, claimables', usage, run }
