import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys, useSession } from '../api';
import type { CasePage } from '../api/types';
import { Alert, Badge, Button, Loading, Page, TextAreaField } from '../components';
import { CUSTOMER_STATUS_LABELS, NEXT_STEP } from '../lib/format';
import { casePath } from '../lib/routes';
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

function ReplyForm({ page }: { page: CasePage }) {
  const kase = page.case;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sent, setSent] = useState(false);

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
      setSent(true);
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
    },
    onError: (e) => {
      setError(isApiError(e) ? (e.fieldError('body') ?? e.detail) : humanMessage(e));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSent(false);
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
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Reply">
      {sent ? <Alert tone="success">Your message was sent.</Alert> : null}
      <TextAreaField
        id="reply-body"
        label="Your reply"
        hint={hint}
        rows={4}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        error={error}
      />
      <div className="form__actions">
        <Button type="submit" busy={reply.isPending}>
          {reply.isPending ? 'Sending…' : 'Send reply'}
        </Button>
      </div>
    </form>
  );
}

function CloseCase({ page }: { page: CasePage }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | undefined>();
  const close = useMutation({
    mutationFn: () => api.changeStatus(page.case.id, { action: 'close', etag: page.case.etag }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(page.case.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
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
      <Button variant="secondary" busy={close.isPending} onClick={() => close.mutate()}>
        All sorted: close this case
      </Button>
    </div>
  );
}

export function CustomerCasePage() {
  const { query } = useCasePage();
  const { data: user } = useSession();
  const location = useLocation();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const page = query.data;
  const kase = page?.case;

  return (
    <Page
      title={kase ? kase.subject : 'Your case'}
      documentTitle={kase ? `Case ${kase.number}` : 'Your case'}
      lead={kase ? `Case ${kase.number}` : undefined}
    >
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      {query.isPending ? <Loading>Loading your case…</Loading> : null}
      {query.isError ? (
        isApiError(query.error) && query.error.status === 404 ? (
          <Alert tone="error" title="We could not find that case">
            <p>
              It may have been mistyped. See all your cases in <Link to="/cases">My cases</Link>.
            </p>
          </Alert>
        ) : (
          <Alert tone="error" title="We could not load your case">
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
            <Section title="Status" id="status-heading" className="status-panel">
              <p>
                <Badge tone={statusTone(kase.status)}>{CUSTOMER_STATUS_LABELS[kase.status]}</Badge>
              </p>
              <p className="next-step">
                <strong>What happens next: </strong>
                {NEXT_STEP[kase.status]}
              </p>
              <CloseCase page={page} />
            </Section>
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
