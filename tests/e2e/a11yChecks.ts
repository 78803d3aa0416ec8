import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'

/** One axe-core finding the user would hit: serious or critical, with where it is. */
export interface AxeFinding {
  rule: string
  impact: string
  help: string
  targets: string[]
}

/** The serious and critical axe-core violations on the page as it is now (WCAG 2.x A and AA rules), or inside `within` only. */
export async function seriousAxeViolations(page: Page, within?: string): Promise<AxeFinding[]> {
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
  const results = await (within ? builder.include(within) : builder).analyze()
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact!,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }))
}

/** The page's landmarks and headings that a view must have exactly one of. */
export async function landmarkCounts(page: Page): Promise<{ h1: number; main: number }> {
  return page.evaluate(() => ({
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role="main"]').length,
  }))
}

/**
 * Elements that stick out of the viewport sideways where the user would see them cut off: anything wider
 * than the window that no scrolling or clipping container (a table's scroller, a code block) holds inside
 * the window, and a page that scrolls sideways at all.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const found: string[] = []
    if (document.documentElement.scrollWidth > width + 1)
      found.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px wide)`)
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).join('.')}` : ''}`
    const heldInside = (element: Element) => {
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        const style = getComputedStyle(parent)
        if (style.overflowX !== 'visible') {
          const box = parent.getBoundingClientRect()
          return box.left >= -1 && box.right <= width + 1
        }
      }
      return false
    }
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      const box = element.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      if (getComputedStyle(element).visibility === 'hidden') continue
      if ((box.right > width + 1 || box.left < -1) && !heldInside(element))
        found.push(`${describe(element)} spans ${Math.round(box.left)}–${Math.round(box.right)} px`)
    }
    return found
  })
}
