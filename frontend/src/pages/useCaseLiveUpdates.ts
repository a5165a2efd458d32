import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { caseEventsUrl, queryKeys } from '../api';
import type { CaseChangedEvent, CasePage, User } from '../api/types';
import { useToast } from '../components';
import { CUSTOMER_REFUND_STATUS_LABELS } from '../lib/refunds';

/** The server-sent event that says a case changed. */
export const CASE_CHANGED_EVENT = 'case-changed';

/** Waits before opening the stream again after the server refused or ended it: 2 s, 4 s … 1 min. */
export function reconnectDelay(attempt: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

function parseEvent(data: unknown): CaseChangedEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && typeof (value as CaseChangedEvent).kind === 'string') {
      return value as CaseChangedEvent;
    }
  } catch {
    // Not JSON: treat it as "something changed".
  }
  return null;
}

/**
 * Live updates of an open case page: listens to GET /api/cases/{caseId}/events (EventSource) and
 * refetches the case page on each `case-changed` event. The browser reconnects by itself after
 * a dropped connection; when the server refuses or ends the stream for good, this opens it again
 * after a growing pause, quietly (the page works without it), and refetches once it is back.
 * The stream closes when the page goes away.
 */
export function useCaseEvents(caseId: string, page: CasePage | undefined): void {
  const queryClient = useQueryClient();
  const enabled = Boolean(page) && caseId !== '';
  // The version the page shows when the stream opens: the server reports at once if it is stale.
  const etag = useRef<string | undefined>(undefined);
  const shown = page?.case.etag;
  useEffect(() => {
    etag.current = shown;
  }, [shown]);

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return undefined;
    let source: EventSource | null = null;
    let timer: number | undefined;
    let failures = 0;
    let stopped = false;

    const refetch = (kinds: string[]) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(caseId) });
      if (kinds.some((k) => k === 'refund_event' || k === 'resync')) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.allRefunds });
        void queryClient.invalidateQueries({ queryKey: queryKeys.allRefundQuotes });
      }
    };

    const open = () => {
      if (stopped) return;
      const reconnecting = failures > 0;
      const current = new EventSource(caseEventsUrl(caseId, etag.current));
      source = current;
      current.addEventListener('open', () => {
        if (reconnecting) refetch(['resync']); // something may have changed while it was closed
        failures = 0;
      });
      current.addEventListener(CASE_CHANGED_EVENT, (event) => {
        const data = parseEvent((event as MessageEvent).data);
        refetch(data ? (data.kinds ?? [data.kind]) : ['resync']);
      });
      current.addEventListener('error', () => {
        // CONNECTING: the browser is already trying again. CLOSED: it gave up (an error status,
        // or the server is gone), so try again later, without telling anyone.
        if (current.readyState !== EventSource.CLOSED || stopped) return;
        current.close();
        failures += 1;
        timer = window.setTimeout(open, reconnectDelay(failures));
      });
    };

    open();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      source?.close();
    };
  }, [caseId, enabled, queryClient]);
}

interface Snapshot {
  caseId: string;
  messageIds: Set<string>;
  refundStatuses: Map<string, string>;
}

function snapshot(page: CasePage): Snapshot {
  return {
    caseId: page.case.id,
    messageIds: new Set(page.messages.map((m) => m.id)),
    refundStatuses: new Map(page.refunds.map((r) => [r.id, r.status])),
  };
}

/**
 * What changed on the case since it was last shown, said politely in the notification area
 * (an aria-live region): new messages from the other side, and refund news for the customer.
 * One's own changes are not announced (they have their own confirmation).
 */
export function announcements(before: Snapshot, page: CasePage, viewer: User): string[] {
  const said: string[] = [];
  const fresh = page.messages.filter((m) => !before.messageIds.has(m.id) && m.author.id !== viewer.id);
  if (viewer.role === 'customer') {
    if (fresh.length > 0) said.push(fresh.length === 1 ? 'New message from support' : `${fresh.length} new messages from support`);
    for (const refund of page.refunds) {
      const was = before.refundStatuses.get(refund.id);
      if (was === undefined || was === refund.status) continue;
      if (refund.status === 'cancelled') continue; // the customer did that
      said.push(`Refund ${refund.number}: ${CUSTOMER_REFUND_STATUS_LABELS[refund.status].toLowerCase()}`);
    }
  } else {
    const fromCustomer = fresh.filter((m) => m.author.role === 'customer');
    const fromTeam = fresh.filter((m) => m.author.role !== 'customer');
    if (fromCustomer.length > 0) {
      said.push(fromCustomer.length === 1 ? 'New message from the customer' : `${fromCustomer.length} new messages from the customer`);
    }
    for (const m of fromTeam) said.push(`${m.author.name || 'Someone'} added ${m.internal ? 'an internal note' : 'a reply'}`);
    const requested = page.refunds.filter((r) => !before.refundStatuses.has(r.id) && r.requestedBy.id !== viewer.id);
    if (requested.length > 0) said.push('The customer asked for a refund');
  }
  return said;
}

/** Announces what others changed on the case page (see `announcements`). */
export function useAnnounceCaseChanges(page: CasePage | undefined, viewer: User | null | undefined): void {
  const notify = useToast();
  const last = useRef<Snapshot | null>(null);
  useEffect(() => {
    if (!page || !viewer) return;
    const before = last.current;
    last.current = snapshot(page);
    if (!before || before.caseId !== page.case.id) return; // the first look at this case
    for (const text of announcements(before, page, viewer)) notify(text, 'info');
  }, [page, viewer, notify]);
}
