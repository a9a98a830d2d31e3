/**
 * The node's local database: one SQLite file beside the evidence folder holding the chain cursor, the pending
 * requests with their retry schedule, and the signing journal. SQLite (better-sqlite3) rather than a JSON file
 * rewritten on every block: a block writes the rows that changed, in one transaction, and a transaction is
 * either wholly on disk or not at all, so a full disk can fail a write but never leave half a record
 * (BENCHMARKS.md, "State store", has the measured cost and the comparison with LMDB).
 *
 * Durability: WAL with synchronous=NORMAL, so a commit is in the operating system's hands when the call
 * returns (a killed process loses nothing) but is not fsynced on the node's event loop: on a busy disk one
 * fsync took 60-120 ms, and every node fsynced at once when they caught up after an RPC outage, so each
 * stalled its loop past the 100 ms bound (chaos/results). What must survive a power loss too, the signing
 * journal's entry, is made durable by `syncNodeDatabaseFiles` (an fsync on libuv's thread pool) before the node
 * signs. The cursor and the pending requests need not be: lost, they are scanned again from the chain. SQLite
 * still fsyncs at its checkpoints (every 1,000 pages of WAL), as NORMAL requires for a consistent file. The file is created 0600 (SQLite gives its -wal file the database's
 * mode), in a 0700 folder when the node creates the folder: what a node signed and is about to sign is nobody
 * else's business.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { BaseError } from '@sibyl/protocol/errors'

export class NodeDatabaseError extends BaseError {
  override name = 'NodeDatabaseError' as const
}

export type NodeDatabase = Database.Database

export const NODE_DATABASE_SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS pending (
  request_id TEXT PRIMARY KEY,
  request TEXT NOT NULL,
  published_rounds TEXT NOT NULL,
  model_id TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS journal (
  key TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  observation TEXT NOT NULL,
  observed_at_ms INTEGER NOT NULL,
  settled_at_ms INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS journal_by_request ON journal (request_id);
CREATE INDEX IF NOT EXISTS journal_by_settled ON journal (settled_at_ms) WHERE settled_at_ms IS NOT NULL;
`

/** Opens (or creates) the database at `path`, private to the node, with the schema in place. */
export function openNodeDatabase(path: string): NodeDatabase {
  const dir = dirname(path)
  let db: NodeDatabase | undefined
  try {
    // Folders the node creates are private; an existing one is the operator's (a shared volume, a backup
    // job's mount) and keeps its mode: the file itself is what must be private, and it is made so below.
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // Created before SQLite opens it, so it never exists with the process umask's mode.
    closeSync(openSync(path, 'a', 0o600))
    chmodSync(path, 0o600)
    db = new Database(path)
    // First, before anything reads the file: one process owns a node's state, and exclusive locking keeps the WAL
    // index in memory instead of a -shm file, so a node restarted on a full disk can still read its journal (and
    // refuse what conflicts with it) instead of failing to allocate one.
    db.pragma('locking_mode = EXCLUSIVE')
    // Effective only before the first table (a new file): lets pruning hand pages back a few at a time
    // (incremental_vacuum). Not set again on an existing file, where it would be a write.
    if (db.pragma('auto_vacuum', { simple: true }) !== 2) db.pragma('auto_vacuum = INCREMENTAL')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    db.exec(SCHEMA)
    const version = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`).get()
    if (version === undefined) {
      db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(NODE_DATABASE_SCHEMA_VERSION))
    } else if (version.value !== String(NODE_DATABASE_SCHEMA_VERSION)) {
      throw new NodeDatabaseError(`The node database ${path} has schema version ${version.value}; this node knows ${NODE_DATABASE_SCHEMA_VERSION}.`)
    }
    return db
  } catch (cause) {
    db?.close()
    if (cause instanceof NodeDatabaseError) throw cause
    throw new NodeDatabaseError(`The node database ${path} cannot be opened.`, { cause })
  }
}

/**
 * Flushes what was committed to `db` to the disk, off the event loop (an fsync on libuv's thread pool). In WAL
 * mode every commit is in the -wal file; SQLite itself syncs the database file at each checkpoint. Rejects when
 * the disk refuses; the caller must then not rely on the commit. No WAL yet: nothing committed to flush.
 *
 * Only the -wal file is opened here, never the database file: closing any descriptor of a file drops every POSIX
 * lock the process holds on it, and the database file carries SQLite's exclusive lock, which keeps a second node
 * process off this state (a test opens the database from another process after a flush and is refused).
 */
export async function syncNodeDatabaseFiles(db: NodeDatabase): Promise<void> {
  await syncFile(`${db.name}-wal`)
}

async function syncFile(path: string): Promise<void> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return
    throw error
  }
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
