#!/usr/bin/env node
/**
 * A `solc` executable for forge, backed by solcjs (the npm `solc` package), so `forge test` runs offline:
 * foundry.toml points `solc` here instead of letting forge download a native binary.
 *
 * Speaks the two parts of the solc command line that forge uses:
 *   --version          prints the solcjs version in solc's own format; forge reads the last line.
 *   --standard-json    reads Standard JSON from stdin, writes the output JSON to stdout.
 * Forge puts every source's content into the input itself; the import callback is a fallback that reads
 * package imports (@openzeppelin/..., @chainlink/..., forge-std/...) from node_modules and other paths from
 * the base path. Other flags forge adds (--base-path, --include-path, --allow-paths) are accepted.
 *
 * Plain JavaScript on purpose: forge may start it many times, and node starts faster without a loader.
 * The optimizer settings come from foundry.toml, which mirrors scripts/solc-settings.ts.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const contractsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(contractsDir, 'package.json'))
const solc = require('solc')

/** Remapping prefixes forge may leave in import paths, and the package each one lives in. */
const packagePrefixes = [
  ['@openzeppelin/contracts/', '@openzeppelin/contracts'],
  ['@chainlink/contracts/', '@chainlink/contracts'],
  ['forge-std/', 'forge-std'],
]

function optionValues(args, name) {
  const values = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) values.push(args[++i])
    else if (args[i].startsWith(`${name}=`)) values.push(args[i].slice(name.length + 1))
  }
  return values
}

function packageFile(path) {
  for (const [prefix, pkg] of packagePrefixes) {
    if (!path.startsWith(prefix)) continue
    const root = dirname(require.resolve(`${pkg}/package.json`))
    return join(root, path.slice(prefix.length))
  }
  return undefined
}

function makeImportCallback(searchDirs) {
  return (path) => {
    const candidates = []
    const fromPackage = packageFile(path)
    if (fromPackage) candidates.push(fromPackage)
    if (isAbsolute(path)) candidates.push(path)
    else for (const dir of searchDirs) candidates.push(join(dir, path))
    for (const file of candidates) {
      try {
        return { contents: readFileSync(file, 'utf8') }
      } catch {
        // try the next place
      }
    }
    return { error: `solc-wrapper: file not found: ${path}` }
  }
}

function printVersion() {
  // The format of native solc; forge parses "Version: <semver>" on the last line.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`)
}

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function compileStandardJson(args) {
  const input = await readStdin()
  const searchDirs = [
    ...optionValues(args, '--base-path'),
    ...optionValues(args, '--include-path'),
    process.cwd(),
    contractsDir,
  ]
  const output = solc.compile(input, { import: makeImportCallback(searchDirs) })
  process.stdout.write(output)
}

async function main() {
  const args = process.argv.slice(2)
  if (args.includes('--version') || args.includes('-v')) {
    printVersion()
    return
  }
  if (args.includes('--standard-json')) {
    await compileStandardJson(args)
    return
  }
  process.stderr.write(`solc-wrapper: only --version and --standard-json are supported (got: ${args.join(' ')})\n`)
  process.exitCode = 2
}

main().catch((error) => {
  process.stderr.write(`solc-wrapper: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
