import { useCallback, useSyncExternalStore } from 'react';

/** What the person chose: follow the device (the default), or always light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

/** Also read by public/theme-init.js, which sets the theme before the first paint. */
export const THEME_STORAGE_KEY = 'acme-theme';
const CHANGE_EVENT = 'acme-theme-change';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export const THEME_LABELS: Record<ThemeChoice, string> = {
  system: 'Match my device',
  light: 'Light',
  dark: 'Dark',
};

function isChoice(value: unknown): value is ThemeChoice {
  return value === 'system' || value === 'light' || value === 'dark';
}

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isChoice(stored) ? stored : 'system';
  } catch {
    return 'system'; // storage blocked: follow the device
  }
}

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(choice: ThemeChoice): Theme {
  if (choice === 'system') return systemPrefersDark() ? 'dark' : 'light';
  return choice;
}

/** Puts the theme on <html data-theme>, where tokens.css reads it. */
export function applyTheme(choice: ThemeChoice = readThemeChoice()): Theme {
  const theme = resolveTheme(choice);
  document.documentElement.dataset.theme = theme;
  return theme;
}

export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage blocked: the choice lasts until the page is reloaded.
  }
  applyTheme(choice);
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  const media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null;
  const onSystemChange = () => {
    applyTheme();
    onChange();
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key === THEME_STORAGE_KEY) onSystemChange(); // chosen in another tab
  };
  media?.addEventListener('change', onSystemChange);
  window.addEventListener('storage', onStorage);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    media?.removeEventListener('change', onSystemChange);
    window.removeEventListener('storage', onStorage);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

function snapshot(): string {
  const choice = readThemeChoice();
  return `${choice}:${resolveTheme(choice)}`;
}

/** The theme choice, the theme in use, and a way to change the choice (saved for next time). */
export function useTheme(): { choice: ThemeChoice; theme: Theme; setChoice: (choice: ThemeChoice) => void } {
  const value = useSyncExternalStore(subscribe, snapshot, () => 'system:light');
  const [choice, theme] = value.split(':') as [ThemeChoice, Theme];
  const setChoice = useCallback((next: ThemeChoice) => saveThemeChoice(next), []);
  return { choice, theme, setChoice };
}
