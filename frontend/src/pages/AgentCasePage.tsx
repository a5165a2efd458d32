import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys, useSession } from '../api';
import type { Case, CasePage, CasePriority, CaseStatus, StatusAction, User } from '../api/types';
import {
  Alert,
  Badge,
  Button,
  ConfirmDialog,
  LoadError,
  Page,
  Select,
  Skeleton,
  SlaBadge,
  TextArea,
  useShortcuts,
  useToast,
} from '../components';
import { CATEGORY_LABELS, PRIORITIES, PRIORITY_LABELS, STATUS_LABELS, formatDateTime } from '../lib/format';
import {
  CaseDetails,
  Conversation,
  Description,
  OrderSummary,
  Section,
  Timeline,
  statusTone,
} from './caseParts';
import { useCasePage } from './useCasePage';
import { StaffRefunds } from './refundParts';
import { useAnnounceCaseChanges, useCaseEvents } from './useCaseLiveUpdates';

export const CONFLICT_MESSAGE = 'Someone else changed this case; we reloaded it.';
export const COMPOSER_ID = 'composer-body';

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

/** Actions that ask first: resolving tells the customer; closing is final. */
const CONFIRMATIONS: Partial<Record<StatusAction, { title: string; body: string; tone: 'primary' | 'danger' }>> = {
  resolve: {
    title: 'Resolve this case?',
    body: 'The customer will see that the case is resolved. If they reply, it opens again.',
    tone: 'primary',
  },
  close: {
    title: 'Close this case?',
    body: 'Closing is final: the case cannot be opened again. If the customer writes later, they get a new case.',
    tone: 'danger',
  },
};

type Notice = { tone: 'error' | 'warning'; text: string } | null;

/**
 * Mutations that carry the case's etag. Success is confirmed in the notification area; on 409
 * (someone else changed the case) they say so and reload the case; other errors are shown as
 * the server's plain sentence, in the page.
 */
