import { describe, expect, it } from 'vitest';
import tokensCss from './tokens.css?raw';

// Checks the colour pairs the components use, in both themes, against WCAG 2.1 AA:
// 4.5:1 for text, 3:1 for control borders, focus rings and other meaningful non-text parts.

function themeColours(selector: string): Record<string, string> {
  const start = tokensCss.indexOf(selector);
  if (start === -1) throw new Error(`No ${selector} block in tokens.css`);
  const block = tokensCss.slice(start, tokensCss.indexOf('}', start));
  const colours: Record<string, string> = {};
  for (const match of block.matchAll(/--(color-[\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)) {
    colours[match[1] as string] = (match[2] as string).toLowerCase();
  }
  return colours;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const SURFACES = ['bg', 'surface', 'surface-subtle', 'surface-hover'];
const TEXT: [string, string[]][] = [
  ['text', [...SURFACES, 'info-bg', 'note-bg', 'neutral-bg']],
  ['text-muted', [...SURFACES, 'info-bg']],
  ['link', [...SURFACES, 'info-bg']],
  ['link-visited', ['bg', 'surface']],
  ['primary', ['surface', 'surface-hover']],
  ['on-primary', ['primary', 'primary-hover']],
  ['on-danger', ['danger', 'danger-hover']],
  ['info-text', ['info-bg']],
  ['success-text', ['success-bg']],
  ['warning-text', ['warning-bg']],
  ['danger-text', ['danger-bg', 'surface', 'bg']],
  ['note-text', ['note-bg']],
  ['neutral-text', ['neutral-bg']],
];
const NON_TEXT: [string, string[]][] = [
  ['border', ['bg', 'surface', 'surface-subtle']],
  ['focus', ['bg', 'surface', 'surface-subtle', 'focus-halo']],
  ['primary', ['bg', 'surface', 'surface-subtle']], // also the dashboard's bars on their track
  ['danger', ['bg', 'surface']],
  ['note-border', ['note-bg', 'surface']],
];

describe.each([
  ['light', ":root[data-theme='light']"],
  ['dark', ":root[data-theme='dark']"],
])('the %s theme', (_name, selector) => {
  const colours = themeColours(selector);
  const get = (name: string) => {
    const value = colours[`color-${name}`];
    if (!value) throw new Error(`--color-${name} is missing`);
    return value;
  };

  it.each(TEXT.flatMap(([fg, bgs]) => bgs.map((bg) => [fg, bg] as const)))(
    'text in %s on %s is at least 4.5:1',
    (fg, bg) => {
      expect(contrast(get(fg), get(bg))).toBeGreaterThanOrEqual(4.5);
    },
  );

  it.each(NON_TEXT.flatMap(([fg, bgs]) => bgs.map((bg) => [fg, bg] as const)))(
    '%s against %s is at least 3:1',
    (fg, bg) => {
      expect(contrast(get(fg), get(bg))).toBeGreaterThanOrEqual(3);
    },
  );

  it('defines every colour the other theme defines', () => {
    const light = Object.keys(themeColours(":root[data-theme='light']")).sort();
    expect(Object.keys(colours).sort()).toEqual(light);
  });
});
