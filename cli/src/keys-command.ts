/**
 * sibyl keys new (--keystore FILE | --key-file FILE): makes a new key and stores it without ever printing
 * it: an encrypted JSON keystore (what a node's `key: { source: keystore }` and every command's --keystore
 * read), or a bare hex key file readable by its owner only (for an environment variable). Prints the address.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { Wallet } from 'ethers'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { toJson } from './chain/run-on-chain.ts'

const usage = `Usage: sibyl keys new (--keystore FILE [--password-env NAME] | --key-file FILE) [--json]

Makes a new private key and writes it, never to the terminal:
  --keystore FILE       an encrypted JSON keystore (scrypt); the password is read from --password-env
  --password-env NAME   environment variable holding the keystore's password (default SIBYL_KEYSTORE_PASSWORD, 8+ characters)
  --key-file FILE       the bare key in hex, mode 0600: export SIBYL_OPERATOR_KEY=$(cat FILE)
  --json                print one JSON object instead of text
Prints the new address. Refuses to overwrite an existing file. An operator needs two keys: one that holds the
stake (sibyl stake --key-env) and the node's signing key (its address is sibyl stake --signer).
`

const MIN_PASSWORD_CHARS = 8

async function run(args: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args
  if (sub === '--help' || sub === '-h' || (sub === 'new' && (rest.includes('--help') || rest.includes('-h')))) {
    io.stdout.write(usage)
    return EXIT_OK
  }
  if (sub !== 'new') {
    io.stderr.write(`sibyl keys: expected \`sibyl keys new\`\n\n${usage}`)
    return EXIT_USAGE
  }
  const cli = parseCommandArgs(rest, { keystore: { type: 'string' }, 'password-env': { type: 'string' }, 'key-file': { type: 'string' }, json: { type: 'boolean' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  const fail = (message: string, code = EXIT_USAGE) => {
    io.stderr.write(`sibyl keys: ${message}\n`)
    return code
  }
  const out = values.keystore ?? values['key-file']
  if (out === undefined || (values.keystore !== undefined && values['key-file'] !== undefined)) return fail(`give one of --keystore FILE or --key-file FILE\n\n${usage}`)
  if (existsSync(out)) return fail(`${out} exists: not overwriting a key`)
  const passwordEnv = values['password-env'] ?? 'SIBYL_KEYSTORE_PASSWORD'
  const password = io.env[passwordEnv]
  if (values.keystore !== undefined && (password === undefined || password.length < MIN_PASSWORD_CHARS)) {
    return fail(`${passwordEnv} must hold the keystore's password (at least ${MIN_PASSWORD_CHARS} characters)`)
  }
  const wallet = Wallet.createRandom()
  try {
    mkdirSync(dirname(out), { recursive: true })
    const contents = values.keystore !== undefined ? await wallet.encrypt(password!) : `${wallet.privateKey}\n`
    // 'wx': fails rather than replace a file created since the check above.
    writeFileSync(out, contents, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    return fail(`cannot write ${out}: ${(error as Error).message}`, EXIT_FAILED)
  }
  const kind = values.keystore !== undefined ? 'keystore' : 'key-file'
  io.stdout.write(values.json ? `${toJson({ ok: true, command: 'keys new', address: wallet.address, kind, file: out })}\n` : `${wallet.address}\n  written to ${out} (${kind === 'keystore' ? `encrypted with the password in ${passwordEnv}` : 'bare key, mode 0600'})\n`)
  return EXIT_OK
}

export const keysCommand: Command = { name: 'keys', summary: 'make a key: an encrypted keystore or a key file (keys new)', usage, run }
