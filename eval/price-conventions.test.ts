import test from 'ava'
import { readAnnotationInPageConventions } from './price-conventions.ts'

const page = (body: string) => `<html><head><script>var p = "24.99";</script></head><body>${body}</body></html>`

test('an annotation that kept the page\'s separator is read in the page\'s conventions', (t) => {
  t.deepEqual(readAnnotationInPageConventions({ annotation: '24.99', html: page('<span class="price">$24.990</span>'), url: 'https://tienda.cl/p', currency: '$' }), {
    gold: '24990',
    keptPageSeparator: true,
    shown: '24.990',
  })
  t.like(readAnnotationInPageConventions({ annotation: '5', html: page('<p>Entradas desde $5.000</p>'), url: 'https://x.cl/e', currency: null }), { gold: '5000', keptPageSeparator: true })
  t.like(readAnnotationInPageConventions({ annotation: '1.25', html: page('<b>Rp 1.250.000</b>'), url: 'https://x.co.id/p', currency: 'Rp' }), { gold: '1250000', keptPageSeparator: true })
})

test('an annotation the page shows as it is stays literal', (t) => {
  // The page shows $24.99 as a price: the annotation is right as written.
  t.like(readAnnotationInPageConventions({ annotation: '24.99', html: page('<span>$24.99</span> <span>24.990 points</span>'), url: 'https://x.com/p', currency: '$' }), { gold: '24.99', keptPageSeparator: false })
  // Nothing on the page reads 24.990.
  t.like(readAnnotationInPageConventions({ annotation: '24.99', html: page('<span>24,99 €</span>'), url: 'https://x.de/p', currency: '€' }), { keptPageSeparator: false })
  // Three minor digits: 24.990 KWD is 24.99.
  t.like(readAnnotationInPageConventions({ annotation: '24.99', html: page('<span>24.990 KWD</span>'), url: 'https://x.com.kw/p', currency: 'KWD' }), { gold: '24.99', keptPageSeparator: false })
  // Only visible text counts (the script's "24.99" is not the page showing it).
  t.like(readAnnotationInPageConventions({ annotation: '7', html: page('<span>Total 17.000</span>'), url: 'https://x.cl/p', currency: null }), { keptPageSeparator: false })
})
