/**
 * sibyl stake --rpc URL --deployment FILE --signer ADDRESS [--amount WEI] [--key-env NAME] [--mint-key-env NAME]
 * An operator registers its node's signing address and bonds stake, so the node's observations count.
 */
import { JsonRpcProvider, Wallet, getAddress, isAddress } from 'ethers'
import { readDeployment } from '@sibyl/protocol/deployment'
import { connectContracts } from '@sibyl/contracts/connect-contracts'
import { describeContractError } from '@sibyl/contracts/decode-error'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'

const usage = `Usage: sibyl stake --rpc URL --deployment FILE --signer ADDRESS [--amount WEI] [--key-env NAME] [--mint-key-env NAME]

Registers ADDRESS (the node's signing key, which never pays gas) as the signer of the operator whose key is
in the environment, and bonds stake in the deployment's token up to --amount (default: the minimum stake).
Safe to run again: what is already done is skipped.

  --rpc URL             JSON-RPC endpoint of the chain
  --deployment FILE     the address file written by sibyl deploy
  --signer ADDRESS      the node's signing address
  --amount WEI          bonded stake to reach (default: Staking.minStakeWei)
  --key-env NAME        environment variable holding the operator's private key (default SIBYL_OPERATOR_KEY)
  --mint-key-env NAME   local networks only: the token owner's key, to mint the stake to the operator first
`

const key64 = /^(0x)?[0-9a-fA-F]{64}$/

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(
    args,
    {
      rpc: { type: 'string' },
      deployment: { type: 'string' },
      signer: { type: 'string' },
      amount: { type: 'string' },
      'key-env': { type: 'string', default: 'SIBYL_OPERATOR_KEY' },
      'mint-key-env': { type: 'string' },
    },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  const fail = (message: string) => {
    io.stderr.write(`sibyl stake: ${message}\n`)
    return EXIT_USAGE
  }
  if (!values.rpc || !values.deployment || !values.signer) return fail(`--rpc, --deployment and --signer are required\n\n${usage}`)
  if (!isAddress(values.signer)) return fail(`--signer ${values.signer} is not an address`)
  if (values.amount !== undefined && !/^[0-9]+$/.test(values.amount)) return fail('--amount must be an integer number of wei')
  const keyEnv = values['key-env'] ?? 'SIBYL_OPERATOR_KEY'
  const key = io.env[keyEnv]
  if (!key || !key64.test(key)) return fail(`${keyEnv} must hold the operator's private key (64 hex digits)`)
  const mintKey = values['mint-key-env'] ? io.env[values['mint-key-env']] : undefined
  if (values['mint-key-env'] && (!mintKey || !key64.test(mintKey))) return fail(`${values['mint-key-env']} must hold the token owner's private key`)
  let deployment
  try {
    deployment = readDeployment(values.deployment)
  } catch (error) {
    return fail((error as Error).message)
  }

  const provider = new JsonRpcProvider(values.rpc, Number(deployment.chainId), { staticNetwork: true, cacheTimeout: -1 })
  provider.pollingInterval = 200
  try {
    const operator = new Wallet(key, provider)
    const signer = getAddress(values.signer)
    const c = connectContracts(deployment, operator)
    const minStakeWei = await c.staking.minStakeWei()
    const targetWei = values.amount !== undefined ? BigInt(values.amount) : minStakeWei
    const { signer: currentSigner, stakeWei } = await c.staking.getOperator(operator.address)
    const steps: string[] = []
    if (getAddress(currentSigner) !== signer) {
      await (await c.staking.registerSigner(signer)).wait()
      steps.push('registered')
    }
    const missingWei = targetWei > stakeWei ? targetWei - stakeWei : 0n
    if (missingWei > 0n) {
      if (mintKey) {
        const owner = connectContracts(deployment, new Wallet(mintKey, provider))
        await (await owner.token.mint(operator.address, missingWei)).wait()
        steps.push('minted')
      }
      await (await c.token.approve(deployment.contracts.staking, missingWei)).wait()
      await (await c.staking.stake(missingWei)).wait()
      steps.push('staked')
    }
    const active = await c.staking.isActive(operator.address)
    io.stdout.write(`${JSON.stringify({ event: 'stake', operator: operator.address, signer, stakeWei: (stakeWei + missingWei).toString(), active, steps })}\n`)
    return EXIT_OK
  } catch (error) {
    io.stderr.write(`sibyl stake: ${describeContractError(error)}\n`)
    return EXIT_FAILED
  } finally {
    provider.destroy()
  }
}

export const stakeCommand: Command = { name: 'stake', summary: "register a node's signer and bond stake", usage, run }
