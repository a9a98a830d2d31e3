import { Contract, type ContractRunner, type InterfaceAbi } from 'ethers'

/**
 * An untyped ethers Contract for a generated ABI. Superseded by the TypeChain bindings
 * (`X__factory.connect(address, runner)` from `@sibyl/contracts/typechain`); kept only while test/aggregator.test.ts
 * still imports it. Delete it with that last import.
 */
export function contractAt(abi: InterfaceAbi | readonly unknown[], address: string, runner: ContractRunner): Contract {
  return new Contract(address, abi as InterfaceAbi, runner)
}
