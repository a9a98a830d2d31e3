/** A service's signing or sending key, from an environment variable or an encrypted JSON keystore. Never logged. */
import { readFileSync } from 'node:fs'
import { Wallet } from 'ethers'
import type { z } from 'zod'
import { ConfigError, type keySourceSchema } from './config-parts.ts'

export type KeySource = z.infer<typeof keySourceSchema>

export async function loadSigner(key: KeySource, env: Record<string, string | undefined>): Promise<Wallet> {
  if (key.source === 'env') {
    const value = env[key.env]
    if (!value || !/^(0x)?[0-9a-fA-F]{64}$/.test(value)) {
      throw new ConfigError(`key: environment variable ${key.env} must hold a private key (64 hex digits).`)
    }
    return new Wallet(value.startsWith('0x') ? value : `0x${value}`)
  }
  const password = env[key.passwordEnv]
  if (password === undefined) throw new ConfigError(`key: environment variable ${key.passwordEnv} (keystore password) is not set.`)
  let json: string
  try {
    json = readFileSync(key.path, 'utf8')
  } catch (cause) {
    throw new ConfigError(`key: cannot read the keystore ${key.path}.`, { cause })
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, password)
    return new Wallet(wallet.privateKey)
  } catch (cause) {
    throw new ConfigError(`key: cannot decrypt the keystore ${key.path} (wrong password or not a keystore).`, { cause })
  }
}
