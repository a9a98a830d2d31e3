import { AbiCoder, keccak256 } from 'ethers'

/**
 * The evidence hash of an observation: keccak256(abi.encode(bytes32[])) over the per-source keccak256 hashes
 * in spec order, zero for a source that failed. A disputer who fetches the same bytes can recompute it.
 */
export function combineEvidence(perSource: readonly string[]): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32[]'], [perSource]))
}
