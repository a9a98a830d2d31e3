/**
 * Bytes to text with the page's declared charset: a byte-order mark first, then the Content-Type charset,
 * then (HTML only) a <meta charset> or http-equiv declaration in the first 1024 bytes, else UTF-8. Labels go
 * through TextDecoder, which follows the WHATWG Encoding Standard ("latin1" and "iso-8859-1" decode as
 * windows-1252, as browsers do). An unknown label falls back to UTF-8; invalid bytes become U+FFFD.
 */
import { TextDecoder } from 'node:util'

export type DecodeTextOptions = {
  /** Look for <meta charset> in the first bytes (HTML only). */
  sniffHtmlMeta?: boolean
}

export type DecodeTextReturnType = { text: string; charset: string }

function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined
  const m = /;\s*charset\s*=\s*("?)([A-Za-z0-9._:-]{1,40})\1/i.exec(contentType)
  return m?.[2]
}

function charsetFromMeta(bytes: Buffer): string | undefined {
  // ASCII-compatible prefix: latin1 maps bytes 1:1, enough to find an ASCII declaration.
  const head = bytes.subarray(0, 1024).toString('latin1')
  const direct = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})/i.exec(head)
  return direct?.[1]
}

// windows-1252 bytes 0x80..0x9f (0 = undefined in the standard: decoded as the C1 control, like browsers).
// Node 20's TextDecoder decodes this range as ISO-8859-1 C1 controls, so "€" (0x80) would be lost.
const cp1252High = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
]

function decodeWindows1252(bytes: Buffer): string {
  const codes = new Uint16Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    codes[i] = b >= 0x80 && b <= 0x9f ? cp1252High[b - 0x80]! : b
  }
  let out = ''
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.subarray(i, i + 8192))
  return out
}

function decoderFor(label: string | undefined): TextDecoder | undefined {
  if (!label) return undefined
  try {
    return new TextDecoder(label.toLowerCase())
  } catch {
    return undefined
  }
}

export function decodeText(bytes: Buffer, contentType: string | undefined, options: DecodeTextOptions = {}): DecodeTextReturnType {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), charset: 'utf-8' }
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), charset: 'utf-16be' }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), charset: 'utf-16le' }
  const candidates = [charsetFromContentType(contentType), options.sniffHtmlMeta ? charsetFromMeta(bytes) : undefined]
  for (const label of candidates) {
    const decoder = decoderFor(label)
    // A page cannot declare itself UTF-16 from inside ASCII bytes; browsers treat that as UTF-8 too.
    if (!decoder || decoder.encoding.startsWith('utf-16')) continue
    if (decoder.encoding === 'windows-1252') return { text: decodeWindows1252(bytes), charset: 'windows-1252' }
    return { text: decoder.decode(bytes), charset: decoder.encoding }
  }
  return { text: new TextDecoder('utf-8').decode(bytes), charset: 'utf-8' }
}
