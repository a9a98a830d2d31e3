/**
 * The README's guides, run as a reader runs them: the shell blocks of "A local network", "Node operator",
 * "Market builder" and "Governance", in order, through bash against a fresh anvil and a deployment made by
 * the guide's own `sibyl deploy`; and its Solidity consumer compiled exactly as printed, with the remappings
 * the README states. A command or flag that changes, or a block that stops working, fails here.
 * The test stands in only for what the guides leave to running services: the nodes' signatures and the
 * aggregator's commit (signed with the signing key the operator guide made), and the chain's clock.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Wallet } from 'ethers'
import solc from 'solc'
import { readDeployment } from '@sibyl/protocol/deployment'
import { connectContracts } from '@sibyl/contracts/connect-contracts'
import { requestResolution, signAndCommit } from '@sibyl/contracts/requests'
import { solcSettings } from '@sibyl/contracts/solc-settings'
import { connectProvider, increaseTime, startNextEpoch } from '@sibyl/devnet/local-network'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const work = temporaryDir('sibyl-readme-')
const stateFile = join(work, 'state.env')
let anvilGroup: number | undefined

/** The text of a `### title` section, up to the next heading of level 2 or 3. */
function section(title: string): string {
  const start = readme.indexOf(`\n### ${title}\n`)
  if (start < 0) throw new Error(`README has no section "### ${title}"`)
  const rest = readme.slice(start + title.length + 6)
  const end = rest.search(/\n##{1,2} /)
  return end < 0 ? rest : rest.slice(0, end)
}

/** The fenced blocks of one language in a section, dedented (list items indent theirs). */
function blocks(text: string, lang: string): string[] {
  const found: string[] = []
  const fence = new RegExp(`^( *)\`\`\`${lang}\\n([\\s\\S]*?)^ *\`\`\`$`, 'gm')
  for (const m of text.matchAll(fence)) {
    const indent = m[1]!.length
    found.push(m[2]!.split('\n').map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length))).join('\n'))
  }
  return found
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolvePort(port))
    })
  })
}

/**
 * Runs one block in bash, in the guide's working folder, with the variables earlier blocks exported.
 * `npx X` runs this checkout's own bin X (the reader's `npx` would find the same one from the project).
 */
