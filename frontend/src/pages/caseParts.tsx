import type { ReactNode } from 'react';
import type { Case, CasePage, Message, Order, TimelineEntry, User } from '../api/types';
import { Badge } from '../components';
import { CATEGORY_LABELS, formatDateTime, formatMoney, refundStatusLabel, roleLabel } from '../lib/format';
import { OrderItems, deliveryText, orderPhrase, orderTitle } from './OrdersPage';

export function Section({
  title,
  id,
  children,
  className,
}: {
  title: string;
  id: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={['section', className].filter(Boolean).join(' ')} aria-labelledby={id}>
      <h2 id={id} className="section__title">
        {title}
      </h2>
      {children}
    </section>
  );
}

function authorName(message: Message | TimelineEntry, viewer: User): string {
  const author = 'author' in message ? message.author : message.actor;
  if (author.id === viewer.id) return 'You';
  return author.name || roleLabel(author.role);
}

export function Conversation({ messages, viewer }: { messages: Message[]; viewer: User }) {
  if (messages.length === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="conversation" aria-label="Messages, oldest first">
      {messages.map((m) => {
        const staff = m.author.role === 'agent' || m.author.role === 'lead';
        const who = authorName(m, viewer);
        const roleText =
          viewer.role === 'customer' && staff ? 'Support team' : roleLabel(m.author.role);
        return (
          <li
            key={m.id}
            className={[
              'message',
              m.internal ? 'message--internal' : '',
              staff ? 'message--staff' : 'message--customer',
            ].join(' ')}
          >
            <article aria-label={`${m.internal ? 'Internal note' : 'Message'} from ${who}`}>
              <header className="message__header">
                <span className="message__author">{who}</span>
                {who !== roleText ? <span className="muted"> · {roleText}</span> : null}
                {m.internal ? (
                  <>
                    {' '}
                    <Badge tone="note">Internal note</Badge>
                  </>
                ) : null}
                <time className="message__time muted" dateTime={m.createdAt}>
                  {formatDateTime(m.createdAt)}
                </time>
              </header>
              <div className="message__body">{m.body}</div>
              {m.internal ? (
                <p className="message__note-hint">Only the support team can see this note.</p>
              ) : null}
            </article>
          </li>
        );
      })}
    </ol>
  );
}

export function Timeline({ entries, viewer }: { entries: TimelineEntry[]; viewer: User }) {
  if (entries.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="timeline">
      {entries.map((e) => (
        <li key={e.id} className={e.internal ? 'timeline__item timeline__item--internal' : 'timeline__item'}>
          <span className="timeline__summary">{e.summary}</span>
          {e.internal ? (
            <>
              {' '}
              <Badge tone="note">Internal</Badge>
            </>
          ) : null}
          <span className="muted timeline__meta">
            {' '}
            — {authorName(e, viewer)},{' '}
            <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
          </span>
        </li>
      ))}
    </ol>
  );
}

export function OrderSummary({ order, kase }: { order: Order | null; kase: Case }) {
  if (!order) return <p className="muted">The order details are not available right now.</p>;
  const concerned = order.lines.filter((l) => kase.orderLineIds.includes(l.id));
  return (
    <>
      <p>
        {orderTitle(order)}. {deliveryText(order)}.
      </p>
      {concerned.length > 0 ? (
        <p>
          This case is about: {concerned.map((l) => l.productTitle).join(', ')}.
        </p>
      ) : null}
      <OrderItems order={order} caption={`Items in the ${orderPhrase(order)}`} />
    </>
  );
}

export function Refunds({ refunds }: { refunds: CasePage['refunds'] }) {
  if (refunds.length === 0) return null;
  return (
    <ul className="plain-list">
      {refunds.map((r) => (
        <li key={r.id}>
          Refund {r.number}: {formatMoney(r.total)}, {refundStatusLabel(r.status)}, asked
          for on {formatDateTime(r.createdAt)}
        </li>
      ))}
    </ul>
  );
}

export function CaseDetails({ kase }: { kase: Case }) {
  return (
    <dl className="details">
      <div>
        <dt>Case number</dt>
        <dd>{kase.number}</dd>
      </div>
      <div>
        <dt>Category</dt>
        <dd>{CATEGORY_LABELS[kase.category] ?? 'Other'}</dd>
      </div>
      <div>
        <dt>Opened</dt>
        <dd>
          <time dateTime={kase.createdAt}>{formatDateTime(kase.createdAt)}</time>
        </dd>
      </div>
      <div>
        <dt>Last update</dt>
        <dd>
          <time dateTime={kase.updatedAt}>{formatDateTime(kase.updatedAt)}</time>
        </dd>
      </div>
      {kase.previousCaseNumber ? (
        <div>
          <dt>Follows on from</dt>
          <dd>Case {kase.previousCaseNumber}</dd>
        </div>
      ) : null}
    </dl>
  );
}

export function Description({ kase }: { kase: Case }) {
  return <div className="description">{kase.description}</div>;
}
