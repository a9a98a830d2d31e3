import test from 'ava'
import { Writable } from 'node:stream'
import { createLogger } from './create-logger.ts'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  return { lines, destination }
}

test('a private key is redacted and a round key printed in the same line', (t) => {
  const { lines, destination } = capture()
  const logger = createLogger({ level: 'info', bindings: { service: 'test' }, destination })
  const privateKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
  const roundKey = 'request.31337.0x5fbdb2315678afecb367f032d93f642f64180aa3.0x01.1'
  logger.warn({ key: roundKey, privateKey, wallet: { privateKey, mnemonic: 'test test test' }, nats: { token: 's3cret' } }, 'commit attempt failed')
  t.is(lines.length, 1)
  const line = lines[0]!
  t.false(line.includes(privateKey))
  t.false(line.includes('s3cret'))
  t.false(line.includes('test test test'))
  const parsed = JSON.parse(line) as { key: string; privateKey: string; wallet: { privateKey: string; mnemonic: string }; nats: { token: string } }
  t.is(parsed.key, roundKey)
  t.is(parsed.privateKey, '[redacted]')
  t.is(parsed.wallet.privateKey, '[redacted]')
  t.is(parsed.wallet.mnemonic, '[redacted]')
  t.is(parsed.nats.token, '[redacted]')
})

test('ordinary fields named like parts of secrets stay visible', (t) => {
  const { lines, destination } = capture()
  const logger = createLogger({ level: 'info', bindings: {}, destination })
  logger.info({ keys: 3, tokens: 17, requestId: '0xab', signer: '0x12' }, 'scan')
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>
  t.is(parsed['keys'], 3)
  t.is(parsed['tokens'], 17)
  t.is(parsed['requestId'], '0xab')
})

test('the level filters lines', (t) => {
  const { lines, destination } = capture()
  const logger = createLogger({ level: 'warn', bindings: {}, destination })
  logger.info('hidden')
  logger.warn('shown')
  t.is(lines.length, 1)
})
