/**
 * No Docker engine runs here, so the compose file is checked against what the code expects: every service
 * that runs the sibyl image names a real command, and every URL points at a service of the file.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { commands } from '@sibyl/cli/main'

type Service = { build?: string; image?: string; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; depends_on?: string[] }
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, Service> }

test('every sibyl service runs a command the CLI has, with URLs that point at services of the file', (t) => {
  const names = new Set(Object.keys(compose.services))
  t.true(names.has('nats'))
  t.true(names.has('evm'))
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.build && !service.entrypoint) {
      const [command] = service.command ?? []
      t.true(commands.some((c) => c.name === command), `${name} runs "${command}"`)
    }
    for (const arg of [...(service.command ?? []), ...Object.values(service.environment ?? {})]) {
      const url = /^(?:http|nats):\/\/([^:/]+)/.exec(String(arg))
      if (url) t.true(names.has(url[1]!), `${name} points at ${url[1]}, a service of the file`)
    }
    for (const dep of service.depends_on ?? []) t.true(names.has(dep), `${name} depends on ${dep}`)
  }
})

test('the nats service runs JetStream with a persistent store', (t) => {
  const nats = compose.services.nats!
  t.true(nats.command?.includes('-js'))
  t.true(nats.command?.includes('-sd'))
})
