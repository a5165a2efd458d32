// jsdom has no matchMedia: this stand-in answers from a set of "device" features that tests
// can change (a phone, a dark-mode device) and tells listeners when they change.

interface Device {
  phone: boolean;
  dark: boolean;
}

const device: Device = { phone: false, dark: false };
const listeners = new Set<() => void>();

function matches(query: string): boolean {
  if (query.includes('max-width')) return device.phone;
  if (query.includes('prefers-color-scheme: dark')) return device.dark;
  return false;
}

/** Pretends to be a phone (narrow screen) and/or a device set to dark mode. */
export function setDevice(next: Partial<Device>): void {
  Object.assign(device, next);
  listeners.forEach((notify) => notify());
}

export function resetMedia(): void {
  device.phone = false;
  device.dark = false;
}

window.matchMedia = (query: string) => {
  const listenerMap = new Map<EventListenerOrEventListenerObject, () => void>();
  const list = {
    media: query,
    get matches() {
      return matches(query);
    },
    onchange: null,
    addEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
      const notify = () =>
        typeof listener === 'function' ? listener(new Event('change')) : listener.handleEvent(new Event('change'));
      listenerMap.set(listener, notify);
      listeners.add(notify);
    },
    removeEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
      const notify = listenerMap.get(listener);
      if (notify) listeners.delete(notify);
    },
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false,
  };
  return list as unknown as MediaQueryList;
};
