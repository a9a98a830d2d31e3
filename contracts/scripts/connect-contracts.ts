/** The contracts of a deployment, connected to a runner (a wallet to send, a provider to read). */
import type { Contract, JsonRpcProvider, Wallet } from 'ethers'
import type { Deployment } from '@sibyl/protocol/deployment'
import { contractAt } from './contract-at.ts'
import { disputeGovernanceAbi } from '../generated/DisputeGovernance.ts'
import { linkTokenAbi } from '../generated/LinkToken.ts'
import { resolutionOracleAbi } from '../generated/ResolutionOracle.ts'
import { stakingAbi } from '../generated/Staking.ts'

export type LocalContracts = {
  token: Contract
  staking: Contract
  oracle: Contract
  governance: Contract
}

export function connectContracts(deployment: Deployment, runner: Wallet | JsonRpcProvider): LocalContracts {
  const c = deployment.contracts
  return {
    token: contractAt(linkTokenAbi, c.token, runner),
    staking: contractAt(stakingAbi, c.staking, runner),
    oracle: contractAt(resolutionOracleAbi, c.resolutionOracle, runner),
    governance: contractAt(disputeGovernanceAbi, c.disputeGovernance, runner),
  }
}
