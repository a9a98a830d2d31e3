import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { extractPrice } from './extract-price.ts'
import { decimalToFixedPoint, normalizeDecimal } from './parse-decimal.ts'
import { resolveTestDataDir } from '../testing/test-data-dir.ts'

test('product_price_html: exact-match rate of the extracted price against the annotation', (t) => {
  const dir = join(resolveTestDataDir(), 'product_price_html')
  type Row = { id: string; html_file: string; url: string; price: string | null }
  const rows = readFileSync(join(dir, 'data.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row)
  let exact = 0
  for (const row of rows) {
    const html = gunzipSync(readFileSync(join(dir, row.html_file))).toString('utf8')
    const result = extractPrice({ html, decimals: 2 })
    const got = result.found ? result.value : null
    const want = row.price === null ? null : decimalToFixedPoint(row.price, 2)
    if (got === want) exact++
    else t.log(`miss: ${new URL(row.url).hostname} annotated ${row.price}, extracted ${result.found ? `${result.decimal} (${result.evidence})` : 'none'}`)
  }
  const rate = exact / rows.length
  t.log(`price exact match: ${exact}/${rows.length} = ${(100 * rate).toFixed(1)}% (a page without a price counts as a match when none is returned)`)
  // Measured 23/24; the miss is a page whose JSON-LD and visible text say 5000 CLP ("$5.000") and whose annotation says 5.
  t.true(rate >= 0.95)
})

test('visible prices in several locales, never through floats', (t) => {
  const cases: [string, string, bigint][] = [
    ['<span class="price">1.234,56 €</span>', '1234.56', 123456n],
    ['<span class="price">$1,234.56</span>', '1234.56', 123456n],
    ['<span class="price">1 234,50 zł</span>', '1234.50', 123450n],
    ['<span class="price">CHF 99.90</span>', '99.90', 9990n],
    ['<span class="old-price">€ 80,00</span><span class="price current">€ 59,99</span>', '59.99', 5999n],
    ['<span class="price">9007199254740993.01 USD</span>', '9007199254740993.01', 900719925474099301n],
  ]
  for (const [html, decimal, value] of cases) {
    const r = extractPrice({ html, decimals: 2 })
    t.true(r.found, html)
    if (r.found) {
      t.is(r.decimal, decimal, html)
      t.is(r.value, value, html)
    }
  }
  t.false(extractPrice({ html: '<p>No price here, call 0800 123 456.</p>', decimals: 2 }).found)
})

test('structured data first: JSON-LD, microdata, meta; a struck-out structured price loses to the current one', (t) => {
  const ld = '<script type="application/ld+json">{"@type":"Product","offers":{"@type":"Offer","price":"19.90","priceCurrency":"EUR"}}</script><span class="price">25,00 €</span>'
  t.like(extractPrice({ html: ld, decimals: 2 }), { found: true, value: 1990n, currency: 'EUR', method: 'json-ld' })
  const micro = '<div itemscope itemtype="https://schema.org/Offer"><meta itemprop="priceCurrency" content="GBP"><span itemprop="price" content="12.5">£12.50</span></div>'
  t.like(extractPrice({ html: micro, decimals: 4 }), { found: true, value: 125000n, currency: 'GBP', method: 'microdata' })
  const meta = '<meta property="product:price:amount" content="1148.00"><meta property="product:sale_price:amount" content="997.00">'
  t.like(extractPrice({ html: meta, decimals: 2 }), { found: true, value: 99700n, method: 'meta' })
  const stale = '<meta itemprop="price" content="219.99"><span class="original-price"><s>EUR219.99</s></span><span class="price current-price">EUR110.00</span>'
  t.like(extractPrice({ html: stale, decimals: 2 }), { found: true, value: 11000n, method: 'visible' })
})

test('normalizeDecimal and decimalToFixedPoint', (t) => {
  t.is(normalizeDecimal('1.234,56', 'visible'), '1234.56')
  t.is(normalizeDecimal('1,234,567', 'visible'), '1234567')
  t.is(normalizeDecimal('5.000', 'visible'), '5000')
  t.is(normalizeDecimal('0.500', 'visible'), '0.500')
  t.is(normalizeDecimal('49.100', 'machine'), '49.100')
  t.is(normalizeDecimal('119,01', 'machine'), '119.01')
  t.is(normalizeDecimal('1,2,3', 'visible'), undefined)
  t.is(normalizeDecimal('12abc', 'visible'), undefined)
  t.is(decimalToFixedPoint('119.01', 2), 11901n)
  t.is(decimalToFixedPoint('450', 2), 45000n)
  t.is(decimalToFixedPoint('0.125', 2), 13n)
  t.is(decimalToFixedPoint('-0.004', 2), 0n)
  t.is(decimalToFixedPoint('-1.005', 2), -101n)
  t.is(decimalToFixedPoint('123456789012345678901234567890.5', 0), 123456789012345678901234567891n)
  t.throws(() => decimalToFixedPoint('1e5', 2))
})

test('JSON-LD: offers without @type, @graph nesting and raw newlines inside strings', (t) => {
  const html = `<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"Product","name":"A
  lamp","offers":[{"price":"1,299.00","priceCurrency":"USD"}]}]}</script>`
  t.like(extractPrice({ html, decimals: 2 }), { found: true, value: 129900n, currency: 'USD', method: 'json-ld' })
})
