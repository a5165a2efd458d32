import { describe, expect, it } from 'vitest';
import bffMiddleware from '../../bff/middleware.py?raw';
import mockBff from '../e2e/mock-bff/server.mjs?raw';
import indexHtml from '../index.html?raw';
import pressableCss from '../public/react-aria-pressable.css?raw';

// The Content-Security-Policy (bff/middleware.py; the mock BFF sends the same style-src) allows
// no inline style or script. React Aria makes two <style> elements of its own; this checks, in
// the installed packages, that each is still allowed by the CSP or never made, and that there
// is no third one. It fails after an upgrade of react-aria that changes what they are.

// Every module of React Aria as installed (react-aria-components builds on react-aria and
// react-stately; there are no separate @react-aria/* packages any more). .mjs: what Vite bundles.
const sources = import.meta.glob<string>(
  [
    '../node_modules/react-aria/dist/private/**/*.mjs',
    '../node_modules/react-aria-components/dist/private/**/*.mjs',
    '../node_modules/react-stately/dist/private/**/*.mjs',
  ],
  { query: '?raw', import: 'default', eager: true },
);

function file(path: string): string {
  const source = sources[`../node_modules/${path}`];
  if (source === undefined) throw new Error(`${path} is not in the installed packages`);
  return source;
}

/** The text each `<style>` made in a module gets: `style.textContent = \`…\`.trim()`. */
function styleTexts(source: string): string[] {
  return [...source.matchAll(/\.textContent\s*=\s*`([^`]*)`\.trim\(\)/g)].map((m) => (m[1] as string).trim());
}

async function sha256Source(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

function styleSrc(csp: string): string[] {
  const directive = csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('style-src '));
  if (!directive) throw new Error(`No style-src in ${csp}`);
  return directive.split(/\s+/).slice(1);
}

/** The CSP constant of bff/middleware.py: its string literals, joined. */
function bffCsp(): string {
  const block = /^CSP = \(\n([\s\S]*?)\n\)/m.exec(bffMiddleware);
  if (!block) throw new Error('No CSP = (…) in bff/middleware.py');
  return [...(block[1] as string).matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
}

function mockCsp(): string {
  const header = /'Content-Security-Policy':\s*"([^"]+)"/.exec(mockBff);
  if (!header) throw new Error('No Content-Security-Policy in e2e/mock-bff/server.mjs');
  return header[1] as string;
}

const PREVENT_SCROLL = 'react-aria/dist/private/overlays/usePreventScroll.mjs';
const PRESS = 'react-aria/dist/private/interactions/usePress.mjs';

describe('the CSP and the styles React Aria injects', () => {
  it('React Aria makes <style> elements in two places only', () => {
    const makers = Object.entries(sources)
      .filter(([, source]) => /createElement\(\s*['"`]style['"`]\s*\)/.test(source))
      .map(([path]) => path.replace('../node_modules/', ''))
      .sort();
    // A new one: allow its text by hash in the CSP (as below), or make it unnecessary.
    expect(makers).toEqual([PRESS, PREVENT_SCROLL]);
  });

  it("allows iOS's scroll-lock style (usePreventScroll) by its hash, in the BFF and the mock BFF", async () => {
    const texts = styleTexts(file(PREVENT_SCROLL));
    expect(texts).toHaveLength(1);
    const [text] = texts as [string];
    expect(text).toContain('overscroll-behavior: contain');
    const hash = await sha256Source(text);
    // If this fails after a react-aria upgrade, put the new hash into the CSP in
    // bff/middleware.py and e2e/mock-bff/server.mjs.
    expect(styleSrc(bffCsp())).toEqual(["'self'", hash]);
    expect(styleSrc(mockCsp())).toEqual(["'self'", hash]);
  });

  it('never needs the pressable style (usePress): index.html already has an element with its id', () => {
    const source = file(PRESS);
    const styleId = /STYLE_ID\s*=\s*'([^']+)'/.exec(source)?.[1];
    expect(styleId).toBe('react-aria-pressable-style');
    expect(source).toMatch(/getElementById\([^)]*STYLE_ID\)\) return;/);
    expect(indexHtml).toContain(`id="${styleId}"`);
    // …and public/react-aria-pressable.css still says what React Aria would have said.
    const attribute = /PRESSABLE_ATTRIBUTE\s*=\s*'([^']+)'/.exec(source)?.[1] ?? '';
    const [text] = styleTexts(source) as [string];
    const rule = text.replace(/\$\{[^}]*PRESSABLE_ATTRIBUTE\}/, attribute);
    const squash = (css: string) => css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').trim();
    expect(squash(pressableCss)).toBe(squash(rule));
  });

  it('React Aria makes no inline script', () => {
    const offenders = Object.entries(sources)
      .filter(([, source]) =>
        /createElement\(\s*['"`]script['"`]\s*\)|new Function\(|\beval\(|insertAdjacentHTML|setAttribute\(\s*['"`]style['"`]/.test(
          source,
        ),
      )
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
