/**
 * Parses untrusted HTML into a tree every later walk can afford.
 *
 * Measured here: parse5 (cheerio's default) took seconds on 20 000 nested <div>; htmlparser2 keeps its
 * open-element stack with Array#unshift, so it too is quadratic in nesting depth (4 MB of "<div>" took
 * eight minutes); and domutils' `find`, which every cheerio selector runs, costs O(depth) per node. So we
 * drive htmlparser2's Parser with a DomHandler that counts, from the parser's own open/close events, the
 * depth, the number of elements and the children of each element, and stops the parse the moment one
 * passes its bound. The parser's
 * stack therefore never exceeds maxDepth and the whole parse is linear; the document is simply cut there
 * (`truncated: true`). Real pages nest a few dozen deep and hold a few tens of thousands of elements.
 */
import { load, type CheerioAPI } from 'cheerio/slim'
import { DomHandler, Element, type Document } from 'domhandler'
import { Parser } from 'htmlparser2'

export type ParseHtmlLimits = {
  maxHtmlChars: number
  /** Elements in the whole document. */
  maxNodes: number
  /** Open elements at once (the parser's stack). */
  maxDepth: number
  /** Element children of one element: css-select's :nth-child is quadratic in the number of siblings. */
  maxChildrenPerElement: number
}

export type ParseHtmlReturnType = { $: CheerioAPI; root: Document; truncated: boolean }

export const defaultParseHtmlLimits: Readonly<ParseHtmlLimits> = Object.freeze({
  maxHtmlChars: 4_000_000,
  maxNodes: 200_000,
  maxDepth: 256,
  maxChildrenPerElement: 5_000,
})

/** Thrown from inside the handler to stop the parser; never escapes parseHtml. */
class ParseLimitReached extends Error {
  override name = 'ParseLimitReached'
}

class BoundedDomHandler extends DomHandler {
  elements = 0
  /** Element children so far of each open element (parallel to tagStack). */
  private readonly childCounts: number[] = [0]
  constructor(private readonly limits: Omit<ParseHtmlLimits, 'maxHtmlChars'>) {
    super(undefined, { withStartIndices: false, withEndIndices: false })
  }

  override onopentag(name: string, attribs: { [key: string]: string }): void {
    // tagStack holds the document plus every open element: the parser's stack, mirrored.
    const siblings = this.childCounts.length - 1
    this.childCounts[siblings] = (this.childCounts[siblings] ?? 0) + 1
    if (
      this.tagStack.length > this.limits.maxDepth ||
      ++this.elements > this.limits.maxNodes ||
      this.childCounts[siblings]! > this.limits.maxChildrenPerElement
    ) {
      throw new ParseLimitReached()
    }
    this.childCounts.push(0)
    super.onopentag(name, attribs)
  }

  override onclosetag(): void {
    this.childCounts.pop()
    super.onclosetag()
  }
}

export function parseHtml(html: string, limits: Partial<ParseHtmlLimits> = {}): ParseHtmlReturnType {
  const { maxHtmlChars, ...treeLimits } = { ...defaultParseHtmlLimits, ...limits }
  const input = html.length > maxHtmlChars ? html.slice(0, maxHtmlChars) : html
  const handler = new BoundedDomHandler(treeLimits)
  // The options cheerio/slim uses for HTML: lowercased names, entities decoded, no self-closing tags.
  const parser = new Parser(handler, { xmlMode: false, decodeEntities: true })
  let truncated = input.length < html.length
  try {
    parser.end(input)
  } catch (e) {
    if (!(e instanceof ParseLimitReached)) throw e
    truncated = true
  }
  const root = handler.root
  // cheerio hands the root's children to domutils' removeSubsets, which is quadratic in their number;
  // a fragment of 200 000 top-level <li> would stall every selector. A page has a handful (doctype,
  // <html>, comments): anything more is wrapped in one synthetic <html>.
  if (root.children.length > 16) {
    const html = new Element('html', {}, root.children)
    for (const child of root.children) child.parent = html
    html.parent = root
    root.children = [html]
  }
  return { $: load(root), root, truncated }
}
