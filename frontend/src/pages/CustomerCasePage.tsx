import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys, useSession } from '../api';
import type { CasePage } from '../api/types';
import {
  Alert,
  Badge,
  Button,
  ButtonLink,
  ConfirmDialog,
  LoadError,
  Page,
  Skeleton,
  TextArea,
  useToast,
} from '../components';
import { CUSTOMER_STATUS_LABELS, NEXT_STEP } from '../lib/format';
import { casePath, refundRequestPath } from '../lib/routes';
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
import { CustomerRefunds } from './refundParts';
import { useAnnounceCaseChanges, useCaseEvents } from './useCaseLiveUpdates';

/** The case's refunds, and the way to ask for one while the case is not closed. */
function RefundsSection({ page }: { page: CasePage }) {
  const kase = page.case;
  const canAsk = kase.status !== 'closed' && page.order !== null;
  return (
    <Section title="Refunds" id="refunds-heading">
      {page.refunds.length > 0 ? (
        <CustomerRefunds refunds={page.refunds} caseId={kase.id} />
      ) : (
        <p>{canAsk ? 'If you would like money back for items in this order, you can ask for a refund here.' : 'No refunds have been asked for on this case.'}</p>
      )}
      {canAsk ? (
        <p>
          <ButtonLink to={refundRequestPath(kase.id)} variant={page.refunds.length > 0 ? 'secondary' : 'primary'}>
            Ask for a refund
          </ButtonLink>
        </p>
      ) : null}
    </Section>
  );
}

function ReplyForm({ page }: { page: CasePage }) {
  const kase = page.case;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();
  const notify = useToast();

  const reply = useMutation({
    mutationFn: (text: string) => api.addMessage(kase.id, { body: text }),
    onSuccess: (result) => {
      setBody('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
      if (result.case.id !== kase.id) {
        navigate(casePath(result.case.id), {
          state: {
            flash: `Your earlier case was closed, so we opened a new case, ${result.case.number}, with your message.`,
          },
        });
        return;
      }
      notify('Your message was sent.');
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
    },
    onError: (e) => {
      setError(isApiError(e) ? (e.fieldError('body') ?? e.detail) : humanMessage(e));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (reply.isPending) return;
    if (!body.trim()) {
      setError('Write your message before you send it.');
      document.getElementById('reply-body')?.focus();
      return;
    }
    setError(undefined);
    reply.mutate(body.trim());
  }

  const hint =
    kase.status === 'closed'
      ? 'This case is closed: your message will open a new case.'
      : kase.status === 'resolved'
        ? 'Replying will reopen this case.'
        : undefined;

  return (
    <form className="form composer" onSubmit={onSubmit} noValidate aria-label="Reply">
      <TextArea
        id="reply-body"
        label="Your reply"
        hint={hint}
        rows={4}
        value={body}
        onChange={setBody}
        error={error}
      />
      <div className="form__actions">
        <Button type="submit" isPending={reply.isPending}>
          {reply.isPending ? 'Sending…' : 'Send reply'}
        </Button>
      </div>
    </form>
  );
}

function CloseCase({ page, focusAfter }: { page: CasePage; focusAfter: RefObject<HTMLHeadingElement> }) {
  const queryClient = useQueryClient();
  const notify = useToast();
  const [error, setError] = useState<string | undefined>();
  const close = useMutation({
    mutationFn: () => api.changeStatus(page.case.id, { action: 'close', etag: page.case.etag }),
    onMutate: () => setError(undefined),
    onSuccess: ({ case: closed }) => {
      queryClient.setQueryData<CasePage>(queryKeys.case(page.case.id), (old) => (old ? { ...old, case: closed } : old));
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(page.case.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
      notify('Your case is closed. Thank you.');
      focusAfter.current?.focus(); // the button is gone: keep focus on the status
    },
    onError: (e) => {
      setError(humanMessage(e));
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(page.case.id) });
    },
  });
  if (page.case.status !== 'resolved') return null;
  return (
    <div className="inline-actions">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <ConfirmDialog
        trigger={
          <Button variant="secondary" isPending={close.isPending}>
            All sorted: close this case
          </Button>
        }
        title="Close this case?"
        confirmLabel="Close case"
        cancelLabel="Keep it open"
        tone="danger"
        onConfirm={() => close.mutate()}
      >
        <p>Closing is final. If you need help again later, write to us and we will open a new case.</p>
      </ConfirmDialog>
    </div>
  );
}

export function CustomerCasePage() {
  const { caseId, query } = useCasePage();
  const { data: user } = useSession();
  useCaseEvents(caseId, query.data);
  useAnnounceCaseChanges(query.data, user);
  const location = useLocation();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const page = query.data;
  const kase = page?.case;
  const statusHeading = useRef<HTMLHeadingElement>(null);

  return (
    <Page
      title={kase ? kase.subject : 'Your case'}
      documentTitle={kase ? `Case ${kase.number}` : 'Your case'}
      back={{ to: '/cases', label: 'My cases' }}
      lead={kase ? `Case ${kase.number}` : undefined}
    >
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      {query.isPending ? <Skeleton label="Loading your case…" shape="lines" count={5} /> : null}
      {query.isError ? (
        isApiError(query.error) && query.error.status === 404 ? (
          <Alert tone="error" title="We could not find that case">
            <p>
              It may have been mistyped. See all your cases in <Link to="/cases">My cases</Link>.
            </p>
          </Alert>
        ) : (
          <LoadError what="your case" onRetry={() => void query.refetch()} />
        )
      ) : null}
      {page && kase && user ? (
        <div className="case-layout">
          <div className="case-layout__main">
            <Section title="Status" id="status-heading" className="status-panel card" headingRef={statusHeading}>
              <p>
                <Badge tone={statusTone(kase.status)}>{CUSTOMER_STATUS_LABELS[kase.status]}</Badge>
              </p>
              <p className="next-step">
                <strong>What happens next: </strong>
                {NEXT_STEP[kase.status]}
              </p>
              <CloseCase page={page} focusAfter={statusHeading} />
            </Section>
            <RefundsSection page={page} />
            <Section title="What you told us" id="description-heading">
              <Description kase={kase} />
            </Section>
            <Section title="Conversation" id="conversation-heading">
              <Conversation messages={page.messages} viewer={user} />
              <ReplyForm page={page} />
            </Section>
            <Section title="History" id="timeline-heading">
              <Timeline entries={page.timeline} viewer={user} />
            </Section>
          </div>
          <aside className="case-layout__side" aria-label="Case details and order">
            <Section title="Case details" id="details-heading">
              <CaseDetails kase={kase} />
            </Section>
            <Section title="Your order" id="order-heading">
              <OrderSummary order={page.order} kase={kase} />
            </Section>
          </aside>
        </div>
      ) : null}
    </Page>
  );
}
