import { http, HttpResponse } from 'msw';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CasePage, Message } from '../api/types';
import { server } from '../test/server';
import { ana, makeCasePage, makeRefund, sam } from '../test/fixtures';
import { renderApp } from '../test/render';
import { reconnectDelay } from './useCaseLiveUpdates';

type Listener = (event: Event) => void;

/** A stand-in for the browser's EventSource that the test drives. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  private listeners = new Map<string, Set<Listener>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  private dispatch(type: string, event: Event) {
    this.listeners.get(type)?.forEach((l) => l(event));
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.dispatch('open', new Event('open'));
  }
  send(type: string, data: unknown) {
    this.dispatch(type, new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.dispatch('error', new Event('error'));
  }
}

const latest = () => FakeEventSource.instances[FakeEventSource.instances.length - 1]!;

function message(id: string, author: Message['author'], body: string): Message {
  return { id, author, body, internal: false, createdAt: '2025-03-05T11:00:00Z' };
}

/** The case page, first without and then with `after`'s changes. */
function serveCase(first: CasePage, after: CasePage) {
  let loads = 0;
  server.use(
    http.get('/api/cases/case-1', () => {
      loads += 1;
      return HttpResponse.json(loads === 1 ? first : after);
    }),
    http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
  );
  return () => loads;
}

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('live updates on a case page', () => {
  it('refetches the case on each change and politely announces a new message from support', async () => {
    const first = makeCasePage({ status: 'in_progress' });
    const reply = message('m1', { id: sam.id, name: sam.name, role: 'agent' }, 'We are sending a new mug.');
    const loads = serveCase(first, { ...first, case: { ...first.case, etag: 'v2' }, messages: [reply] });
    const { unmount } = renderApp('/cases/case-1', ana);
    await screen.findByRole('heading', { level: 1, name: 'Mug arrived broken' });
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    const source = latest();
    // It tells the server which version the page shows.
    expect(source.url).toBe('/api/cases/case-1/events?etag=v1');
    act(() => source.open());

    act(() => source.send('case-changed', { etag: 'v2', kind: 'message_added' }));
    expect(await screen.findByText('We are sending a new mug.')).toBeInTheDocument();
    expect(loads()).toBe(2);
    const notifications = screen.getByRole('region', { name: 'Notifications' });
    expect(within(notifications).getByRole('list')).toHaveAttribute('aria-live', 'polite');
    expect(await within(notifications).findByText('New message from support')).toBeInTheDocument();

    unmount();
    expect(source.readyState).toBe(FakeEventSource.CLOSED);
  });

  it('tells the customer when their refund moves on', async () => {
    const first = { ...makeCasePage(), refunds: [makeRefund({ status: 'pending_approval', canCancel: true })] };
    serveCase(first, { ...first, refunds: [makeRefund({ status: 'approved' })] });
    renderApp('/cases/case-1', ana);
    expect(await screen.findByText('Waiting for approval')).toBeInTheDocument();
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    act(() => latest().send('case-changed', { etag: 'v2', kind: 'refund_event' }));
    expect(await screen.findByText('Refund R-2001: approved')).toBeInTheDocument();
    expect(screen.getByText(/Your refund is approved\. We will send the money back shortly\./)).toBeInTheDocument();
  });

  it('announces a customer’s message to the agent, but not the agent’s own', async () => {
    const first = makeCasePage({ status: 'in_progress' });
    const own = message('m1', { id: sam.id, name: sam.name, role: 'agent' }, 'Could you send a photo?');
    const theirs = message('m2', { id: ana.id, name: ana.name, role: 'customer' }, 'Here it is.');
    serveCase(first, { ...first, messages: [own, theirs] });
    renderApp('/cases/case-1', sam);
    await screen.findByRole('heading', { level: 1, name: 'Mug arrived broken' });
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    act(() => latest().send('case-changed', { etag: 'v2', kind: 'message_added' }));
    expect(await screen.findByText('Here it is.')).toBeInTheDocument();
    const notifications = screen.getByRole('region', { name: 'Notifications' });
    expect(await within(notifications).findByText('New message from the customer')).toBeInTheDocument();
    expect(within(notifications).queryByText(/Sam Agent added/)).not.toBeInTheDocument();
  });

  it('reconnects quietly after the server ends the stream, and catches up', async () => {
    const first = makeCasePage();
    const loads = serveCase(first, first);
    renderApp('/cases/case-1', ana);
    await screen.findByRole('heading', { level: 1, name: 'Mug arrived broken' });
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    const source = latest();
    // A dropped connection: the browser retries by itself, nothing to do.
    act(() => source.fail(FakeEventSource.CONNECTING));
    expect(FakeEventSource.instances).toHaveLength(1);
    // Refused or ended for good: open a new stream a little later, without any message.
    act(() => source.fail(FakeEventSource.CLOSED));
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(2), { timeout: 4000 });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    act(() => latest().open());
    await waitFor(() => expect(loads()).toBe(2));
  });
});

describe('reconnectDelay', () => {
  it('grows from 2 seconds to at most a minute', () => {
    expect([1, 2, 3, 4, 10].map(reconnectDelay)).toEqual([2000, 4000, 8000, 16000, 60000]);
  });
});
