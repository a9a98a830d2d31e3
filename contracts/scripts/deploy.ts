/**
 * Deploys a whole Sibyl network (token if needed, Staking, ResolutionOracle, DisputeGovernance, feeds) and
 * wires the one-time links between them. Returns the address file content that `sibyl deploy` writes.
 */
import { ContractFactory, getAddress, type Signer } from 'ethers'
import { BaseError } from '@sibyl/protocol/errors'
import { feedIdOf } from '@sibyl/protocol/report'
import type { Deployment } from '@sibyl/protocol/deployment'
import { contractAt } from './contract-at.ts'
import { describeContractError } from './decode-error.ts'
import { deployConfigSchema, type DeployConfig, type DeployConfigInput } from './deploy-config.ts'
import { linkTokenAbi, linkTokenBytecode } from '../generated/LinkToken.ts'
import { stakingAbi, stakingBytecode } from '../generated/Staking.ts'
import { resolutionOracleAbi, resolutionOracleBytecode } from '../generated/ResolutionOracle.ts'
import { disputeGovernanceAbi, disputeGovernanceBytecode } from '../generated/DisputeGovernance.ts'
import { feedAggregatorAbi, feedAggregatorBytecode } from '../generated/FeedAggregator.ts'

export class DeployError extends BaseError {
  override name = 'DeployError' as const
}

export type DeployParameters = {
  /** The deployer; it owns the contracts until ownership is handed to governance. */
  signer: Signer
  config?: DeployConfigInput
}

export type DeployReturnType = Deployment

async function deployContract(
  signer: Signer,
  name: string,
  abi: ConstructorParameters<typeof ContractFactory>[0],
  bytecode: string,
  args: unknown[],
): Promise<string> {
  try {
    const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args)
    await contract.waitForDeployment()
    return getAddress(await contract.getAddress())
  } catch (cause) {
    throw new DeployError(`Deploying ${name} failed.`, { cause, details: describeContractError(cause) })
  }
}

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
    : await deployContract(signer, 'LinkToken', linkTokenAbi, linkTokenBytecode, [])
  const staking = await deployContract(signer, 'Staking', stakingAbi, stakingBytecode, [
    token,
    config.minStakeWei,
    config.unbondingDelaySec,
  ])
  const resolutionOracle = await deployContract(signer, 'ResolutionOracle', resolutionOracleAbi, resolutionOracleBytecode, [
    staking,
    token,
    config.disputeWindowSec,
    config.tooEarlyRetryDelaySec,
    config.minFeeWei,
  ])
  const council = config.council ?? [deployer]
  const threshold = config.councilThreshold ?? Math.floor(council.length / 2) + 1
  const disputeGovernance = await deployContract(signer, 'DisputeGovernance', disputeGovernanceAbi, disputeGovernanceBytecode, [
    token,
    staking,
    resolutionOracle,
    config.minBondWei,
    config.votingPeriodSec,
    config.slashBps,
    config.disputerRewardBps,
    config.treasury ?? deployer,
    council,
    threshold,
  ])
  await send('Staking.setSlasher', contractAt(stakingAbi, staking, signer).getFunction('setSlasher')(disputeGovernance))
  await send(
    'ResolutionOracle.setGovernance',
    contractAt(resolutionOracleAbi, resolutionOracle, signer).getFunction('setGovernance')(disputeGovernance),
  )
  const feeds: Deployment['contracts']['feeds'] = []
  for (const feed of config.feeds) {
    const address = await deployContract(signer, `FeedAggregator ${feed.description}`, feedAggregatorAbi, feedAggregatorBytecode, [
      staking,
      feed.decimals,
      feed.description,
      feed.minAnswer,
      feed.maxAnswer,
    ])
    feeds.push({ description: feed.description, address, feedId: feedIdOf(feed.description), decimals: feed.decimals })
  }
  if (!config.token) {
    // The deployer may mint the local token to fund operators and requesters.
    await send('LinkToken.grantMintRole', contractAt(linkTokenAbi, token, signer).getFunction('grantMintRole')(deployer))
  }
  return {
    version: 1,
    chainId: chainId.toString(),
    deployedAtBlock,
    contracts: { token, staking, resolutionOracle, disputeGovernance, feeds },
  }
}

