#!/usr/bin/env node
// Runs before `npm test` and `npm run demo`: both need nats-server on the PATH. When it is missing, install it
// with apt (root on Debian or Ubuntu), or stop at once with the one line that installs it — never deep inside
// a test. Set SIBYL_NO_AUTO_INSTALL=true to only check.
import { spawnSync } from 'node:child_process'

const INSTALL_LINE = 'apt-get install -y nats-server'

function hasNatsServer() {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

function run(command, args) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return r.status === 0
}

if (hasNatsServer()) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
const autoInstall = process.env.SIBYL_NO_AUTO_INSTALL !== 'true'
if (isRoot && hasApt && autoInstall) {
  process.stderr.write(`nats-server is missing: installing it (${INSTALL_LINE})\n`)
  if (run('apt-get', ['update', '-qq']) && run('apt-get', ['install', '-y', '-qq', 'nats-server'])) {
    const version = hasNatsServer()
    if (version) {
      process.stderr.write(`installed ${version}\n`)
      process.exit(0)
    }
  }
  process.stderr.write(`nats-server could not be installed; install it and run again: ${INSTALL_LINE}\n`)
  process.exit(1)
}
process.stderr.write(`nats-server is not on the PATH; install it first: ${isRoot ? '' : 'sudo '}${INSTALL_LINE}\n`)
process.exit(1)
