import { Contract, type ContractRunner, type InterfaceAbi } from 'ethers'

/** An ethers Contract for a generated ABI. Methods are untyped in ethers v6; the ABI still decodes errors. */
export function contractAt(abi: InterfaceAbi | readonly unknown[], address: string, runner: ContractRunner): Contract {
  return new Contract(address, abi as InterfaceAbi, runner)
}
