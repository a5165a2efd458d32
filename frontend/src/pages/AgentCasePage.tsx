import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys, useSession } from '../api';
import type { Case, CasePage, CasePriority, CaseStatus, StatusAction, User } from '../api/types';
import { Alert, Badge, Button, Loading, Page, Select, SlaBadge, TextAreaField } from '../components';
import {
  CATEGORY_LABELS,
  PRIORITIES,
  PRIORITY_LABELS,
  STATUS_LABELS,
  formatDateTime,
} from '../lib/format';
import {
  CaseDetails,
  Conversation,
  Description,
  OrderSummary,
  Refunds,
  Section,
  Timeline,
} from './caseParts';
import { statusTone } from './MyCasesPage';
import { useCasePage } from './useCasePage';

export const CONFLICT_MESSAGE = 'Someone else changed this case; we reloaded it.';

const ACTION_LABELS: Record<StatusAction, string> = {
  work: 'Mark as in progress',
  wait: 'Wait for customer',
  resolve: 'Resolve case',
  close: 'Close case',
  reopen: 'Reopen case',
};

export const ACTIONS_BY_STATUS: Record<CaseStatus, StatusAction[]> = {
  open: ['work', 'wait', 'resolve'],
  in_progress: ['wait', 'resolve'],
  waiting_on_customer: ['work', 'resolve'],
  resolved: ['reopen', 'close'],
  closed: [],
};

type Notice = { tone: 'error' | 'success' | 'warning'; text: string } | null;

/**
 * Mutations that carry the case's etag. On 409 (someone else changed the case) they say so
 * and reload the case; other errors are shown as the server's plain sentence.
 */
function useCaseAction<V>(
  kase: Case,
  setNotice: (n: Notice) => void,
  run: (vars: V) => Promise<{ case: Case }>,
  success: (result: Case, vars: V) => string,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onMutate: () => setNotice(null),
    onSuccess: (result, vars) => {
      queryClient.setQueryData<CasePage>(queryKeys.case(kase.id), (old) =>
        old ? { ...old, case: result.case } : old,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
      setNotice({ tone: 'success', text: success(result.case, vars) });
    },
    onError: (error) => {
      if (isApiError(error) && error.status === 409) {
        setNotice({ tone: 'warning', text: CONFLICT_MESSAGE });
      } else {
        setNotice({ tone: 'error', text: humanMessage(error) });
      }
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
    },
  });
}

