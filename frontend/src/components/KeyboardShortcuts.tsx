import {
  Suspense,
  createContext,
  lazy,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';

// The list is a dialog with a checkbox: loaded when first opened, so that people without
// shortcuts (customers) and staff who never open it do not download the dialog code up front.
const ShortcutsHelp = lazy(() => import('./ShortcutsHelp').then((m) => ({ default: m.ShortcutsHelp })));

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

/** Shortcut settings for the page, "?" for the list, and the list itself (a dialog). */
export function ShortcutsProvider({ available, children }: { available: boolean; children: ReactNode }) {
  const [enabled, setEnabledState] = useState(readEnabled);
  const [helpOpen, setHelpOpen] = useState(false);
  // Once opened, the dialog stays mounted (closed), so that it can animate out and reopen at once.
  const [helpWanted, setHelpWanted] = useState(false);
  if (helpOpen && !helpWanted) setHelpWanted(true);
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
      {available && helpWanted ? (
        <Suspense fallback={null}>
          <ShortcutsHelp isOpen={helpOpen} onOpenChange={setHelpOpen} />
        </Suspense>
      ) : null}
    </ShortcutsContext.Provider>
  );
}

function HelpKey() {
  const { openHelp } = useShortcutSettings();
  useShortcuts({ '?': openHelp });
  return null;
}