function runBlock(code: string, port: number): Promise<{ code: number | null; out: string; pid: number }> {
  const script = [
    'set -eo pipefail',
    `npx() { local bin=$1; shift; "${join(root, 'node_modules', '.bin')}/$bin" "$@"; }`,
    'set -a',
    `[ -f ${stateFile} ] && . ${stateFile}`,
    code.replaceAll('8545', String(port)),
    // Bash's own variables (readonly ones among them) are not the guide's state.
    `export -p | grep -v -E '^declare -x (SHELLOPTS|BASHOPTS|PWD|OLDPWD|SHLVL|_)(=|$)' > ${stateFile}`,
  ].join('\n')
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIBYL_')))
  return new Promise((resolveRun) => {
    const child = spawn('bash', ['-c', script], { cwd: work, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    child.on('close', (exit) => {
      clearTimeout(timer)
      resolveRun({ code: exit, out, pid: child.pid! })
    })
  })
}

function stateValue(name: string): string {
  const m = readFileSync(stateFile, 'utf8').match(new RegExp(`^declare -x ${name}="([^"]*)"$`, 'm'))
  if (!m) throw new Error(`no ${name} exported by the guide`)
  return m[1]!
}

test.after.always(() => {
  if (anvilGroup !== undefined) {
    try {
      process.kill(-anvilGroup, 'SIGTERM')
    } catch {
      // already gone
    }
  }
})

test.serial('the guides run as written against a fresh local network', async (t) => {
  const local = blocks(section('A local network'), 'sh')
  const operator = blocks(section('Node operator'), 'sh')
  const builder = blocks(section('Market builder'), 'sh')
  const builderSpec = blocks(section('Market builder'), 'json')
  const governance = blocks(section('Governance'), 'sh')
  t.deepEqual([local.length, operator.length, builder.length, builderSpec.length, governance.length], [1, 2, 2, 1, 1], 'the guides have the blocks this test follows')
  const port = await freePort()
  const run = async (label: string, code: string) => {
    const r = await runBlock(code, port)
    t.is(r.code, 0, `${label} failed:\n${r.out}`)
    if (r.code !== 0) throw new Error(`${label} failed`)
    return r
  }

  const started = await run('local network', local[0]!)
  anvilGroup = started.pid
  t.regex(started.out, /"event":"deployed"/)
  t.regex(started.out, /"disputeWindowSec":"?30/, 'the deploy prints the parameters it used')
  const deployment = readDeployment(join(work, stateValue('SIBYL_DEPLOYMENT')))
  const provider = connectProvider(`http://127.0.0.1:${port}`, Number(deployment.chainId))
  const c = connectContracts(deployment, provider)
  try {
    const staked = await run('operator: register and stake', operator[0]!)
    t.false(staked.out.includes(stateValue('NODE_KEY').slice(2)), 'no key printed')
    const nodeKey = new Wallet(readFileSync(join(work, 'keys', 'node.key'), 'utf8').trim())
    const operatorWallet = new Wallet(stateValue('SIBYL_OPERATOR_KEY'))
    t.is((await c.staking.getOperator(operatorWallet.address)).signer, nodeKey.address)
    await startNextEpoch(provider, deployment)
    t.true(await c.staking.isActive(operatorWallet.address))
    const nodes = [{ index: 0, operator: operatorWallet, signer: nodeKey }]

    writeFileSync(join(work, 'question.json'), builderSpec[0]!)
    await run('builder: ask', builder[0]!)
    const asked = stateValue('REQUEST_ID')
    t.regex(asked, /^0x[0-9a-f]{64}$/)
    // The nodes answer and the aggregator commits; then the dispute window passes.
    await increaseTime(provider, 6)
    await signAndCommit(c.oracle.connect(new Wallet(stateValue('SIBYL_DEPLOYER_KEY'), provider)), nodes, { requestId: asked, round: 0, answer: 0n })
    await increaseTime(provider, 31)
    const followed = await run('builder: watch and finalize', builder[1]!)
    t.regex(followed.out, /committed/)
    t.deepEqual((await c.oracle.getResolution(asked)).map(String), ['true', '0'])

    // A second question, answered wrongly: the governance guide disputes it.
    const asker = new Wallet(stateValue('SIBYL_KEY'), provider)
    const owner = connectContracts(deployment, new Wallet(stateValue('SIBYL_DEPLOYER_KEY'), provider))
    await (await owner.token.mint(asker.address, 10n ** 17n)).wait()
    const now = (await provider.getBlock('latest'))!.timestamp
    const spec = JSON.stringify(JSON.parse(builderSpec[0]!))
    const { requestId: disputed } = await requestResolution(c.token, c.oracle, asker, { spec, outcomes: ['YES', 'NO'], resolveAfter: now + 2, feeWei: 10n ** 17n })
    await increaseTime(provider, 3)
    await signAndCommit(owner.oracle, nodes, { requestId: disputed, round: 0, answer: 0n })
    appendFileSync(stateFile, `declare -x REQUEST_ID="${disputed}"\n`)
    const ruled = await run('governance: dispute, vote, execute, claim', governance[0]!)
    t.regex(ruled.out, /if overturned/)
    const d = await c.governance.getDispute(disputed)
    t.is(d.state, 2n, 'executed')
    t.is(d.outcome, 0n, 'overturned')
    t.deepEqual((await c.oracle.getResolution(disputed)).map(String), ['true', '1'])

    await run('operator: get paid and leave', operator[1]!)
    t.is(await c.oracle.claimableWei(operatorWallet.address), 0n, 'fee share withdrawn')
    t.true((await c.staking.getOperator(operatorWallet.address)).unbondingWei > 0n)
  } finally {
    provider.destroy()
  }
})

test('the Solidity consumer compiles exactly as the README shows it, with the remappings it states', (t) => {
  const source = blocks(section('Market builder'), 'solidity').find((b) => b.includes('contract MyMarket'))
  t.truthy(source, 'the README has the consumer example')
  const remappings = [...section('Market builder').matchAll(/`(@[^`=\s]+\/)=([^`\s]+)`/g)].map((m) => ({ prefix: m[1]!, target: m[2]! }))
  t.true(remappings.length >= 2, 'the README states its remappings')
  const readImport = (path: string) => {
    const mapping = remappings.find((r) => path.startsWith(r.prefix))
    const file = mapping ? resolve(root, mapping.target, path.slice(mapping.prefix.length)) : resolve(root, path)
    return existsSync(file) ? { contents: readFileSync(file, 'utf8') } : { error: `not found: ${path}` }
  }
  const input = {
    language: 'Solidity',
    sources: { 'MyMarket.sol': { content: source! } },
    settings: { evmVersion: solcSettings.evmVersion, outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport })) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  t.deepEqual(errors.map((e) => e.formattedMessage), [])
  t.true((output.contracts?.['MyMarket.sol']?.MyMarket?.evm.bytecode.object.length ?? 0) > 0)
})
