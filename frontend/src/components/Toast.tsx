import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button } from './Button';
import { Icon } from './Icon';

export type ToastTone = 'success' | 'info' | 'warning' | 'error';
type Notify = (message: string, tone?: ToastTone) => void;

interface ToastItem {
  id: number;
  message: string;
  tone: ToastTone;
}

const ToastContext = createContext<Notify>(() => {});

/** Shows a short message in the notification area; screen readers hear it politely. */
export function useToast(): Notify {
  return useContext(ToastContext);
}

/** How long a notification stays (paused while the pointer or focus is on it). */
export const TOAST_TIMEOUT_MS = 8000;

function Toast({ item, onDismiss }: { item: ToastItem; onDismiss: (id: number) => void }) {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return undefined;
    const timer = window.setTimeout(() => onDismiss(item.id), TOAST_TIMEOUT_MS);
    return () => window.clearTimeout(timer);
  }, [paused, item.id, onDismiss]);
  return (
    <li
      className={`toast toast--${item.tone}`}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
    >
      <Icon name={item.tone} className="toast__icon" />
      <p className="toast__message">{item.message}</p>
      <Button variant="quiet" size="sm" className="toast__close" aria-label="Dismiss" onPress={() => onDismiss(item.id)}>
        <Icon name="close" size={16} />
      </Button>
    </li>
  );
}

/**
 * The notification area (bottom of the screen): confirmations of what just happened, such as
 * "Assigned to you." It is an aria-live region that exists before any message arrives.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setItems((list) => list.filter((t) => t.id !== id)), []);
  const notify = useCallback<Notify>((message, tone = 'success') => {
    const id = nextId.current++;
    // Keep the three newest; the same message twice in a row is shown once.
    setItems((list) => [...list.filter((t) => t.message !== message), { id, message, tone }].slice(-3));
  }, []);
  const value = useMemo(() => notify, [notify]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <section className="toast-region" aria-label="Notifications">
        <ol className="toast-list" aria-live="polite" aria-relevant="additions text">
          {items.map((item) => (
            <Toast key={item.id} item={item} onDismiss={dismiss} />
          ))}
        </ol>
      </section>
    </ToastContext.Provider>
  );
}
