import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Accessibility checks with axe-core in the real browser. The app's CSP allows
 * no inline scripts, so axe is evaluated through the DevTools protocol (which
 * CSP does not govern) rather than added as a <script> tag.
 */
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const A11Y_REPORT_DIR = path.resolve(import.meta.dirname, '..', 'test-results', 'a11y');

export interface A11yViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: string; readonly html: string; readonly summary: string }[];
}

const BLOCKING = new Set(['serious', 'critical']);

/** Runs axe on the page as it is now (WCAG 2.1 A/AA and best practices); every violation, any impact. */
export async function axeViolations(page: Page): Promise<A11yViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    interface AxeNode {
      target: unknown[];
      html: string;
      failureSummary?: string;
    }
    interface AxeResult {
      id: string;
      impact?: string | null;
      help: string;
      nodes: AxeNode[];
    }
    const axe = (
      window as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeResult[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        html: n.html.slice(0, 200),
        summary: n.failureSummary ?? '',
      })),
    }));
  });
}

/**
 * Fails with a readable list when axe finds a serious or critical violation on
 * the page; writes every finding (minor and moderate too) to
 * test-results/a11y/<label>.json. Returns the non-blocking ones.
 */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<A11yViolation[]> {
  const violations = await axeViolations(page);
  fs.mkdirSync(A11Y_REPORT_DIR, { recursive: true });
  fs.writeFileSync(path.join(A11Y_REPORT_DIR, `${label}.json`), JSON.stringify(violations, null, 2));
  const blocking = violations.filter((v) => v.impact !== null && BLOCKING.has(v.impact));
  if (blocking.length > 0) {
    const lines = blocking.flatMap((v) => [
      `${v.impact}: ${v.id} (${v.help})`,
      ...v.nodes.map((n) => `    ${n.target}  ${n.html}\n      ${n.summary.replace(/\n/g, '\n      ')}`),
    ]);
    throw new Error(`accessibility violations on "${label}":\n${lines.join('\n')}`);
  }
  return violations.filter((v) => !blocking.includes(v));
}