function ManageCase({ kase, user }: { kase: Case; user: User }) {
  const [notice, setNotice] = useState<Notice>(null);
  const [assignTo, setAssignTo] = useState('');
  const [priority, setPriority] = useState<CasePriority>(kase.priority);
  const [lastPriority, setLastPriority] = useState<CasePriority>(kase.priority);
  if (kase.priority !== lastPriority) {
    // The case was reloaded with a new priority: show it.
    setLastPriority(kase.priority);
    setPriority(kase.priority);
  }

  const agents = useQuery({
    queryKey: queryKeys.agents,
    queryFn: ({ signal }) => api.listAgents(signal),
    staleTime: 5 * 60_000,
  });

  const assign = useCaseAction(
    kase,
    setNotice,
    (assigneeId: string | null) => api.assignCase(kase.id, { assigneeId, etag: kase.etag }),
    (c) => (c.assignee ? `Assigned to ${c.assignee.id === user.id ? 'you' : c.assignee.name}.` : 'Nobody is assigned now.'),
  );
  const changePriority = useCaseAction(
    kase,
    setNotice,
    (p: CasePriority) => api.updateCase(kase.id, { etag: kase.etag, priority: p }),
    (c) => `Priority is now ${PRIORITY_LABELS[c.priority].toLowerCase()}.`,
  );
  const changeStatus = useCaseAction(
    kase,
    setNotice,
    (action: StatusAction) => api.changeStatus(kase.id, { action, etag: kase.etag }),
    (c) => `The case is now ${STATUS_LABELS[c.status].toLowerCase()}.`,
  );
  const busy = assign.isPending || changePriority.isPending || changeStatus.isPending;
  const assignedToMe = kase.assignee?.id === user.id;
  const actions = ACTIONS_BY_STATUS[kase.status] ?? [];

  function onAssign(event: FormEvent) {
    event.preventDefault();
    if (!assignTo) return;
    assign.mutate(assignTo === 'nobody' ? null : assignTo);
  }

  return (
    <Section title="Manage case" id="manage-heading" className="manage">
      <div aria-live="polite" aria-atomic="true">
        {notice ? (
          <Alert tone={notice.tone} live={false}>
            {notice.text}
          </Alert>
        ) : null}
      </div>
      <dl className="details">
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={statusTone(kase.status)}>{STATUS_LABELS[kase.status]}</Badge>
          </dd>
        </div>
        <div>
          <dt>Due</dt>
          <dd>
            <SlaBadge kase={kase} />
          </dd>
        </div>
        {kase.firstResponseDueAt && !kase.firstRespondedAt ? (
          <div>
            <dt>First reply due</dt>
            <dd>{formatDateTime(kase.firstResponseDueAt)}</dd>
          </div>
        ) : null}
        {kase.resolutionDueAt ? (
          <div>
            <dt>Resolution due</dt>
            <dd>{formatDateTime(kase.resolutionDueAt)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Assigned to</dt>
          <dd>{kase.assignee ? (assignedToMe ? `You (${kase.assignee.name})` : kase.assignee.name) : 'Nobody yet'}</dd>
        </div>
      </dl>

      <h3 className="subheading">Assignment</h3>
      {!assignedToMe && kase.status !== 'closed' ? (
        <Button busy={assign.isPending} disabled={busy && !assign.isPending} onClick={() => assign.mutate(user.id)}>
          Assign to me
        </Button>
      ) : null}
      <form className="inline-form" onSubmit={onAssign}>
        <Select
          id="assign-to"
          label="Assign to someone"
          value={assignTo}
          onChange={(e) => setAssignTo(e.target.value)}
          placeholder={agents.isPending ? 'Loading people…' : 'Choose a person'}
          options={[
            ...(agents.data?.agents ?? [])
              .filter((a) => a.id !== kase.assignee?.id)
              .map((a) => ({ value: a.id, label: a.id === user.id ? `${a.name} (you)` : a.name })),
            ...(kase.assignee ? [{ value: 'nobody', label: 'Nobody (unassign)' }] : []),
          ]}
          error={agents.isError ? 'We could not load the list of people.' : undefined}
        />
        <Button type="submit" variant="secondary" disabled={!assignTo || (busy && !assign.isPending)} busy={assign.isPending}>
          Assign
        </Button>
      </form>

      <h3 className="subheading">Priority</h3>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (priority !== kase.priority) changePriority.mutate(priority);
        }}
      >
        <Select
          id="case-priority"
          label="Set priority"
          value={priority}
          onChange={(e) => setPriority(e.target.value as CasePriority)}
          options={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))}
        />
        <Button
          type="submit"
          variant="secondary"
          disabled={priority === kase.priority || (busy && !changePriority.isPending)}
          busy={changePriority.isPending}
        >
          Change priority
        </Button>
      </form>

      <h3 className="subheading">Status</h3>
      {actions.length > 0 ? (
        <div className="button-row">
          {actions.map((action) => (
            <Button
              key={action}
              variant={action === 'resolve' ? 'primary' : 'secondary'}
              disabled={busy && !(changeStatus.isPending && changeStatus.variables === action)}
              busy={changeStatus.isPending && changeStatus.variables === action}
              onClick={() => changeStatus.mutate(action)}
            >
              {ACTION_LABELS[action]}
            </Button>
          ))}
        </div>
      ) : (
        <p className="muted">This case is closed. Nothing more can be changed.</p>
      )}
    </Section>
  );
}

