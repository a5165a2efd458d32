import { useRef, useState, type RefObject } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys, useSession } from '../api';
import type { Refund, RefundResponse, User } from '../api/types';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  ConfirmDialog,
  LoadError,
  Page,
  Skeleton,
  TextArea,
  useToast,
} from '../components';
import { formatDateTime, formatMoney, roleLabel } from '../lib/format';
import {
  REFUND_METHOD_LABELS,
  REQUIRED_APPROVAL_LABELS,
  STAFF_REFUND_REASON_LABELS,
  STAFF_REFUND_STATUS_LABELS,
} from '../lib/refunds';
import { APPROVALS_PATH, casePath } from '../lib/routes';
import { Section } from './caseParts';
import { RefundItems, RefundStatusBadge } from './refundParts';

export const COMMENT_MAX = 2000;
export type RefundAction = 'approve' | 'reject' | 'retry';

const VERBS: Record<RefundAction, string> = { approve: 'approved', reject: 'rejected', retry: 'paid out again' };

export const LEAD_APPROVAL_MESSAGE = 'This refund needs a lead’s approval.';
export const SELF_APPROVAL_MESSAGE = 'You asked for this refund yourself, so someone else on the team has to approve it.';
export const REFUND_CONFLICT_MESSAGE =
  'Someone else changed this refund at the same time. We have reloaded it: check it and try again.';

type Notice = { tone: 'error' | 'warning'; text: string } | null;

/** A decision that did not go through, in plain words (403, 409 and 412 especially). */
export function refundActionNotice(error: unknown, action: RefundAction): Notice {
  if (!isApiError(error)) return { tone: 'error', text: humanMessage(error) };
  if (error.status === 403) {
    if (error.reason === 'LEAD_APPROVAL_REQUIRED') return { tone: 'error', text: LEAD_APPROVAL_MESSAGE };
    if (error.reason === 'SELF_APPROVAL_FORBIDDEN') return { tone: 'error', text: SELF_APPROVAL_MESSAGE };
    return { tone: 'error', text: `You are not allowed to do that: this refund cannot be ${VERBS[action]} by you.` };
  }
  if (error.status === 409) return { tone: 'warning', text: REFUND_CONFLICT_MESSAGE };
  if (error.status === 412) {
    if (error.reason === 'NO_LONGER_REFUNDABLE') {
      return {
        tone: 'error',
        text: 'This refund cannot be paid again: some of its items have been refunded by another request since the payout failed.',
      };
    }
    return {
      tone: 'warning',
      text: `This refund can no longer be ${VERBS[action]}: it has changed since you opened it. We have reloaded it so you can see where it stands.`,
    };
  }
  return { tone: 'error', text: error.detail };
}

/** Why someone on the team may not approve a refund that waits (null when they may). */
function noApprovalText(refund: Refund, user: User): string | null {
  if (refund.status !== 'pending_approval' || refund.canApprove) return null;
  if (refund.requestedBy.id === user.id) return SELF_APPROVAL_MESSAGE;
  if (refund.requiredApproval === 'lead' && user.role !== 'lead') return LEAD_APPROVAL_MESSAGE;
  return refund.canReject ? 'You cannot approve this refund.' : 'You cannot decide on this refund.';
}

