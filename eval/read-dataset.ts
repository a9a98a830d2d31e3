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

export function text(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value)
}
