import type { ReactNode, Ref } from 'react';
import { Link } from 'react-router-dom';
import type { Case, CasePriority, CaseStatus, CaseSummary, Message, Order, TimelineEntry, User } from '../api/types';
import { Badge, SlaBadge, type BadgeTone } from '../components';
import {
  CATEGORY_LABELS,
  CUSTOMER_STATUS_LABELS,
  PRIORITY_LABELS,
  STATUS_LABELS,
  formatDateTime,
  roleLabel,
} from '../lib/format';
import { casePath } from '../lib/routes';
import { OrderItems, deliveryText, orderPhrase, orderTitle } from './OrdersPage';

export function statusTone(status: CaseStatus): BadgeTone {
  switch (status) {
    case 'open':
    case 'in_progress':
      return 'info';
    case 'waiting_on_customer':
      return 'warning';
    case 'resolved':
      return 'success';
    case 'closed':
      return 'neutral';
  }
}

export function priorityTone(priority: CasePriority): BadgeTone {
  if (priority === 'urgent') return 'danger';
  if (priority === 'high') return 'warning';
  return 'neutral';
}

/** A titled part of a page (a region named by its h2). `headingRef` lets code move focus to it. */
export function Section({
  title,
  id,
  children,
  className,
  headingRef,
}: {
  title: string;
  id: string;
  children: ReactNode;
  className?: string;
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  return (
    <section className={['section', className].filter(Boolean).join(' ')} aria-labelledby={id}>
      <h2 id={id} className="section__title" ref={headingRef} tabIndex={headingRef ? -1 : undefined}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/**
 * Cases as a list of cards (the phone layout of the queue and of My cases). Each card's title
 * links to the case and carries data-case-link, which the queue's j/k shortcuts move between.
 */
export function CaseCards({
  cases,
  label,
  viewer,
  headingLevel = 2,
  now = Date.now(),
}: {
  cases: CaseSummary[];
  label: string;
  viewer: 'customer' | 'staff';
  headingLevel?: 2 | 3;
  now?: number;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul className="case-cards" aria-label={label}>
      {cases.map((c) => (
        <li key={c.id} className="case-card">
          <Heading className="case-card__title">
            <Link to={casePath(c.id)} data-case-link="">
              <span className="case-card__number">{c.number}</span>
              <span className="visually-hidden">: </span>
              {c.subject}
            </Link>
          </Heading>
          <div className="case-card__badges">
            <Badge tone={statusTone(c.status)}>
              {viewer === 'customer' ? CUSTOMER_STATUS_LABELS[c.status] : STATUS_LABELS[c.status]}
            </Badge>
            {viewer === 'staff' ? (
              <>
                <Badge tone={priorityTone(c.priority)}>{PRIORITY_LABELS[c.priority]} priority</Badge>
                <SlaBadge kase={c} now={now} />
              </>
            ) : null}
          </div>
          <p className="case-card__meta">
            {viewer === 'staff' ? (
              <>
                {CATEGORY_LABELS[c.category] ?? 'Other'} · {c.assignee ? `Assigned to ${c.assignee.name}` : 'Not assigned'}
                {' · '}
              </>
            ) : null}
            Updated <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
          </p>
        </li>
      ))}
    </ul>
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
        // One's own side (the customer's, or the support team's) sits on the right.
        const own = viewer.role === 'customer' ? m.author.role === 'customer' : staff;
        return (
          <li
            key={m.id}
            className={[
              'message',
              own ? 'message--own' : 'message--other',
              m.internal ? 'message--internal' : '',
            ]
              .filter(Boolean)
              .join(' ')}
          >
            <article aria-label={`${m.internal ? 'Internal note' : 'Message'} from ${who}`}>
              <header className="message__header">
                <span className="message__author">{who}</span>
                {who !== roleText && who !== 'You' ? <span className="muted"> · {roleText}</span> : null}
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

/**
 * What a history entry says, in words. An assignment names the person the BFF names (the service's
 * own sentence names nobody); the viewer reads "you" for themselves.
 */
export function timelineText(entry: TimelineEntry, viewer: User): string {
  if (entry.kind !== 'assigned' || !entry.assignee) return entry.summary;
  if (entry.assignee.id === viewer.id) return 'Assigned to you';
  return `Assigned to ${entry.assignee.name}`;
}

export function Timeline({ entries, viewer }: { entries: TimelineEntry[]; viewer: User }) {
  if (entries.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="timeline">
      {entries.map((e) => (
        <li key={e.id} className={e.internal ? 'timeline__item timeline__item--internal' : 'timeline__item'}>
          <span className="timeline__summary">{timelineText(e, viewer)}</span>
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