function RefundActions({ refund, user, statusHeading }: { refund: Refund; user: User; statusHeading: RefObject<HTMLHeadingElement> }) {
  const queryClient = useQueryClient();
  const notify = useToast();
  const [notice, setNotice] = useState<Notice>(null);
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | undefined>();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [asCredit, setAsCredit] = useState(false);
  const [confirming, setConfirming] = useState<RefundAction | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);

  const act = useMutation({
    mutationFn: (action: RefundAction): Promise<RefundResponse> => {
      if (action === 'approve') {
        const text = comment.trim();
        return api.approveRefund(refund.id, text ? { etag: refund.etag, comment: text } : { etag: refund.etag });
      }
      if (action === 'reject') return api.rejectRefund(refund.id, { etag: refund.etag, reason: reason.trim() });
      return api.retryRefund(refund.id, asCredit ? { etag: refund.etag, method: 'store_credit' } : { etag: refund.etag });
    },
    onMutate: () => setNotice(null),
    onSuccess: ({ refund: updated }, action) => {
      queryClient.setQueryData<RefundResponse>(queryKeys.refund(refund.id), { refund: updated });
      setComment('');
      setReason('');
      setAsCredit(false);
      notify(
        action === 'approve'
          ? `Refund ${refund.number} is approved.`
          : action === 'reject'
            ? `Refund ${refund.number} is rejected. The customer will see your reason.`
            : `The payout of refund ${refund.number} is being tried again.`,
      );
      statusHeading.current?.focus(); // the buttons may be gone now
    },
    onError: (error, action) => {
      if (isApiError(error) && error.status === 400) {
        const field = action === 'reject' ? error.fieldError('reason') : action === 'approve' ? error.fieldError('comment') : undefined;
        if (field && action === 'reject') {
          setReasonError(field);
          reasonRef.current?.focus();
          return;
        }
        if (field && action === 'approve') {
          setCommentError(field);
          commentRef.current?.focus();
          return;
        }
      }
      setNotice(refundActionNotice(error, action));
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.refund(refund.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allRefunds });
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(refund.caseId) });
    },
  });

  function askToApprove() {
    if (comment.trim().length > COMMENT_MAX) {
      setCommentError(`Keep the comment to ${COMMENT_MAX.toLocaleString('en-GB')} characters or fewer.`);
      commentRef.current?.focus();
      return;
    }
    setCommentError(undefined);
    setConfirming('approve');
  }

  function askToReject() {
    const text = reason.trim();
    const problem = !text
      ? 'Give a reason for rejecting: the customer will see it.'
      : text.length > COMMENT_MAX
        ? `Keep the reason to ${COMMENT_MAX.toLocaleString('en-GB')} characters or fewer.`
        : undefined;
    setReasonError(problem);
    if (problem) {
      reasonRef.current?.focus();
      return;
    }
    setConfirming('reject');
  }

  const busy = act.isPending;
  const blocked = noApprovalText(refund, user);
  const hasActions = refund.canApprove || refund.canReject || refund.canRetry;

  return (
    <>
      <div aria-live="polite" aria-atomic="true">
        {notice ? (
          <Alert tone={notice.tone} live={false}>
            {notice.text}
          </Alert>
        ) : null}
      </div>
      {blocked ? (
        <Alert tone="info" live={false}>
          {blocked}
        </Alert>
      ) : null}
      {!hasActions && !blocked ? <p className="muted">There is nothing to decide on this refund now.</p> : null}

      {refund.canApprove ? (
        <div className="decision">
          <h3 className="subheading">Approve</h3>
          <TextArea
            ref={commentRef}
            id="approve-comment"
            label="Comment (optional)"
            hint="For the team’s records."
            rows={3}
            value={comment}
            onChange={(v) => {
              setComment(v);
              if (commentError) setCommentError(undefined);
            }}
            error={commentError}
          />
          <Button isPending={busy && act.variables === 'approve'} isDisabled={busy && act.variables !== 'approve'} onPress={askToApprove}>
            Approve refund
          </Button>
        </div>
      ) : null}

      {refund.canReject ? (
        <div className="decision">
          <h3 className="subheading">Reject</h3>
          <TextArea
            ref={reasonRef}
            id="reject-reason"
            label="Reason for rejecting"
            hint="The customer will see this, so write it for them."
            rows={3}
            isRequired
            value={reason}
            onChange={(v) => {
              setReason(v);
              if (reasonError && v.trim()) setReasonError(undefined);
            }}
            error={reasonError}
          />
          <Button
            variant="danger"
            isPending={busy && act.variables === 'reject'}
            isDisabled={busy && act.variables !== 'reject'}
            onPress={askToReject}
          >
            Reject refund
          </Button>
        </div>
      ) : null}

      {refund.canRetry ? (
        <div className="decision">
          <h3 className="subheading">Pay out again</h3>
          {refund.method === 'original_payment' ? (
            <Checkbox isSelected={asCredit} onChange={setAsCredit}>
              Pay it as store credit instead
            </Checkbox>
          ) : null}
          <Button isPending={busy && act.variables === 'retry'} isDisabled={busy && act.variables !== 'retry'} onPress={() => setConfirming('retry')}>
            Try the payout again
          </Button>
        </div>
      ) : null}

      <ConfirmDialog
        isOpen={confirming === 'approve'}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Approve refund ${refund.number}?`}
        confirmLabel="Approve refund"
        onConfirm={() => act.mutate('approve')}
      >
        <p>
          {formatMoney(refund.total)} will be paid back {refund.method === 'store_credit' ? 'as store credit' : 'to the customer’s original payment'}.
          This cannot be undone.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirming === 'reject'}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Reject refund ${refund.number}?`}
        confirmLabel="Reject refund"
        tone="danger"
        onConfirm={() => act.mutate('reject')}
      >
        <p>Nothing will be paid back, and the customer will see your reason. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirming === 'retry'}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Try the payout of ${refund.number} again?`}
        confirmLabel="Try again"
        onConfirm={() => act.mutate('retry')}
      >
        <p>
          {formatMoney(refund.total)} will be paid {asCredit || refund.method === 'store_credit' ? 'as store credit' : 'to the customer’s original payment'}.
        </p>
      </ConfirmDialog>
    </>
  );
}

function RefundDetails({ refund }: { refund: Refund }) {
  return (
    <dl className="details">
      <div>
        <dt>Amount</dt>
        <dd>{formatMoney(refund.total)}</dd>
      </div>
      <div>
        <dt>Paid back</dt>
        <dd>{REFUND_METHOD_LABELS[refund.method]}</dd>
      </div>
      <div>
        <dt>Reason</dt>
        <dd>{STAFF_REFUND_REASON_LABELS[refund.reason]}</dd>
      </div>
      <div>
        <dt>Note</dt>
        <dd>{refund.note ?? 'None'}</dd>
      </div>
      <div>
        <dt>Asked for by</dt>
        <dd>
          {refund.requestedBy.name} ({roleLabel(refund.requestedBy.role).toLowerCase()}) on{' '}
          <time dateTime={refund.createdAt}>{formatDateTime(refund.createdAt)}</time>
        </dd>
      </div>
      <div>
        <dt>Needs approval from</dt>
        <dd>
          {REQUIRED_APPROVAL_LABELS[refund.requiredApproval]}
          {refund.outsideRefundWindow ? (
            <>
              {' '}
              <Badge tone="warning">Outside refund window</Badge>
            </>
          ) : null}
        </dd>
      </div>
      {refund.decision ? (
        <div>
          <dt>Decision</dt>
          <dd>
            {refund.decision.outcome === 'approved' ? 'Approved' : 'Rejected'}{' '}
            {refund.decision.by ? `by ${refund.decision.by.name}` : 'automatically, by the refund policy'} on{' '}
            <time dateTime={refund.decision.decidedAt}>{formatDateTime(refund.decision.decidedAt)}</time>
            {refund.decision.comment ? <>: “{refund.decision.comment}”</> : '.'}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** One refund for support staff: what it is, where it stands, and the decisions they may take. */
export function RefundPage() {
  const { refundId = '' } = useParams();
  const { data: user } = useSession();
  const statusHeading = useRef<HTMLHeadingElement>(null);
  const query = useQuery({
    queryKey: queryKeys.refund(refundId),
    queryFn: ({ signal }) => api.getRefund(refundId, signal),
    enabled: refundId !== '',
    staleTime: 0,
  });
  const refund = query.data?.refund;

  return (
    <Page
      title={refund ? `Refund ${refund.number}` : 'Refund'}
      back={{ to: APPROVALS_PATH, label: 'Back to approvals' }}
      lead={
        refund ? (
          <>
            {formatMoney(refund.total)} for{' '}
            <Link to={casePath(refund.caseId)}>{refund.caseNumber ? `case ${refund.caseNumber}` : 'its case'}</Link> ·{' '}
            {STAFF_REFUND_STATUS_LABELS[refund.status]}
          </>
        ) : undefined
      }
    >
      {query.isPending ? <Skeleton label="Loading the refund…" shape="lines" count={5} /> : null}
      {query.isError ? (
        isApiError(query.error) && query.error.status === 404 ? (
          <Alert tone="error" title="We could not find that refund">
            <p>
              Go back to the <Link to={APPROVALS_PATH}>approvals</Link>.
            </p>
          </Alert>
        ) : (
          <LoadError what="the refund" onRetry={() => void query.refetch()} />
        )
      ) : null}
      {refund && user ? (
        <div className="case-layout">
          <div className="case-layout__main">
            <Section title="Status" id="refund-status-heading" className="status-panel card" headingRef={statusHeading}>
              <p>
                <RefundStatusBadge refund={refund} viewer="staff" />
              </p>
              {refund.status === 'failed' ? (
                <Alert tone="warning" title="The payout failed" live={false}>
                  <p>{refund.failureReason ? `Why: ${refund.failureReason}` : 'No reason was given.'}</p>
                </Alert>
              ) : null}
              <RefundDetails refund={refund} />
            </Section>
            <Section title="Items" id="refund-items-heading">
              <RefundItems refund={refund} caption={`Items in refund ${refund.number}`} />
            </Section>
          </div>
          <aside className="case-layout__side" aria-label="Decide">
            <Section title="Decide" id="decide-heading" className="manage card">
              <RefundActions refund={refund} user={user} statusHeading={statusHeading} />
            </Section>
          </aside>
        </div>
      ) : null}
    </Page>
  );
}
