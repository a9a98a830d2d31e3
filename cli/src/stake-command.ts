/**
 * sibyl stake [--rpc URL] [--deployment FILE] (--signer ADDRESS --proof HEX | --signer-key-env NAME) [--amount WEI] [--key-env NAME] [--mint-key-env NAME]
 * An operator registers its node's signing address and bonds stake, so the node's observations count.
 */
import { JsonRpcProvider, Wallet, getAddress, isAddress } from 'ethers'
import { readDeployment } from '@sibyl/protocol/deployment'
import { signSignerRegistration } from '@sibyl/protocol/eip712'
import { connectContracts } from '@sibyl/contracts/connect-contracts'
import { describeContractError } from '@sibyl/contracts/decode-error'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'

const usage = `Usage: sibyl stake [--rpc URL] [--deployment FILE] (--signer ADDRESS --proof HEX | --signer-key-env NAME)
                   [--amount WEI] [--key-env NAME] [--mint-key-env NAME]

Registers ADDRESS (the node's signing key, which never pays gas) as the signer of the operator whose key is
in the environment, and bonds stake in the deployment's token up to --amount (default: the minimum stake).
Staking accepts a signer only with its proof of possession: the signing key's EIP-712 signature of
SignerRegistration(operator, signer) under the Staking contract's domain. Give it with --proof (made where the
signing key lives), or let this command sign it with the key in --signer-key-env.
Safe to run again: what is already done is skipped. The token balance is checked before anything is sent:
on a local network, --mint-key-env mints the missing stake first (the deployer owns the token).

  --rpc URL             JSON-RPC endpoint of the chain (default: $SIBYL_RPC)
  --deployment FILE     the address file written by sibyl deploy (default: $SIBYL_DEPLOYMENT)
  --signer ADDRESS      the node's signing address (default: the address of the key in --signer-key-env)
  --proof HEX           the signing key's SignerRegistration signature (65 bytes, 0x-hex)
  --signer-key-env NAME environment variable holding the signing key, to sign the proof here
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
      proof: { type: 'string' },
      'signer-key-env': { type: 'string' },
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
  values.rpc ??= io.env.SIBYL_RPC
  values.deployment ??= io.env.SIBYL_DEPLOYMENT
  const signerKeyEarly = values['signer-key-env'] ? io.env[values['signer-key-env']] : undefined
  // The signing key, when given, names its own address.
  if (!values.signer && signerKeyEarly && key64.test(signerKeyEarly)) values.signer = new Wallet(signerKeyEarly).address
  if (!values.rpc || !values.deployment || !values.signer) return fail(`--rpc (or SIBYL_RPC), --deployment (or SIBYL_DEPLOYMENT) and --signer (or --signer-key-env) are required\n\n${usage}`)
  if (!isAddress(values.signer)) return fail(`--signer ${values.signer} is not an address`)
  if (values.amount !== undefined && !/^[0-9]+$/.test(values.amount)) return fail('--amount must be an integer number of wei')
  if (values.proof !== undefined && !/^0x[0-9a-fA-F]{130}$/.test(values.proof)) return fail('--proof must be a 65-byte signature in 0x-hex')
  if (values.proof !== undefined && values['signer-key-env'] !== undefined) return fail('give --proof or --signer-key-env, not both')
  const signerKey = values['signer-key-env'] ? io.env[values['signer-key-env']] : undefined
  if (values['signer-key-env'] && (!signerKey || !key64.test(signerKey))) return fail(`${values['signer-key-env']} must hold the signing key (64 hex digits)`)
  if (signerKey && getAddress(new Wallet(signerKey).address) !== getAddress(values.signer)) return fail(`the key in ${values['signer-key-env']} is not the key of --signer ${values.signer}`)
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
    const missingWei = targetWei > stakeWei ? targetWei - stakeWei : 0n
    // Everything that can fail is checked before the first transaction: a run that stops half-way (signer
    // registered, nothing staked) leaves the operator registered but inactive.
    if (missingWei > 0n && !mintKey) {
      const balanceWei = await c.token.balanceOf(operator.address)
      if (balanceWei < missingWei) {
        io.stderr.write(
          `sibyl stake: ${operator.address} holds ${balanceWei} wei of the token (${deployment.contracts.token}) and needs ${missingWei} more to stake; nothing was sent. On a local network give --mint-key-env with the token owner's key.\n`,
        )
        return EXIT_FAILED
      }
    }
    const steps: string[] = []
    if (getAddress(currentSigner) !== signer) {
      const proof =
        values.proof ??
        (signerKey
          ? await signSignerRegistration({ signer: new Wallet(signerKey), operator: operator.address, chainId: BigInt(deployment.chainId), stakingAddress: deployment.contracts.staking })
          : undefined)
      if (!proof) {
        io.stderr.write(`sibyl stake: registering ${signer} needs its proof of possession: --proof HEX or --signer-key-env NAME\n`)
        return EXIT_USAGE
      }
      await (await c.staking.registerSigner(signer, proof)).wait()
      steps.push('registered')
    }
    if (missingWei > 0n) {
      if (mintKey) {
        const owner = connectContracts(deployment, new Wallet(mintKey, provider))
        await (await owner.token.mint(operator.address, missingWei)).wait()
        steps.push('minted')
      }
      if ((await c.token.allowance(operator.address, deployment.contracts.staking)) < missingWei) {
        await (await c.token.approve(deployment.contracts.staking, missingWei)).wait()
        steps.push('approved')
      }
      await (await c.staking.stake(missingWei)).wait()
      steps.push('staked')
    }
    const active = await c.staking.isActive(operator.address)
    const admitted = await c.staking.isAdmitted(operator.address)
    const activeNextEpoch = await c.staking.isMemberAt(signer, (await c.staking.currentEpoch()) + 1n)
    io.stdout.write(`${JSON.stringify({ event: 'stake', operator: operator.address, signer, stakeWei: (stakeWei + missingWei).toString(), active, activeNextEpoch, admitted, steps })}\n`)
    if (!admitted) io.stderr.write(`sibyl stake: ${operator.address} is not admitted to the operator set yet: its node counts once governance admits it (Staking.admit)\n`)
    return EXIT_OK
  } catch (error) {
    io.stderr.write(`sibyl stake: ${describeContractError(error)}\n`)
    return EXIT_FAILED
  } finally {
    provider.destroy()
  }
}

export const stakeCommand: Command = { name: 'stake', summary: "register a node's signer and bond stake", usage, run }