function Composer({ kase }: { kase: Case }) {
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sent, setSent] = useState<string | null>(null);

  const send = useMutation({
    mutationFn: (vars: { body: string; internal: boolean }) =>
      api.addMessage(kase.id, vars.internal ? { body: vars.body, internal: true } : { body: vars.body }),
    onMutate: () => setSent(null),
    onSuccess: (_result, vars) => {
      setBody('');
      setSent(vars.internal ? 'Your internal note was added.' : 'Your reply was sent to the customer.');
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
    },
    onError: (e) => {
      setError(isApiError(e) ? (e.fieldError('body') ?? e.detail) : humanMessage(e));
    },
  });

  function submit(internal: boolean) {
    if (send.isPending) return;
    if (!body.trim()) {
      setError(internal ? 'Write the note before you add it.' : 'Write your reply before you send it.');
      document.getElementById('composer-body')?.focus();
      return;
    }
    setError(undefined);
    send.mutate({ body: body.trim(), internal });
  }

  return (
    <form
      className="form composer"
      aria-label="Reply or add an internal note"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit(false);
      }}
    >
      <div aria-live="polite">{sent ? <Alert tone="success" live={false}>{sent}</Alert> : null}</div>
      <TextAreaField
        id="composer-body"
        label="Message"
        hint="A reply goes to the customer. An internal note is seen only by the support team."
        rows={5}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        error={error}
      />
      <div className="button-row">
        <Button type="submit" busy={send.isPending && send.variables?.internal === false}>
          Send reply to customer
        </Button>
        <Button
          variant="secondary"
          className="button--note"
          busy={send.isPending && send.variables?.internal === true}
          onClick={() => submit(true)}
        >
          Add internal note
        </Button>
      </div>
    </form>
  );
}

export function AgentCasePage() {
  const { query } = useCasePage();
  const { data: user } = useSession();
  const location = useLocation();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const page = query.data;
  const kase = page?.case;

  return (
    <Page
      title={kase ? kase.subject : 'Case'}
      documentTitle={kase ? `Case ${kase.number}` : 'Case'}
      lead={kase ? `Case ${kase.number} · ${CATEGORY_LABELS[kase.category] ?? 'Other'} · ${PRIORITY_LABELS[kase.priority]} priority` : undefined}
      actions={<Link to="/queue">Back to the queue</Link>}
    >
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      {query.isPending ? <Loading>Loading the case…</Loading> : null}
      {query.isError ? (
        isApiError(query.error) && query.error.status === 404 ? (
          <Alert tone="error" title="We could not find that case">
            <p>
              Go back to the <Link to="/queue">queue</Link>.
            </p>
          </Alert>
        ) : (
          <Alert tone="error" title="We could not load the case">
            <p>Please try again in a moment.</p>
            <Button variant="secondary" onClick={() => void query.refetch()}>
              Try again
            </Button>
          </Alert>
        )
      ) : null}
      {page && kase && user ? (
        <div className="case-layout">
          <div className="case-layout__main">
            <Section title="Customer’s description" id="description-heading">
              <Description kase={kase} />
            </Section>
            <Section title="Conversation" id="conversation-heading">
              <Conversation messages={page.messages} viewer={user} />
              {kase.status !== 'closed' ? <Composer kase={kase} /> : null}
            </Section>
            <Section title="History" id="timeline-heading">
              <Timeline entries={page.timeline} viewer={user} />
            </Section>
          </div>
          <aside className="case-layout__side" aria-label="Manage case, details and order">
            <ManageCase kase={kase} user={user} />
            <Section title="Case details" id="details-heading">
              <CaseDetails kase={kase} />
            </Section>
            <Section title="Order" id="order-heading">
              <OrderSummary order={page.order} kase={kase} />
            </Section>
            {page.refunds.length > 0 ? (
              <Section title="Refunds" id="refunds-heading">
                <Refunds refunds={page.refunds} />
              </Section>
            ) : null}
          </aside>
        </div>
      ) : null}
    </Page>
  );
}
