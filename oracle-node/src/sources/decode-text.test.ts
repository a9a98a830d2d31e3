import test from 'ava'
import { decodeText } from './decode-text.ts'

const cafe1252 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x35]) // "café €5" in windows-1252

test('UTF-8 is the default; a BOM wins over any declaration', (t) => {
  t.deepEqual(decodeText(Buffer.from('café €5', 'utf8'), 'text/html'), { text: 'café €5', charset: 'utf-8' })
  t.is(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x', 'utf8')]), 'text/html; charset=iso-8859-1').text, 'x')
  t.is(decodeText(Buffer.from([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]), undefined).text, 'hi')
})

test('the Content-Type charset is honoured, latin1 decoding as windows-1252 like browsers', (t) => {
  t.deepEqual(decodeText(cafe1252, 'text/html; charset=ISO-8859-1'), { text: 'café €5', charset: 'windows-1252' })
  t.deepEqual(decodeText(cafe1252, 'text/html; charset="windows-1252"'), { text: 'café €5', charset: 'windows-1252' })
})

test('a <meta charset> is used for HTML when the header has none; unknown labels fall back to UTF-8', (t) => {
  const page = Buffer.concat([Buffer.from('<html><head><meta charset="windows-1252"></head><body>'), cafe1252])
  t.true(decodeText(page, 'text/html', { sniffHtmlMeta: true }).text.endsWith('café €5'))
  const equiv = Buffer.concat([Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'), cafe1252])
  t.true(decodeText(equiv, 'text/html', { sniffHtmlMeta: true }).text.endsWith('café €5'))
  t.is(decodeText(page, 'text/html').charset, 'utf-8', 'no sniffing unless asked')
  t.is(decodeText(Buffer.from('x'), 'text/html; charset=klingon').charset, 'utf-8')
  t.is(decodeText(Buffer.from('<meta charset="utf-16">x'), 'text/html', { sniffHtmlMeta: true }).charset, 'utf-8')
})
