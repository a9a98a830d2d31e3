/**
 * A whole Sibyl network on a local anvil: deployed contracts and n staked, registered operators with
 * their signing keys. Used by the tests, the benchmarks and the demo; never by a production node.
 *
 * Several networks may start at once on one machine (two demos, parallel test files), each on a free port.
 * A port is free only until someone binds it: an anvil that lost its port to another network's exits at once
 * ("Address already in use"), and its start-up probe may even have been answered by the other network's anvil.
 * So an anvil counts as started only if it is still running a moment after it answered, and one that lost its
 * port is started again on a new one (ANVIL_PORT_ATTEMPTS in all), unless the caller asked for that port.
 */
import { JsonRpcProvider, Wallet, keccak256, toBeHex, toUtf8Bytes } from 'ethers'
import type { Deployment } from '@sibyl/protocol/deployment'
import { BaseError } from '@sibyl/protocol/errors'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import { AnvilStartError, startAnvil, type Anvil, type StartAnvilParameters } from '@sibyl/contracts/anvil'
import { connectContracts, type LocalContracts } from '@sibyl/contracts/connect-contracts'
import { deploySibyl } from '@sibyl/contracts/deploy'
import { registerSigner } from '@sibyl/contracts/requests'
import type { DeployConfigInput } from '@sibyl/contracts/deploy-config'

export class LocalNetworkError extends BaseError {
  override name = 'LocalNetworkError' as const
}

/** Tries at a free port before giving up. */
export const ANVIL_PORT_ATTEMPTS = 5
/** An anvil that lost its port exits within milliseconds; one still running after this long holds the port itself. */
const ANVIL_SETTLE_MS = 250

/** Anvil's first default account. Public knowledge: local networks only. */
export const ANVIL_DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

export type LocalOperator = {
  index: number
  /** Holds the stake and pays gas. */
  operator: Wallet
  /** The node's signing key, registered in Staking. */
  signer: Wallet
}

/** Deterministic local keys, so a test or demo run is repeatable. */
export function localWallet(label: string, index: number, provider?: JsonRpcProvider): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`sibyl local ${label} ${index}`)), provider)
}

export function connectProvider(rpcUrl: string, chainId: number): JsonRpcProvider {
  const provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, cacheTimeout: -1 })
  provider.pollingInterval = 50
  return provider
}

export async function setBalance(provider: JsonRpcProvider, address: string, wei: bigint): Promise<void> {
  await provider.send('anvil_setBalance', [address, toBeHex(wei)])
}

/** Moves the chain's clock forward and mines a block, so time-based checks see it. */
export async function increaseTime(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send('evm_increaseTime', [seconds])
  await provider.send('evm_mine', [])
}

export async function latestTimestamp(provider: JsonRpcProvider): Promise<number> {
  const block = await provider.getBlock('latest')
  if (!block) throw new LocalNetworkError('No latest block.')
  return block.timestamp
}

export type AddOperatorsParameters = {
  provider: JsonRpcProvider
  deployer: Wallet
  deployment: Deployment
  count: number
  /** Index of the first operator (for adding more later). */
  firstIndex?: number
  stakeWei?: bigint
}

/**
 * Funds, registers (with the signing key's proof), admits (the deployer owns Staking) and stakes `count`
 * operators, then moves the chain's clock to the next Staking epoch, where they are members.
 */
export async function addOperators(parameters: AddOperatorsParameters): Promise<LocalOperator[]> {
  const { provider, deployer, deployment, count } = parameters
  const first = parameters.firstIndex ?? 0
  const { token, staking } = connectContracts(deployment, deployer)
  const stakeWei = parameters.stakeWei ?? (await staking.getFunction('minStakeWei')())
  const operators: LocalOperator[] = []
  for (let i = first; i < first + count; i++) {
    const operator = localWallet('operator', i, provider)
    const signer = localWallet('signer', i, provider)
    await setBalance(provider, operator.address, 10n ** 20n)
    await (await token.getFunction('mint')(operator.address, stakeWei)).wait()
    const asOperator = connectContracts(deployment, operator)
    await (await asOperator.token.getFunction('approve')(deployment.contracts.staking, stakeWei)).wait()
    await registerSigner(asOperator.staking, operator, signer)
    await (await staking.getFunction('admit')(operator.address)).wait()
    await (await asOperator.staking.getFunction('stake')(stakeWei)).wait()
    operators.push({ index: i, operator, signer })
  }
  await startNextEpoch(provider, deployment)
  return operators
}

/** Moves the chain's clock to the start of the next Staking epoch (joins and leaves take effect there). */
export async function startNextEpoch(provider: JsonRpcProvider, deployment: Deployment): Promise<void> {
  const { staking } = connectContracts(deployment, provider)
  const next = await staking.epochStartsAt((await staking.currentEpoch()) + 1n)
  const now = BigInt(await latestTimestamp(provider))
  if (next > now) await increaseTime(provider, Number(next - now))
}

export type LocalNetwork = {
  anvil: Anvil
  provider: JsonRpcProvider
  deployer: Wallet
  deployment: Deployment
  contracts: LocalContracts
  operators: LocalOperator[]
  stop: () => Promise<void>
}

export type StartLocalNetworkParameters = {
  operators?: number
  config?: DeployConfigInput
  anvil?: StartAnvilParameters
}

/** startAnvil, made safe for several networks starting at once (see the top of this file). */
export async function startOwnAnvil(parameters: StartAnvilParameters = {}): Promise<Anvil> {
  const portChosen = parameters.port !== undefined
  for (let attempt = 1; ; attempt++) {
    let anvil: Anvil
    try {
      anvil = await startAnvil(parameters)
    } catch (error) {
      const portTaken = error instanceof AnvilStartError && /address already in use/i.test(error.details ?? '')
      if (!portTaken || portChosen || attempt >= ANVIL_PORT_ATTEMPTS) throw error
      continue
    }
    await sleepUnlessAborted(ANVIL_SETTLE_MS)
    if (anvil.process.exitCode === null && anvil.process.signalCode === null) return anvil
    if (portChosen || attempt >= ANVIL_PORT_ATTEMPTS) {
      throw new LocalNetworkError(`anvil exited right after answering on ${anvil.rpcUrl}: another process holds the port.`)
    }
  }
}

export async function startLocalNetwork(parameters: StartLocalNetworkParameters = {}): Promise<LocalNetwork> {
  const anvil = await startOwnAnvil(parameters.anvil)
  try {
    const provider = connectProvider(anvil.rpcUrl, anvil.chainId)
    const deployer = new Wallet(ANVIL_DEPLOYER_KEY, provider)
    const deployment = await deploySibyl({ signer: deployer, config: parameters.config ?? {} })
    const operators = await addOperators({ provider, deployer, deployment, count: parameters.operators ?? 4 })
    return {
      anvil,
      provider,
      deployer,
      deployment,
      contracts: connectContracts(deployment, deployer),
      operators,
      stop: async () => {
        provider.destroy()
        await anvil.stop()
      },
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}
