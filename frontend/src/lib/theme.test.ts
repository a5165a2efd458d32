import { describe, expect, it } from 'vitest';
import { setDevice } from '../test/media';
import { THEME_STORAGE_KEY, applyTheme, readThemeChoice, resolveTheme, saveThemeChoice } from './theme';

describe('theme', () => {
  it('follows the device by default', () => {
    expect(readThemeChoice()).toBe('system');
    expect(resolveTheme('system')).toBe('light');
    setDevice({ dark: true });
    expect(resolveTheme('system')).toBe('dark');
    expect(applyTheme()).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('remembers a chosen theme, and forgets it when going back to the device', () => {
    saveThemeChoice('dark');
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(readThemeChoice()).toBe('dark');
    saveThemeChoice('system');
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('ignores a stored value it does not know', () => {
    window.localStorage.setItem(THEME_STORAGE_KEY, 'purple');
    expect(readThemeChoice()).toBe('system');
  });
});
