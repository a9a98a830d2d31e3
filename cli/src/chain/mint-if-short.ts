/**
 * Local networks only: tops an account's token balance up to `amountWei` with the token owner's key (the
 * deployer owns the LinkToken a local deployment makes), so a guide can be followed on a fresh chain. On a
 * real network the owner's key is not at hand and the option is simply not given.
 */
import { Wallet } from 'ethers'
import { connectContracts } from '@sibyl/contracts/connect-contracts'
import type { Chain } from './open-chain.ts'

const KEY = /^(0x)?[0-9a-fA-F]{64}$/

/** The owner's key from the environment variable `envName`, or a message saying what is wrong. */
export function readMintKey(envName: string | undefined, env: Record<string, string | undefined>): { ok: true; key: string | undefined } | { ok: false; message: string } {
  if (envName === undefined) return { ok: true, key: undefined }
  const key = env[envName]
  return key && KEY.test(key) ? { ok: true, key } : { ok: false, message: `${envName} must hold the token owner's private key (64 hex digits)` }
}

/** Mints the shortfall; returns whether it minted. */
export async function mintIfShort(chain: Chain, mintKey: string, to: string, amountWei: bigint): Promise<boolean> {
  const balanceWei = await chain.contracts.token.balanceOf(to)
  if (balanceWei >= amountWei) return false
  const owner = connectContracts(chain.deployment, new Wallet(mintKey, chain.provider))
  await (await owner.token.mint(to, amountWei - balanceWei)).wait()
  return true
}
