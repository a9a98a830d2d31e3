import test from 'ava'
import { parseHtml } from './parse-html.ts'

test('an ordinary page parses whole, and cheerio selectors work on the tree', (t) => {
  const { $, root, truncated } = parseHtml('<!doctype html><html><body><div id="a"><p>one</p><p>two &amp; three</p></div></body></html>')
  t.false(truncated)
  t.is($('#a p').length, 2)
  t.is($('#a p').last().text(), 'two & three')
  t.is(String(root.type), 'root')
})

test('nesting deeper than maxDepth stops the parse there', (t) => {
  const { $, truncated } = parseHtml(`${'<div>'.repeat(100)}<p>deep</p>`, { maxDepth: 50 })
  t.true(truncated)
  t.is($('div').length, 50)
  t.is($('p').length, 0)
})

test('more than maxNodes elements, or maxChildrenPerElement siblings, stop the parse', (t) => {
  t.true(parseHtml('<b>x</b>'.repeat(100), { maxNodes: 10 }).truncated)
  const { $, truncated } = parseHtml(`<ul>${'<li>x'.repeat(100)}</ul>`, { maxChildrenPerElement: 20 })
  t.true(truncated)
  t.is($('li').length, 20)
  t.false(parseHtml(`<ul>${'<li>x'.repeat(100)}</ul>`).truncated)
})

test('input beyond maxHtmlChars is cut; a fragment is wrapped so selectors stay linear', (t) => {
  const cut = parseHtml('<p>abc</p><p>def</p>', { maxHtmlChars: 10 })
  t.true(cut.truncated)
  t.is(cut.$('p').text(), 'abc')
  const fragment = parseHtml('<li>x'.repeat(1000))
  t.is(fragment.root.children.length, 1)
  t.is(fragment.$('li').length, 1000)
})
