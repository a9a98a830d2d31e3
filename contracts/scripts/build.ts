/**
 * Compiles every contract with solcjs (the npm `solc` package) into artifacts/ (ABI + bytecode JSON),
 * generated/ (ABI modules as `const`s) and generated/typechain/ (typed ethers v6 bindings and factories, made
 * by TypeChain from the artifacts: typed methods, structs and events, no casts). Deterministic: the same
 * sources give the same bytes, and an unchanged input is not compiled again.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, existsSync, renameSync, writeFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc'
import { runTypeChain } from 'typechain'
import { solcSettings } from './solc-settings.ts'

const contractsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(contractsDir, 'package.json'))

/** Contracts from packages that deployments need as they are. */
const packageSources = ['@chainlink/contracts/src/v0.8/shared/token/ERC677/LinkToken.sol']

function listSolidity(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return listSolidity(path)
    return entry.name.endsWith('.sol') && !entry.name.endsWith('.t.sol') ? [path] : []
  })
}

function resolvePackageSource(path: string): string {
  const [scope, name, ...rest] = path.split('/')
  const pkgJson = require.resolve(`${scope}/${name}/package.json`)
  return join(dirname(pkgJson), ...rest)
}

function readImport(path: string): { contents: string } | { error: string } {
  try {
    const file = path.startsWith('@') ? resolvePackageSource(path) : join(contractsDir, path)
    return { contents: readFileSync(file, 'utf8') }
  } catch (error) {
    return { error: `cannot read ${path}: ${(error as Error).message}` }
  }
}

function abiConstName(contractName: string): string {
  return contractName.charAt(0).toLowerCase() + contractName.slice(1)
}

export async function buildContracts(options: { force?: boolean } = {}): Promise<{ compiled: boolean; contracts: string[] }> {
  const localFiles = [...listSolidity(join(contractsDir, 'src')), ...listSolidity(join(contractsDir, 'test', 'fixtures'))]
  const sources: Record<string, { content: string }> = {}
  for (const file of localFiles.sort()) {
    sources[relative(contractsDir, file)] = { content: readFileSync(file, 'utf8') }
  }
  for (const path of packageSources) {
    sources[path] = { content: readFileSync(resolvePackageSource(path), 'utf8') }
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...solcSettings,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'] } },
    },
  }
  const inputJson = JSON.stringify(input)
  const inputHash = createHash('sha256').update(solc.version()).update(inputJson).digest('hex')
  let artifactsDir = join(contractsDir, 'artifacts')
  let generatedDir = join(contractsDir, 'generated')
  const stampFile = join(artifactsDir, '.input-hash')
  if (!options.force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputHash && existsSync(join(generatedDir, 'typechain', 'index.ts'))) {
    return { compiled: false, contracts: [] }
  }

  const output = JSON.parse(solc.compile(inputJson, { import: readImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`)
  }

  // Written into a folder of this build's own and renamed into place at the end, so a concurrent build or a
  // reader (two demos started at once) never sees a half-written artifacts/ or generated/.
  const stagingDir = mkdtempSync(join(contractsDir, '.build-'))
  const finalArtifactsDir = artifactsDir
  const finalGeneratedDir = generatedDir
  artifactsDir = join(stagingDir, 'artifacts')
  generatedDir = join(stagingDir, 'generated')
  try {
    mkdirSync(artifactsDir, { recursive: true })
    mkdirSync(generatedDir, { recursive: true })
    const written: string[] = []
    const wanted = new Set([...Object.keys(sources)])
    for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
      if (!wanted.has(sourceName)) continue
      for (const [contractName, c] of Object.entries(contracts)) {
        if (!c.evm.bytecode.object) continue // interfaces and abstract contracts
        const artifact = {
          contractName,
          sourceName,
          abi: c.abi,
          bytecode: `0x${c.evm.bytecode.object}`,
          deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        }
        writeFileSync(join(artifactsDir, `${contractName}.json`), `${JSON.stringify(artifact, null, 2)}\n`)
        const constName = abiConstName(contractName)
        writeFileSync(
          join(generatedDir, `${contractName}.ts`),
          `// Generated by contracts/scripts/build.ts from ${sourceName}. Do not edit.\n` +
            `export const ${constName}Abi = ${JSON.stringify(c.abi, null, 2)} as const\n\n` +
            `export const ${constName}Bytecode = '${artifact.bytecode}' as const\n`,
        )
        written.push(contractName)
      }
    }
    const artifactFiles = written.sort().map((name) => join(artifactsDir, `${name}.json`))
    await runTypeChain({
      cwd: contractsDir,
      target: 'ethers-v6',
      outDir: join(generatedDir, 'typechain'),
      filesToProcess: artifactFiles,
      allFiles: artifactFiles,
      // `.js` suffixes on relative imports: what NodeNext resolution (and tsx) expect.
      flags: { alwaysGenerateOverloads: false, discriminateTypes: false, tsNocheck: false, node16Modules: true, environment: undefined },
    })
    writeFileSync(join(artifactsDir, '.input-hash'), inputHash)
    for (const [staged, final] of [
      [generatedDir, finalGeneratedDir],
      [artifactsDir, finalArtifactsDir],
    ] as const) {
      const old = `${final}.old-${process.pid}`
      if (existsSync(final)) renameSync(final, old)
      renameSync(staged, final)
      rmSync(old, { recursive: true, force: true })
    }
    return { compiled: true, contracts: written.sort() }
  } finally {
    rmSync(stagingDir, { recursive: true, force: true })
  }
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const result = await buildContracts({ force: process.argv.includes('--force') })
  const took = ((Date.now() - started) / 1000).toFixed(1)
  process.stdout.write(
    result.compiled
      ? `compiled ${result.contracts.length} contracts with solc ${solc.version()} in ${took}s: ${result.contracts.join(', ')}\n`
      : 'contracts up to date\n',
  )
}
