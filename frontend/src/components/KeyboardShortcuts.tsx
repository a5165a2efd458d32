import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button } from './Button';
import { Checkbox } from './Checkbox';
import { Dialog } from './Dialog';

/** The single-key shortcuts of the agent console, as the help dialog lists them. */
export const SHORTCUT_GROUPS: { title: string; items: { keys: string[]; label: string }[] }[] = [
  { title: 'Anywhere', items: [{ keys: ['?'], label: 'Show the keyboard shortcuts' }] },
  {
    title: 'In the queue',
    items: [
      { keys: ['/'], label: 'Search cases' },
      { keys: ['j'], label: 'Next case' },
      { keys: ['k'], label: 'Previous case' },
      { keys: ['Enter'], label: 'Open the selected case' },
    ],
  },
  {
    title: 'On a case',
    items: [
      { keys: ['a'], label: 'Assign the case to me' },
      { keys: ['r'], label: 'Write a reply or an internal note' },
    ],
  },
];

const STORAGE_KEY = 'acme-shortcuts';

interface Settings {
  /** Whether this person has shortcuts at all (the support team). */
  available: boolean;
  /** Whether single-key shortcuts are on (WCAG 2.1.4: they can be turned off). */
  enabled: boolean;
  setEnabled: (enabled: boolean) => void;
  openHelp: () => void;
}

const ShortcutsContext = createContext<Settings>({
  available: false,
  enabled: false,
  setEnabled: () => {},
  openHelp: () => {},
});

export function useShortcutSettings(): Settings {
  return useContext(ShortcutsContext);
}

/**
 * True when a key press belongs to what has focus: typing in a field, choosing in a list or
 * menu, or anything in a dialog. Shortcuts stay out of the way then.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  }
  return Boolean(
    target.closest(
      'textarea, select, [contenteditable=""], [contenteditable="true"], [role="textbox"], [role="combobox"], ' +
        '[role="listbox"], [role="menu"], [aria-haspopup="listbox"], [role="dialog"], [role="alertdialog"]',
    ),
  );
}

function dialogIsOpen(): boolean {
  return document.querySelector('[role="dialog"], [role="alertdialog"]') !== null;
}

/** Calls handlers[event.key] for single-key presses, unless typing, in a dialog, or turned off. */
export function useShortcuts(handlers: Record<string, () => void>, active = true): void {
  const { available, enabled } = useShortcutSettings();
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!available || !enabled || !active) return undefined;
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (isTypingTarget(event.target) || dialogIsOpen()) return;
      const handler = latest.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [available, enabled, active]);
}

function readEnabled(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

function ShortcutsHelp({ isOpen, onOpenChange }: { isOpen: boolean; onOpenChange: (open: boolean) => void }) {
  const { enabled, setEnabled } = useShortcutSettings();
  return (
    <Dialog title="Keyboard shortcuts" isOpen={isOpen} onOpenChange={onOpenChange} className="modal--wide">
      {(close) => (
        <>
          <div className="dialog__body shortcuts">
            <p>Press a key when you are not typing in a field.</p>
            {SHORTCUT_GROUPS.map((group) => (
              <section key={group.title} className="shortcuts__group" aria-labelledby={`shortcuts-${group.title}`}>
                <h3 className="shortcuts__title" id={`shortcuts-${group.title}`}>
                  {group.title}
                </h3>
                <dl className="shortcuts__list">
                  {group.items.map((item) => (
                    <div key={item.label} className="shortcuts__item">
                      <dt>
                        {item.keys.map((k) => (
                          <kbd key={k}>{k}</kbd>
                        ))}
                      </dt>
                      <dd>{item.label}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            ))}
            <Checkbox isSelected={enabled} onChange={setEnabled}>
              Use single-key shortcuts
            </Checkbox>
          </div>
          <div className="dialog__actions">
            <Button onPress={close}>Close</Button>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** Shortcut settings for the page, "?" for the list, and the list itself (a dialog). */
export function ShortcutsProvider({ available, children }: { available: boolean; children: ReactNode }) {
  const [enabled, setEnabledState] = useState(readEnabled);
  const [helpOpen, setHelpOpen] = useState(false);
  const setEnabled = useCallback((on: boolean) => {
    setEnabledState(on);
    try {
      if (on) window.localStorage.removeItem(STORAGE_KEY);
      else window.localStorage.setItem(STORAGE_KEY, 'off');
    } catch {
      // Storage blocked: the setting lasts until the page is reloaded.
    }
  }, []);
  const openHelp = useCallback(() => setHelpOpen(true), []);
  const value = useMemo(
    () => ({ available, enabled, setEnabled, openHelp }),
    [available, enabled, setEnabled, openHelp],
  );
  return (
    <ShortcutsContext.Provider value={value}>
      <HelpKey />
      {children}
      {available ? <ShortcutsHelp isOpen={helpOpen} onOpenChange={setHelpOpen} /> : null}
    </ShortcutsContext.Provider>
  );
}

function HelpKey() {
  const { openHelp } = useShortcutSettings();
  useShortcuts({ '?': openHelp });
  return null;
}
