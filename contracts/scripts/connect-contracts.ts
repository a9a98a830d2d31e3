/** The contracts of a deployment, typed and connected to a runner (a wallet to send, a provider to read). */
import type { ContractRunner } from 'ethers'
import type { Deployment } from '@sibyl/protocol/deployment'
import {
  DisputeGovernance__factory,
  LinkToken__factory,
  ResolutionOracle__factory,
  Staking__factory,
  type DisputeGovernance,
  type LinkToken,
  type ResolutionOracle,
  type Staking,
} from '../generated/typechain/index.ts'

export type LocalContracts = {
  token: LinkToken
  staking: Staking
  oracle: ResolutionOracle
  governance: DisputeGovernance
}

export function connectContracts(deployment: Deployment, runner: ContractRunner): LocalContracts {
  const c = deployment.contracts
  return {
    token: LinkToken__factory.connect(c.token, runner),
    staking: Staking__factory.connect(c.staking, runner),
    oracle: ResolutionOracle__factory.connect(c.resolutionOracle, runner),
    governance: DisputeGovernance__factory.connect(c.disputeGovernance, runner),
  }
}
