import { useCallback, useSyncExternalStore } from 'react';

/** The phone layout: the navigation becomes a menu and the queue a list of cards. */
export const PHONE_QUERY = '(max-width: 47.99rem)';

/** Whether a CSS media query matches now; follows changes (e.g. turning a phone). */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (typeof window.matchMedia !== 'function') return () => {};
      const media = window.matchMedia(query);
      media.addEventListener('change', onChange);
      return () => media.removeEventListener('change', onChange);
    },
    [query],
  );
  const get = () => typeof window.matchMedia === 'function' && window.matchMedia(query).matches;
  return useSyncExternalStore(subscribe, get, () => false);
}