function useCaseAction<V>(
  kase: Case,
  setNotice: (n: Notice) => void,
  run: (vars: V) => Promise<{ case: Case }>,
  success: (result: Case, vars: V) => string,
  afterSuccess?: () => void,
) {
  const queryClient = useQueryClient();
  const notify = useToast();
  return useMutation({
    mutationFn: run,
    onMutate: () => setNotice(null),
    onSuccess: (result, vars) => {
      queryClient.setQueryData<CasePage>(queryKeys.case(kase.id), (old) =>
        old ? { ...old, case: result.case } : old,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
      notify(success(result.case, vars));
      afterSuccess?.();
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
  const notify = useToast();
  const [notice, setNotice] = useState<Notice>(null);
  const [assignTo, setAssignTo] = useState('');
  const [priority, setPriority] = useState<CasePriority>(kase.priority);
  const [lastPriority, setLastPriority] = useState<CasePriority>(kase.priority);
  if (kase.priority !== lastPriority) {
    // The case was reloaded with a new priority: show it.
    setLastPriority(kase.priority);
    setPriority(kase.priority);
  }
  const heading = useRef<HTMLHeadingElement>(null);
  const statusHeading = useRef<HTMLHeadingElement>(null);

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
    () => setAssignTo(''),
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
    // The button pressed may be gone now (each status has its own actions): keep focus here.
    () => statusHeading.current?.focus(),
  );
  const busy = assign.isPending || changePriority.isPending || changeStatus.isPending;
  const assignedToMe = kase.assignee?.id === user.id;
  const canAssignToMe = !assignedToMe && kase.status !== 'closed';
  const actions = ACTIONS_BY_STATUS[kase.status] ?? [];

  useShortcuts({
    a: () => {
      if (busy) return;
      if (canAssignToMe) assign.mutate(user.id);
      else notify(assignedToMe ? 'This case is already assigned to you.' : 'A closed case cannot be assigned.', 'info');
    },
  });

  function onAssign(event: FormEvent) {
    event.preventDefault();
    if (!assignTo) return;
    assign.mutate(assignTo === 'nobody' ? null : assignTo);
  }

  return (
    <Section title="Manage case" id="manage-heading" className="manage card" headingRef={heading}>
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
      {canAssignToMe ? (
        <Button
          isPending={assign.isPending && assign.variables === user.id}
          isDisabled={busy && !assign.isPending}
          onPress={() => assign.mutate(user.id)}
        >
          Assign to me
        </Button>
      ) : null}
      <form className="inline-form" onSubmit={onAssign}>
        <Select
          id="assign-to"
          label="Assign to someone"
          value={assignTo}
          onChange={setAssignTo}
          placeholder={agents.isPending ? 'Loading people…' : 'Choose a person'}
          options={[
            ...(agents.data?.agents ?? [])
              .filter((a) => a.id !== kase.assignee?.id)
              .map((a) => ({ value: a.id, label: a.id === user.id ? `${a.name} (you)` : a.name })),
            ...(kase.assignee ? [{ value: 'nobody', label: 'Nobody (unassign)' }] : []),
          ]}
          error={agents.isError ? 'We could not load the list of people.' : undefined}
        />
        <Button
          type="submit"
          variant="secondary"
          isDisabled={!assignTo || (busy && !assign.isPending)}
          isPending={assign.isPending && assign.variables !== user.id}
        >
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
          onChange={(v) => setPriority(v as CasePriority)}
          options={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))}
        />
        <Button
          type="submit"
          variant="secondary"
          isDisabled={priority === kase.priority || (busy && !changePriority.isPending)}
          isPending={changePriority.isPending}
        >
          Change priority
        </Button>
      </form>

      <h3 className="subheading" ref={statusHeading} tabIndex={-1}>
        Status
      </h3>
      {actions.length > 0 ? (
        <div className="button-row">
          {actions.map((action) => {
            const pending = changeStatus.isPending && changeStatus.variables === action;
            const button = (
              <Button
                key={action}
                variant={action === 'resolve' ? 'primary' : action === 'close' ? 'danger' : 'secondary'}
                isDisabled={busy && !pending}
                isPending={pending}
                onPress={CONFIRMATIONS[action] ? undefined : () => changeStatus.mutate(action)}
              >
                {ACTION_LABELS[action]}
              </Button>
            );
            const confirm = CONFIRMATIONS[action];
            if (!confirm) return button;
            return (
              <ConfirmDialog
                key={action}
                trigger={button}
                title={confirm.title}
                confirmLabel={ACTION_LABELS[action]}
                tone={confirm.tone}
                onConfirm={() => changeStatus.mutate(action)}
              >
                <p>{confirm.body}</p>
              </ConfirmDialog>
            );
          })}
        </div>
      ) : (
        <p className="muted">This case is closed. Nothing more can be changed.</p>
      )}
    </Section>
  );
}

function Composer({ kase, inputRef }: { kase: Case; inputRef: RefObject<HTMLTextAreaElement> }) {
  const queryClient = useQueryClient();
  const notify = useToast();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();

  const send = useMutation({
    mutationFn: (vars: { body: string; internal: boolean }) =>
      api.addMessage(kase.id, vars.internal ? { body: vars.body, internal: true } : { body: vars.body }),
    onSuccess: (_result, vars) => {
      setBody('');
      notify(vars.internal ? 'Your internal note was added.' : 'Your reply was sent to the customer.');
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
      inputRef.current?.focus();
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
      <TextArea
        ref={inputRef}
        id={COMPOSER_ID}
        label="Message"
        hint="A reply goes to the customer. An internal note is seen only by the support team."
        rows={5}
        value={body}
        onChange={setBody}
        error={error}
      />
      <div className="button-row">
        <Button type="submit" isPending={send.isPending && send.variables?.internal === false}>
          Send reply to customer
        </Button>
        <Button
          variant="note"
          isPending={send.isPending && send.variables?.internal === true}
          onPress={() => submit(true)}
        >
          Add internal note
        </Button>
      </div>
    </form>
  );
}

export function AgentCasePage() {
  const { caseId, query } = useCasePage();
  const { data: user } = useSession();
  useCaseEvents(caseId, query.data);
  useAnnounceCaseChanges(query.data, user);
  const location = useLocation();
  const composer = useRef<HTMLTextAreaElement>(null);
  const flash = (location.state as { flash?: string } | null)?.flash;
  const page = query.data;
  const kase = page?.case;

  useShortcuts({ r: () => composer.current?.focus() }, Boolean(kase && kase.status !== 'closed'));

  return (
    <Page
      title={kase ? kase.subject : 'Case'}
      documentTitle={kase ? `Case ${kase.number}` : 'Case'}
      back={{ to: '/queue', label: 'Back to the queue' }}
      lead={
        kase ? (
          <>
            Case {kase.number} · {CATEGORY_LABELS[kase.category] ?? 'Other'} · {PRIORITY_LABELS[kase.priority]} priority
          </>
        ) : undefined
      }
    >
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      {query.isPending ? <Skeleton label="Loading the case…" shape="lines" count={6} /> : null}
      {query.isError ? (
        isApiError(query.error) && query.error.status === 404 ? (
          <Alert tone="error" title="We could not find that case">
            <p>
              It may have been mistyped. Go back to the <Link to="/queue">queue</Link>.
            </p>
          </Alert>
        ) : (
          <LoadError what="the case" onRetry={() => void query.refetch()} />
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
              {kase.status !== 'closed' ? <Composer kase={kase} inputRef={composer} /> : null}
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
            <Section title="Refunds" id="refunds-heading">
              <StaffRefunds refunds={page.refunds} />
            </Section>
          </aside>
        </div>
      ) : null}
    </Page>
  );
}
