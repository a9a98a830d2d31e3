/**
 * sibyl withdraw: pays out an operator's unbonded stake once its delay has passed (Staking.withdraw).
 * Fee shares and dispute payouts are claimed with sibyl claim.
 */
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'

const usage = `Usage: sibyl withdraw [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Withdraws the operator's unbonding stake (sibyl unbond) once its ready time has passed and no dispute naming
the operator is open; otherwise sends nothing and says when it will be ready or what holds it.

${chainUsage}
${keyUsage('SIBYL_OPERATOR_KEY')}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { ...chainOptions, ...keyOptions }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  return runOnChain({
    name: 'withdraw',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_OPERATOR_KEY',
    needKey: true,
    body: async (chain) => {
      const { staking } = chain.contracts
      const operator = chain.wallet!.address
      const op = await staking.getOperator(operator)
      if (op.unbondingWei === 0n) return { ok: false, message: `${operator} has nothing unbonding (sibyl unbond first)` }
      const now = BigInt((await chain.provider.getBlock('latest'))?.timestamp ?? 0)
      const readyAt = new Date(Number(op.unbondReadyAt) * 1000).toISOString()
      if (now < op.unbondReadyAt) {
        return { ok: false, message: `${op.unbondingWei} wei unbonding, withdrawable from ${readyAt} (${op.unbondReadyAt - now} s from the chain's clock)`, result: { unbondingWei: op.unbondingWei, unbondReadyAt: op.unbondReadyAt } }
      }
      const locks = await staking.locksOf(operator)
      if (locks > 0n) return { ok: false, message: `${locks} open disputes name ${operator}: its stake is locked until they are executed`, result: { locks } }
      const receipt = await (await staking.withdraw()).wait()
      return {
        ok: true,
        result: { operator, withdrawnWei: op.unbondingWei, tx: receipt?.hash },
        text: `withdrew ${op.unbondingWei} wei of unbonded stake to ${operator}`,
      }
    },
  })
}

export const withdrawCommand: Command = { name: 'withdraw', summary: "withdraw an operator's unbonded stake", usage, run }
