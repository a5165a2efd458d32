import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys } from '../api';
import type { CasePage, Refund, RefundLine } from '../api/types';
import { Alert, Badge, Button, ConfirmDialog, Table, useToast, type Column } from '../components';
import { formatDateTime, formatMoney } from '../lib/format';
import {
  CUSTOMER_REFUND_STATUS_LABELS,
  REFUND_METHOD_LABELS,
  REQUIRED_APPROVAL_LABELS,
  STAFF_REFUND_REASON_LABELS,
  STAFF_REFUND_STATUS_LABELS,
  refundItemsText,
  refundNextStep,
  refundStatusTone,
} from '../lib/refunds';
import { refundPath } from '../lib/routes';

export function RefundStatusBadge({ refund, viewer }: { refund: Pick<Refund, 'status'>; viewer: 'customer' | 'staff' }) {
  const labels = viewer === 'customer' ? CUSTOMER_REFUND_STATUS_LABELS : STAFF_REFUND_STATUS_LABELS;
  return <Badge tone={refundStatusTone(refund.status)}>{labels[refund.status]}</Badge>;
}

const ITEM_COLUMNS: Column<RefundLine>[] = [
  { id: 'item', header: 'Item', cell: (l) => l.productTitle ?? 'An item of the order' },
  {
    id: 'quantity',
    header: (
      <>
        <span aria-hidden="true">Qty</span>
        <span className="visually-hidden">Quantity</span>
      </>
    ),
    numeric: true,
    cell: (l) => l.quantity,
  },
  { id: 'amount', header: 'Amount', numeric: true, nowrap: true, cell: (l) => formatMoney(l.amount) },
];

/** The items of a refund with their amounts and the total. */
export function RefundItems({ refund, caption }: { refund: Refund; caption: string }) {
  return (
    <Table
      caption={caption}
      compact
      columns={ITEM_COLUMNS}
      rows={refund.lines}
      rowKey={(l) => l.lineId}
      footer={
        <tr>
          <th scope="row" colSpan={2}>
            Total
          </th>
          <td className="num nowrap">{formatMoney(refund.total)}</td>
        </tr>
      }
    />
  );
}

/** "Cancel this request", asking first; the customer's own refund while it waits for approval. */
function CancelRefund({ refund, caseId }: { refund: Refund; caseId: string }) {
  const queryClient = useQueryClient();
  const notify = useToast();
  const [error, setError] = useState<string | undefined>();
  const cancel = useMutation({
    mutationFn: () => api.cancelRefund(refund.id, { etag: refund.etag }),
    onMutate: () => setError(undefined),
    onSuccess: ({ refund: cancelled }) => {
      queryClient.setQueryData<CasePage>(queryKeys.case(caseId), (old) =>
        old ? { ...old, refunds: old.refunds.map((r) => (r.id === cancelled.id ? cancelled : r)) } : old,
      );
      notify(`Your refund request ${refund.number} is cancelled.`);
      document.getElementById(`refund-${refund.id}-heading`)?.focus(); // the button is gone
    },
    onError: (e) => {
      if (isApiError(e) && (e.status === 409 || e.status === 412)) {
        setError('This request has just been decided, so it can no longer be cancelled. We have updated it below.');
      } else {
        setError(humanMessage(e));
      }
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(caseId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allRefundQuotes });
    },
  });
  return (
    <div className="inline-actions">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <ConfirmDialog
        trigger={
          <Button variant="secondary" size="sm" isPending={cancel.isPending}>
            Cancel this request
          </Button>
        }
        title={`Cancel refund request ${refund.number}?`}
        confirmLabel="Cancel request"
        cancelLabel="Keep it"
        tone="danger"
        onConfirm={() => cancel.mutate()}
      >
        <p>
          Nothing will be paid back for this request. You can ask for a new refund afterwards if you change your mind.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** The refunds of a case as the customer follows them: status, what happens next, cancel. */
export function CustomerRefunds({ refunds, caseId }: { refunds: Refund[]; caseId: string }) {
  if (refunds.length === 0) return null;
  return (
    <ul className="refund-list" aria-label="Your refund requests, newest first">
      {[...refunds]
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((r) => {
          const headingId = `refund-${r.id}-heading`;
          return (
            <li key={r.id} className="refund-card">
              <article aria-labelledby={headingId}>
                <div className="refund-card__header">
                  <h3 id={headingId} className="refund-card__title" tabIndex={-1}>
                    Refund {r.number}
                  </h3>
                  <RefundStatusBadge refund={r} viewer="customer" />
                </div>
                <p className="refund-card__meta">
                  <strong>{formatMoney(r.total)}</strong> · {REFUND_METHOD_LABELS[r.method].toLowerCase()} · asked for on{' '}
                  <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
                </p>
                <p className="refund-card__items">{refundItemsText(r)}</p>
                {r.status === 'rejected' && r.decision?.comment ? (
                  <p>
                    <strong>Why: </strong>
                    {r.decision.comment}
                  </p>
                ) : null}
                <p className="next-step">
                  <strong>What happens next: </strong>
                  {refundNextStep(r)}
                </p>
                {r.canCancel ? <CancelRefund refund={r} caseId={caseId} /> : null}
              </article>
            </li>
          );
        })}
    </ul>
  );
}

/** The refunds of a case for support staff: status, approval needed, and a link to decide. */
export function StaffRefunds({ refunds }: { refunds: Refund[] }) {
  if (refunds.length === 0) return <p className="muted">No refunds have been asked for on this case.</p>;
  return (
    <ul className="refund-list" aria-label="Refunds of this case, newest first">
      {[...refunds]
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((r) => (
          <li key={r.id} className="refund-card">
            <div className="refund-card__header">
              <Link to={refundPath(r.id)} className="refund-card__title">
                Refund {r.number}
              </Link>
              <RefundStatusBadge refund={r} viewer="staff" />
            </div>
            <p className="refund-card__meta">
              {formatMoney(r.total)} · {STAFF_REFUND_REASON_LABELS[r.reason]} · {refundItemsText(r)}
            </p>
            {r.status === 'pending_approval' ? (
              <p className="refund-card__meta">Needs approval from: {REQUIRED_APPROVAL_LABELS[r.requiredApproval].toLowerCase()}</p>
            ) : null}
          </li>
        ))}
    </ul>
  );
}
