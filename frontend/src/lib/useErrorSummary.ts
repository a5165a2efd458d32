import { useEffect, useRef } from 'react';

/** Moves focus to an error summary each time a new set of errors is shown. */
export function useFocusOnChange<T extends HTMLElement>(trigger: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (trigger) ref.current?.focus();
  }, [trigger]);
  return ref;
}
