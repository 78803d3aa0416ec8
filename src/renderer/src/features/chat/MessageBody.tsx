import { memo, useState, type ComponentProps, type ReactNode } from 'react'
import Markdown, { type Components } from 'react-markdown'
import rehypeHighlight from 'rehype-highlight'
import remarkGfm from 'remark-gfm'
import type { Element, ElementContent } from 'hast'
import { remarkHtmlAsText, urlTransform } from './markdownSafety'
import { splitSettled } from './settledMarkdown'

const remarkPlugins = [remarkGfm, remarkHtmlAsText]
const rehypePlugins = [[rehypeHighlight, { detect: false }]] as ComponentProps<typeof Markdown>['rehypePlugins']
const COPIED_MS = 1500

/** The text inside a hast element (the code of a code block, before highlighting split it into spans). */
function textOf(node: Element | ElementContent): string {
  if (node.type === 'text') return node.value
  if (node.type === 'element') return node.children.map(textOf).join('')
  return ''
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    )
    setTimeout(() => setState('idle'), COPIED_MS)
  }
  return (
    <button type="button" className="copy-code" onClick={copy} aria-label="Copy code">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  )
}

const components: Components = {
  pre({ node, children }) {
    return (
      <div className="code-block">
        <CopyButton text={node ? textOf(node) : ''} />
        {/* Focusable so a long line can be scrolled sideways from the keyboard. */}
        <pre tabIndex={0}>{children}</pre>
      </div>
    )
  },
  // Links leave the app: Electron's window-open handler sends https links to the system browser, a browser
  // opens a new tab. Without a safe href (see urlTransform) only the text remains.
  a({ href, children }) {
    if (!href) return <span className="dropped-link">{children}</span>
    return (
      <a href={href} target="_blank" rel="noreferrer noopener">
        {children}
      </a>
    )
  },
  // A task list's boxes show what the reply ticked; they are not a form, and each says its state in words.
  input({ type, checked }) {
    if (type !== 'checkbox') return null
    return <input type="checkbox" checked={checked === true} disabled aria-label={checked ? 'Done' : 'Not done'} />
  },
  // Images would load from wherever the reply points (a tracking pixel); show a link to them instead.
  img({ src, alt }) {
    const label = `Image: ${alt || 'untitled'}`
    if (typeof src !== 'string' || !src) return <span className="image-placeholder">{label}</span>
    return (
      <a href={src} target="_blank" rel="noreferrer noopener" className="image-placeholder">
        {label}
      </a>
    )
  },
}

/** Markdown rendered once per distinct text; the settled part of a streaming reply keeps its element tree. */
const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <Markdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components} urlTransform={urlTransform}>
      {text}
    </Markdown>
  )
})

/**
 * A message's text. Assistant replies are Markdown (GFM tables and task lists, highlighted code with a copy
 * button); raw HTML is shown as text and never interpreted. What the user typed is shown exactly as typed.
 */
export const MessageBody = memo(function MessageBody({
  text,
  markdown,
  streaming,
}: {
  text: string
  markdown: boolean
  streaming: boolean
}) {
  let body: ReactNode
  if (!markdown) body = <div className="plain">{text}</div>
  else if (!streaming) body = <MarkdownBlock text={text} />
  else {
    const { settled, tail } = splitSettled(text)
    body = (
      <>
        {settled && <MarkdownBlock text={settled} />}
        {tail && <MarkdownBlock text={tail} />}
      </>
    )
  }
  return (
    <div className={markdown ? 'content markdown' : 'content'}>
      {body}
      {streaming && <span className="cursor" aria-hidden="true" />}
    </div>
  )
})
