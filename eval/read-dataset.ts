/**
 * Reading a dataset folder in the shared layout: `data.jsonl` (one JSON object per line), `SOURCE.md`, and
 * for HTML datasets gzip-compressed pages under `html/` (a row's `html_file` is relative to the folder).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

export type Row = Record<string, unknown>

/** True when `dir/name` holds a dataset (a data.jsonl). */
export function hasDataset(dataDir: string, name: string): boolean {
  return existsSync(join(dataDir, name, 'data.jsonl'))
}

export function readRows(dataDir: string, name: string): Row[] {
  return readFileSync(join(dataDir, name, 'data.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row)
}

/** A row's page, gunzipped when the file is gzip (by its magic bytes), as UTF-8 text. */
export function readPage(dataDir: string, name: string, htmlFile: string): string {
  const bytes = readFileSync(join(dataDir, name, htmlFile))
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8')
}

/**
 * A row's page for an adapter: a missing or unreadable page is an empty page (the node's code then finds
 * nothing there, which counts against it), reported through `log` rather than stopping the run.
 */
export function readPageOrEmpty(dataDir: string, name: string, htmlFile: string, log: (line: string) => void): string {
  try {
    return readPage(dataDir, name, htmlFile)
  } catch (error) {
    log(`${name}: cannot read ${htmlFile} (${error instanceof Error ? error.message : String(error)}); judged as an empty page`)
    return ''
  }
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value)
}
