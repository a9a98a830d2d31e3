/**
 * The visible text under some nodes, as blocks: a block element (paragraph, heading, list item, table
 * row...) starts a new block, table cells are joined with " | " so a score line stays one line, and
 * whitespace is collapsed. Iterative and bounded in nodes visited and characters produced.
 */
import { isTag, isText, type AnyNode, type Element } from 'domhandler'

export const blockTags: ReadonlySet<string> = new Set([
  'p', 'div', 'section', 'article', 'main', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd',
  'blockquote', 'pre', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'caption', 'figure', 'figcaption', 'header', 'footer',
  'address', 'hr', 'br', 'center', 'details', 'summary', 'body', 'html', 'form', 'nav', 'aside',
])
const cellTags = new Set(['td', 'th'])

export type TextBlocksLimits = { maxNodes: number; maxTextChars: number }

export const collapseWhitespace = (s: string): string => s.replace(/[\s\u00a0\u200b\ufeff]+/g, ' ')

export function textBlocks(roots: readonly AnyNode[], limits: TextBlocksLimits, skip: (el: Element) => boolean = () => false): string[] {
  const blocks: string[] = []
  let current = ''
  let total = 0
  const flush = () => {
    const block = collapseWhitespace(current)
      .trim()
      .replace(/^(\|\s*)+|(\s*\|)+$/g, '')
      .replace(/(\s*\|\s*){2,}/g, ' | ')
      .trim()
    if (block && total < limits.maxTextChars) {
      const kept = block.slice(0, limits.maxTextChars - total)
      blocks.push(kept)
      total += kept.length
    }
    current = ''
  }
  const stack: Array<{ node: AnyNode; exit: boolean }> = []
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i]!, exit: false })
  let visited = 0
  while (stack.length > 0 && total < limits.maxTextChars) {
    const { node, exit } = stack.pop()!
    if (exit) {
      const name = (node as Element).name
      if (blockTags.has(name)) flush()
      else if (cellTags.has(name)) current += ' | '
      continue
    }
    if (++visited > limits.maxNodes) break
    if (isText(node)) {
      current += node.data
      if (current.length > 100_000) flush()
      continue
    }
    if (!isTag(node) || skip(node)) continue
    if (blockTags.has(node.name)) flush()
    stack.push({ node, exit: true })
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, exit: false })
  }
  flush()
  return blocks
}
