/**
 * The built web app, served from one folder and nothing outside it: the path is decoded once, any `..`, `\`,
 * NUL or hidden segment is refused before the file system is touched, and the resolved real path (symbolic
 * links followed) must still lie inside the folder. Only the file types the app is built of are served.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

export type StaticResult = { kind: 'file'; path: string; size: number; contentType: string } | { kind: 'not-found' } | { kind: 'bad-path' } | { kind: 'no-app' }

/** Where a URL path leads inside `rootDir` (a real, absolute path), or why it leads nowhere. */
export async function resolveStaticPath(rootDir: string, urlPath: string): Promise<StaticResult> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return { kind: 'bad-path' }
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-path' }
  const segments = decoded.split('/').filter((s) => s.length > 0)
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return { kind: 'bad-path' }
  if (decoded.endsWith('/')) segments.push('index.html')
  let root: string
  try {
    root = await realpath(rootDir)
  } catch {
    return { kind: 'no-app' }
  }
  const contentType = CONTENT_TYPES[extname(segments.at(-1) ?? '').toLowerCase()]
  if (!contentType) return { kind: 'not-found' }
  try {
    const real = await realpath(join(root, ...segments))
    if (!real.startsWith(root + sep)) return { kind: 'not-found' }
    const info = await stat(real)
    if (!info.isFile()) return { kind: 'not-found' }
    return { kind: 'file', path: real, size: info.size, contentType }
  } catch {
    return { kind: 'not-found' }
  }
}

/** Streams a resolved file (headers only for HEAD). */
export function sendStaticFile(res: ServerResponse, file: Extract<StaticResult, { kind: 'file' }>, headOnly: boolean): void {
  res.statusCode = 200
  res.setHeader('Content-Type', file.contentType)
  res.setHeader('Content-Length', file.size)
  // Vite names built assets by content hash, so they never change; index.html must be re-read to find new ones.
  res.setHeader('Cache-Control', file.path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache')
  if (headOnly) {
    res.end()
    return
  }
  const stream = createReadStream(file.path)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
