/**
 * Deploys contracts exactly as other projects publish them: Gnosis's ConditionalTokens and UMA's test clients,
 * from the build artifacts in their npm packages (bytecode unchanged), for the interop tests.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Contract, ContractFactory, type InterfaceAbi, type Signer } from 'ethers'

// The packages are the contracts workspace's (dev) dependencies: resolve them from there.
const requireFromContracts = createRequire(new URL('../../contracts/package.json', import.meta.url))

type Artifact = { abi: InterfaceAbi; bytecode: string }

function readArtifact(packagePath: string): Artifact {
  const parsed = JSON.parse(readFileSync(requireFromContracts.resolve(packagePath), 'utf8')) as { abi?: unknown; bytecode?: unknown }
  if (!Array.isArray(parsed.abi) || typeof parsed.bytecode !== 'string' || !/^0x[0-9a-fA-F]+$/.test(parsed.bytecode)) {
    throw new TypeError(`${packagePath} is not an artifact with an ABI and linked bytecode`)
  }
  return { abi: parsed.abi as InterfaceAbi, bytecode: parsed.bytecode }
}

async function deployArtifact(packagePath: string, signer: Signer, args: readonly unknown[]): Promise<Contract> {
  const { abi, bytecode } = readArtifact(packagePath)
  const deployed = await new ContractFactory(abi, bytecode, signer).deploy(...args)
  await deployed.waitForDeployment()
  return new Contract(await deployed.getAddress(), abi, signer)
}

/** Gnosis's ConditionalTokens (ERC-1155 positions; CTHelpers is internal, so nothing to link). */
export function deployConditionalTokens(signer: Signer): Promise<Contract> {
  return deployArtifact('@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json', signer, [])
}

const UMA_CORE = '@uma/contracts-node/dist/packages/core/artifacts/contracts'

/** UMA's OptimisticRequesterTest, a V2 client UMA wrote for its own tests, pointed at `optimisticOracle`. */
export function deployOptimisticRequesterTest(signer: Signer, optimisticOracle: string): Promise<Contract> {
  return deployArtifact(`${UMA_CORE}/optimistic-oracle-v2/test/OptimisticRequesterTest.sol/OptimisticRequesterTest.json`, signer, [optimisticOracle])
}
