/**
 * sibyl unbond --amount WEI|all: moves stake out of an operator's bond (Staking.requestUnbond). Prints when
 * the stake can be withdrawn (sibyl withdraw) and whether the operator stays active.
 */
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'

const usage = `Usage: sibyl unbond --amount WEI|all [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Requests to unbond stake of the operator whose key sends. Below the minimum stake the operator leaves the
active set at the next epoch. The stake stays slashable, and can be withdrawn (sibyl withdraw) once the
unbonding delay has passed after the end of the next epoch and no dispute naming the operator is open.
A new request restarts the delay for everything unbonding.

  --amount WEI|all      how much to unbond
${chainUsage}
${keyUsage('SIBYL_OPERATOR_KEY')}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { ...chainOptions, ...keyOptions, amount: { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const amount = cli.values.amount
  if (amount === undefined || !/^([0-9]+|all)$/.test(amount) || amount === '0') {
    io.stderr.write(`sibyl unbond: --amount must be a positive number of wei or all\n\n${usage}`)
    return 2
  }
  return runOnChain({
    name: 'unbond',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_OPERATOR_KEY',
    needKey: true,
    body: async (chain) => {
      const { staking } = chain.contracts
      const operator = chain.wallet!.address
      const before = await staking.getOperator(operator)
      const amountWei = amount === 'all' ? before.stakeWei : BigInt(amount)
      if (amountWei === 0n || amountWei > before.stakeWei) {
        return { ok: false, message: `${operator} has ${before.stakeWei} wei bonded; cannot unbond ${amountWei}`, result: { stakeWei: before.stakeWei } }
      }
      const receipt = await (await staking.requestUnbond(amountWei)).wait()
      const after = await staking.getOperator(operator)
      const minStakeWei = await staking.minStakeWei()
      const leaves = after.stakeWei < minStakeWei
      const readyAt = new Date(Number(after.unbondReadyAt) * 1000).toISOString()
      return {
        ok: true,
        result: { operator, unbondedWei: amountWei, stakeWei: after.stakeWei, unbondingWei: after.unbondingWei, unbondReadyAt: after.unbondReadyAt, leavesActiveSet: leaves, tx: receipt?.hash },
        text: `unbonding ${after.unbondingWei} wei of ${operator}, withdrawable from ${readyAt} (sibyl withdraw); bonded ${after.stakeWei} wei${leaves ? ', below the minimum: the operator leaves the active set at the next epoch' : ''}`,
      }
    },
  })
}

export const unbondCommand: Command = { name: 'unbond', summary: "move an operator's stake out of its bond", usage, run }
