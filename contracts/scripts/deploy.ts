/**
 * Deploys a whole Sibyl network (token if needed, Staking, ResolutionOracle, DisputeGovernance, feeds) and
 * wires the one-time links between them. Returns the address file content that `sibyl deploy` writes.
 */
import { getAddress, type BaseContract, type Signer } from 'ethers'
import { BaseError } from '@sibyl/protocol/errors'
import { feedIdOf } from '@sibyl/protocol/report'
import type { Deployment } from '@sibyl/protocol/deployment'
import {
  DisputeGovernance__factory,
  FeedAggregator__factory,
  LinkToken__factory,
  ResolutionOracle__factory,
  Staking__factory,
} from '../generated/typechain/index.ts'
import { describeContractError } from './decode-error.ts'
import { deployConfigSchema, type DeployConfig, type DeployConfigInput } from './deploy-config.ts'

export class DeployError extends BaseError {
  override name = 'DeployError' as const
}

export type DeployParameters = {
  /** The deployer; it owns the contracts until ownership is handed to governance. */
  signer: Signer
  config?: DeployConfigInput
}

export type DeployReturnType = Deployment

/** Waits for a factory's deployment; a failure names the contract and the custom error behind it. */
async function deployContract<C extends BaseContract>(name: string, deploying: () => Promise<C>): Promise<C> {
  try {
    const contract = await deploying()
    return await contract.waitForDeployment()
  } catch (cause) {
    throw new DeployError(`Deploying ${name} failed.`, { cause, details: describeContractError(cause) })
  }
}

const addressOf = async (contract: BaseContract): Promise<string> => getAddress(await contract.getAddress())

async function send(what: string, tx: Promise<{ wait: () => Promise<unknown> }>): Promise<void> {
  try {
    await (await tx).wait()
  } catch (cause) {
    throw new DeployError(`${what} failed.`, { cause, details: describeContractError(cause) })
  }
}

export async function deploySibyl({ signer, config: input = {} }: DeployParameters): Promise<DeployReturnType> {
  const config: DeployConfig = deployConfigSchema.parse(input)
  const provider = signer.provider
  if (!provider) throw new DeployError('The deploy signer has no provider.')
  const deployer = await signer.getAddress()
  const { chainId } = await provider.getNetwork()
  const deployedAtBlock = await provider.getBlockNumber()

  const token = config.token
    ? getAddress(config.token)
    : await addressOf(await deployContract('LinkToken', () => new LinkToken__factory(signer).deploy()))
  const stakingContract = await deployContract('Staking', () =>
    new Staking__factory(signer).deploy(token, config.minStakeWei, config.unbondingDelaySec, config.epochLengthSec),
  )
  const staking = await addressOf(stakingContract)
  const oracleContract = await deployContract('ResolutionOracle', () =>
    new ResolutionOracle__factory(signer).deploy(
      staking,
      token,
      config.disputeWindowSec,
      config.tooEarlyRetryDelaySec,
      config.minFeeWei,
      config.requestTimeoutSec,
      config.contestDissentMin,
      config.contestConfidenceBps,
      config.contestedWindowMultiplier,
    ),
  )
  const resolutionOracle = await addressOf(oracleContract)
  const council = config.council ?? [deployer]
  const threshold = config.councilThreshold ?? Math.floor(council.length / 2) + 1
  const disputeGovernance = await addressOf(
    await deployContract('DisputeGovernance', () =>
      new DisputeGovernance__factory(signer).deploy(
        token,
        staking,
        resolutionOracle,
        config.minBondWei,
        config.votingPeriodSec,
        config.feedDisputeWindowSec ?? config.disputeWindowSec,
        config.slashBps,
        config.disputerRewardBps,
        config.treasury ?? deployer,
        council,
        threshold,
      ),
    ),
  )
  await send('Staking.setSlasher', stakingContract.setSlasher(disputeGovernance))
  await send('ResolutionOracle.setGovernance', oracleContract.setGovernance(disputeGovernance))
  const feeds: Deployment['contracts']['feeds'] = []
  const governanceContract = DisputeGovernance__factory.connect(disputeGovernance, signer)
  for (const feed of config.feeds) {
    const address = await addressOf(
      await deployContract(`FeedAggregator ${feed.description}`, () =>
        new FeedAggregator__factory(signer).deploy(
          staking,
          feed.decimals,
          feed.description,
          feed.minAnswer,
          feed.maxAnswer,
          feed.maxObservationAgeSec,
        ),
      ),
    )
    // Its signed values can be accused in DisputeGovernance.
    await send(`DisputeGovernance.setFeed ${feed.description}`, governanceContract.setFeed(address, true))
    feeds.push({ description: feed.description, address, feedId: feedIdOf(feed.description), decimals: feed.decimals })
  }
  for (const operator of config.admittedOperators) {
    await send(`Staking.admit ${operator}`, stakingContract.admit(operator))
  }
  if (!config.token) {
    // The deployer may mint the local token to fund operators and requesters.
    await send('LinkToken.grantMintRole', LinkToken__factory.connect(token, signer).grantMintRole(deployer))
  }
  return {
    version: 1,
    chainId: chainId.toString(),
    deployedAtBlock,
    contracts: { token, staking, resolutionOracle, disputeGovernance, feeds },
  }
}

