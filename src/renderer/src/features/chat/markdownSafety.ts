import type { Element } from 'hast'
import type { Nodes, Parent, Root } from 'mdast'

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/**
 * Keeps only absolute http(s) and mailto links. Everything else (javascript:, data:, file:, relative paths
 * that would navigate the app itself) is dropped, so a reply cannot run code or move the window.
 */
export function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url)
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null
  } catch {
    return null
  }
}

/** react-markdown's urlTransform: `href`s are filtered; image sources never load (images render as links). */
export function urlTransform(url: string, key: string, _node: Readonly<Element>): string | null {
  return key === 'href' || key === 'src' ? safeUrl(url) : null
}

/**
 * A remark plugin that turns raw HTML into plain text: a reply containing `<script>` or `<img onerror>`
 * shows those characters instead of losing them or running them.
 */
export function remarkHtmlAsText() {
  return (tree: Root) => {
    textify(tree)
  }
}

function textify(node: Nodes): void {
  if (!('children' in node)) return
  const parent = node as Parent
  parent.children = parent.children.map((child) => {
    if (child.type !== 'html') {
      textify(child)
      return child
    }
    const text = { type: 'text' as const, value: child.value, position: child.position }
    // Block HTML sits where a paragraph would; inline HTML is already inside one.
    return parent.type === 'root' || parent.type === 'blockquote' || parent.type === 'listItem'
      ? { type: 'paragraph' as const, children: [text], position: child.position }
      : text
  }) as Parent['children']
}
