import test from 'ava'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openNodeDatabase } from './open-node-database.ts'

const modeOf = (path: string) => statSync(path).mode & 0o777

test('an existing state folder keeps its mode: only the database file is made private', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sibyl-db-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  // An operator's folder, shared on purpose (a volume mounted with other files, read by a backup job).
  const shared = join(root, 'shared')
  mkdirSync(shared, { mode: 0o755 })
  const db = openNodeDatabase(join(shared, 'node.sqlite'))
  db.close()
  t.is(modeOf(shared), 0o755, 'the existing folder was re-permissioned')
  t.is(modeOf(join(shared, 'node.sqlite')), 0o600)
})

test('a state folder the node creates is private (0700), parents included', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sibyl-db-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const created = join(root, 'a', 'state')
  const db = openNodeDatabase(join(created, 'node.sqlite'))
  db.close()
  t.is(modeOf(created), 0o700)
  t.is(modeOf(join(root, 'a')), 0o700)
  t.is(modeOf(join(created, 'node.sqlite')), 0o600)
  t.is(modeOf(root), 0o700, 'mkdtemp made it 0700 and it is left as it was')
})
