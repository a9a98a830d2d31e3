/**
 * The forge setup: foundry.toml compiles with the same optimizer settings as the artifact build, and the
 * solc wrapper it points at answers forge's two questions (--version, --standard-json).
 */
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc'
import { solcSettings } from './solc-settings.ts'

const contractsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const wrapper = join(contractsDir, 'scripts', 'solc-wrapper.mjs')
const foundryToml = readFileSync(join(contractsDir, 'foundry.toml'), 'utf8')

/** One `key = value` of a foundry.toml section (flat keys only, which is all this file uses). */
function tomlValue(section: string, key: string): string | undefined {
  const start = foundryToml.indexOf(`[${section}]`)
  if (start < 0) return undefined
  const body = foundryToml.slice(start).split(/^\[/m)[1] ?? ''
  return new RegExp(`^${key}\\s*=\\s*"?([^"\\n]+?)"?\\s*$`, 'm').exec(body)?.[1]
}

test('foundry.toml uses the optimizer settings of the artifact build', (t) => {
  t.is(tomlValue('profile.default', 'optimizer'), String(solcSettings.optimizer.enabled))
  t.is(Number(tomlValue('profile.default', 'optimizer_runs')), solcSettings.optimizer.runs)
  t.is(tomlValue('profile.default', 'evm_version'), solcSettings.evmVersion)
  t.is(tomlValue('profile.default', 'offline'), 'true')
  t.is(tomlValue('profile.default', 'solc'), 'scripts/solc-wrapper.mjs')
  // The default profile skips via-IR for compile time (see foundry.toml); the `ir` profile is the exact
  // artifact build, for gas reports.
  t.is(tomlValue('profile.ir', 'via_ir'), String(solcSettings.viaIR))
})

test('the wrapper prints the solcjs version the way native solc does', (t) => {
  const out = execFileSync(process.execPath, [wrapper, '--version'], { encoding: 'utf8' })
  const lines = out.trim().split('\n')
  t.is(lines.at(-1), `Version: ${solc.version()}`)
})

test('the wrapper compiles standard JSON from stdin and resolves package imports itself', (t) => {
  const input = {
    language: 'Solidity',
    sources: {
      'Probe.sol': {
        content:
          'pragma solidity ^0.8.24;\nimport {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";\n' +
          'contract Probe { function f(IERC20 t) external view returns (uint256) { return t.totalSupply(); } }\n',
      },
    },
    settings: { ...solcSettings, outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
  }
  const out = execFileSync(process.execPath, [wrapper, '--standard-json', '--base-path', contractsDir], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  })
  const output = JSON.parse(out) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  t.deepEqual(errors.map((e) => e.formattedMessage), [])
  t.true((output.contracts?.['Probe.sol']?.['Probe']?.evm.bytecode.object.length ?? 0) > 0)
  t.truthy(output.contracts?.['@openzeppelin/contracts/token/ERC20/IERC20.sol'])
})

test('the wrapper refuses other command lines with a non-zero exit', (t) => {
  const error = t.throws(() => execFileSync(process.execPath, [wrapper, '--bin', 'x.sol'], { stdio: 'pipe' }))
  t.is((error as { status?: number }).status, 2)
})
