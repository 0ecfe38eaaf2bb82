import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now, as `rule: targets` lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not a <script> tag, so a page's Content-Security-Policy does not refuse it.
  await page.evaluate(await AXE_SOURCE);
  // Browser code as a string: tests are type-checked against Node's globals, not the DOM's.
  return page.evaluate<string[]>(`axe.run().then((result) => result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
}

/**
 * A full-page screenshot with every transition and animation finished first, so the picture (and the contrast axe
 * checks next) is of the page at rest, not of a message still fading in. The style is inline: pages whose policy
 * refuses inline styles need `bypassCSP` on their browser page.
 */
export async function screenshotAtRest(page: Page, path: string): Promise<void> {
  await page.addStyleTag({ content: '*,*::before,*::after{transition:none!important;animation:none!important}' });
  await page.evaluate('document.getAnimations().forEach((animation) => animation.finish())');
  await page.screenshot({ path, fullPage: true });
}
