import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, humanMessage, isApiError, queryKeys, type ApiError } from '../api';
import type {
  Case,
  CreateRefundRequest,
  Refund,
  RefundMethod,
  RefundQuote,
  RefundReason,
  RefundableLine,
} from '../api/types';
import {
  Alert,
  Button,
  ButtonLink,
  Checkbox,
  CheckboxGroup,
  type Column,
  ErrorSummary,
  LoadError,
  NumberField,
  Page,
  Radio,
  RadioGroup,
  Select,
  Skeleton,
  type SummaryItem,
  Table,
  TextArea,
} from '../components';
import { formatDate, formatMoney } from '../lib/format';
import {
  REFUND_METHOD_LABELS,
  REFUND_REASONS,
  REFUND_REASON_LABELS,
  lineRefundAmount,
  quantityError,
  sumMoney,
} from '../lib/refunds';
import { newIdempotencyKey } from '../lib/idempotency';
import { casePath } from '../lib/routes';
import { useFocusOnChange } from '../lib/useErrorSummary';
import { useCasePage } from './useCasePage';

export const NOTE_MAX = 2000;

export interface RefundDraft {
  /** The chosen order lines, by line id. */
  selected: string[];
  /** What was typed as the quantity of each line, by line id. */
  quantities: Record<string, string>;
  reason: RefundReason | '';
  method: RefundMethod;
  note: string;
}

/** Errors by field: 'lines', 'quantity:<lineId>', 'reason', 'method', 'note', and 'form'. */
export type RefundErrors = Partial<Record<string, string>>;

export const ITEMS_ID = 'refund-items';
export const quantityId = (lineId: string) => `refund-quantity-${lineId}`;
const FIELD_IDS: Record<string, string> = {
  lines: ITEMS_ID,
  reason: 'refund-reason',
  method: 'refund-method',
  note: 'refund-note',
};

function fieldIdOf(key: string): string | undefined {
  if (key.startsWith('quantity:')) return quantityId(key.slice('quantity:'.length));
  return FIELD_IDS[key];
}

/** The quantity of a chosen line, if what was typed is a valid one. */
function validQuantity(draft: RefundDraft, line: RefundableLine): number | null {
  const text = draft.quantities[line.lineId] ?? '';
  return quantityError(text, line.quantityRefundable) ? null : Number(text.trim());
}

export function chosenLines(draft: RefundDraft, quote: RefundQuote): RefundableLine[] {
  return quote.lines.filter((l) => draft.selected.includes(l.lineId) && l.quantityRefundable > 0);
}

/** The total of what is chosen, counting only quantities that are valid. */
export function draftTotal(draft: RefundDraft, quote: RefundQuote) {
  const amounts = chosenLines(draft, quote).map((line) => lineRefundAmount(line, validQuantity(draft, line) ?? 0));
  return sumMoney(amounts, quote.currency);
}

export function validateRefundDraft(draft: RefundDraft, quote: RefundQuote): RefundErrors {
  const errors: RefundErrors = {};
  const chosen = chosenLines(draft, quote);
  if (chosen.length === 0) errors.lines = 'Choose at least one item to refund.';
  for (const line of chosen) {
    const problem = quantityError(draft.quantities[line.lineId] ?? '', line.quantityRefundable);
    if (problem) errors[`quantity:${line.lineId}`] = problem;
  }
  if (!draft.reason) errors.reason = 'Choose why you are asking for a refund.';
  if (draft.note.trim().length > NOTE_MAX) errors.note = `Keep the note to ${NOTE_MAX.toLocaleString('en-GB')} characters or fewer.`;
  return errors;
}

export function refundRequestBody(draft: RefundDraft, quote: RefundQuote): CreateRefundRequest {
  const note = draft.note.trim();
  return {
    lines: chosenLines(draft, quote).map((line) => ({ lineId: line.lineId, quantity: validQuantity(draft, line) ?? 0 })),
    reason: draft.reason as RefundReason,
    method: draft.method,
    ...(note ? { note } : {}),
  };
}

/** "a minute", "30 seconds", "3 minutes" */
function waitText(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return 'a minute';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

const UNAVAILABLE_REASONS = new Set(['NOT_REFUNDABLE', 'QUANTITY_NOT_REFUNDABLE', 'NO_LONGER_REFUNDABLE', 'LINE_NOT_IN_ORDER']);

export const RATE_LIMIT_MESSAGE = (seconds: number | null) =>
  `You have asked for several refunds in a short time. Please wait ${waitText(seconds)}, then send your request again.`;
export const WINDOW_CLOSED_MESSAGE =
  'The time to ask for a refund on this order has passed. If you think something should still be refunded, tell us in your case and we will look at it.';
export const UNAVAILABLE_MESSAGE =
  'Some of these items can no longer be refunded, for example because they are in another refund request. We have updated the list: please check your request.';

/**
 * What went wrong with a submission, in plain words: field errors go back to their fields (the
 * server names them like "lines[0].quantity"), the rest become one message.
 */
export function serverRefundErrors(error: unknown, sent: CreateRefundRequest): { errors: RefundErrors; toForm: boolean } {
  if (!isApiError(error)) return { errors: { form: humanMessage(error) }, toForm: false };
  const e: ApiError = error;
  if (e.status === 429) return { errors: { form: RATE_LIMIT_MESSAGE(e.retryAfterSeconds) }, toForm: false };
  if (e.reason === 'REFUND_WINDOW_CLOSED') return { errors: { form: WINDOW_CLOSED_MESSAGE }, toForm: false };
  const unavailable = Boolean(e.reason && UNAVAILABLE_REASONS.has(e.reason));
  if (e.status === 404) {
    return { errors: { form: 'We could not find this case any more. Go back to My cases and try again.' }, toForm: false };
  }
  if (e.fieldErrors.length === 0) {
    return unavailable ? { errors: { form: UNAVAILABLE_MESSAGE }, toForm: true } : { errors: { form: e.detail }, toForm: false };
  }
  const errors: RefundErrors = {};
  const unplaced: string[] = [];
  for (const fe of e.fieldErrors) {
    const match = /^lines\[(\d+)\](?:\.(\w+))?$/.exec(fe.field);
    if (match) {
      const line = sent.lines[Number(match[1])];
      if (line) {
        const key = `quantity:${line.lineId}`;
        errors[key] = errors[key] ?? (match[2] === 'lineId' ? 'This item can no longer be refunded.' : fe.message);
        continue;
      }
    }
    const name = fe.field.split(/[.[]/)[0] ?? '';
    if (name in FIELD_IDS) errors[name] = errors[name] ?? fe.message;
    else unplaced.push(fe.message);
  }
  if (unavailable) errors.form = UNAVAILABLE_MESSAGE;
  else if (unplaced.length > 0) errors.form = unplaced.join(' ');
  return { errors, toForm: true };
}

const REVIEW_COLUMNS: Column<{ line: RefundableLine; quantity: number }>[] = [
  { id: 'item', header: 'Item', cell: (r) => r.line.productTitle },
  { id: 'quantity', header: 'Quantity', numeric: true, cell: (r) => r.quantity },
  { id: 'amount', header: 'Amount', numeric: true, nowrap: true, cell: (r) => formatMoney(lineRefundAmount(r.line, r.quantity)) },
];

function successMessage(refund: Refund): string {
  switch (refund.status) {
    case 'pending_approval':
      return `We have your refund request ${refund.number} for ${formatMoney(refund.total)}. Our support team will check it and reply here.`;
    case 'refunded':
      return `Your refund ${refund.number} of ${formatMoney(refund.total)} is done.`;
    default:
      return `Your refund ${refund.number} of ${formatMoney(refund.total)} is approved. We are paying it back now.`;
  }
}

function RefundForm({ kase, quote, onRefresh }: { kase: Case; quote: RefundQuote; onRefresh: () => void }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<RefundDraft>({
    selected: [],
    quantities: {},
    reason: '',
    method: 'original_payment',
    note: '',
  });
  const [step, setStep] = useState<'choose' | 'review'>('choose');
  const [errors, setErrors] = useState<RefundErrors>({});
  const [showErrors, setShowErrors] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [attempt, setAttempt] = useState(0);
  const [sendError, setSendError] = useState<string | undefined>();
  const summaryRef = useFocusOnChange<HTMLDivElement>(attempt);
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const itemsHeading = useRef<HTMLHeadingElement>(null);
  // One Idempotency-Key per submission attempt (a crypto.randomUUID()): made when it is first
  // sent and sent again if the person retries the same request (after a network error, say), so
  // the BFF never makes two refunds of one attempt. Changing the request starts a new attempt.
  const idempotencyKey = useRef<string | null>(null);
  // After moving between the two steps, focus goes to the new step's heading.
  const moved = useRef(false);
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    (step === 'review' ? reviewHeading : itemsHeading).current?.focus();
  }, [step]);

  const submit = useMutation({
    mutationFn: ({ body, key }: { body: CreateRefundRequest; key: string }) => api.createRefund(kase.id, body, key),
    onMutate: () => setSendError(undefined),
    onSuccess: ({ refund }) => {
      idempotencyKey.current = null;
      void queryClient.invalidateQueries({ queryKey: queryKeys.case(kase.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allRefundQuotes });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allRefunds });
      navigate(casePath(kase.id), { state: { flash: successMessage(refund) } });
    },
    onError: (error, { body }) => {
      const { errors: found, toForm } = serverRefundErrors(error, body);
      if (isApiError(error) && (error.reason === 'REFUND_WINDOW_CLOSED' || toForm)) onRefresh();
      if (toForm) {
        idempotencyKey.current = null;
        setErrors(found);
        setShowErrors(true);
        setStep('choose');
        setAttempt((n) => n + 1);
      } else {
        setSendError(found.form);
      }
    },
  });

  const liveErrors = validateRefundDraft(draft, quote);
  // Errors show once the person has left the field or tried to continue; they then follow the
  // value as it changes. Server errors stay until the next try.
  const shown = (key: string): string | undefined => {
    if (!showErrors && !touched[key]) return undefined;
    return liveErrors[key] ?? (showErrors ? errors[key] : undefined);
  };

  function update(patch: Partial<RefundDraft>) {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors({});
    idempotencyKey.current = null;
  }

  function choose(ids: string[]) {
    const quantities = { ...draft.quantities };
    for (const id of ids) {
      if (quantities[id] === undefined) {
        const line = quote.lines.find((l) => l.lineId === id);
        quantities[id] = String(line?.quantityRefundable ?? 1);
      }
    }
    update({ selected: ids, quantities });
  }

  function onContinue(event: FormEvent) {
    event.preventDefault();
    const found = validateRefundDraft(draft, quote);
    setErrors(found);
    setShowErrors(true);
    if (Object.keys(found).length > 0) {
      setAttempt((n) => n + 1);
      return;
    }
    setSendError(undefined);
    moved.current = true;
    setStep('review');
  }

  function onSend() {
    if (submit.isPending) return;
    idempotencyKey.current ??= newIdempotencyKey();
    submit.mutate({ body: refundRequestBody(draft, quote), key: idempotencyKey.current });
  }

  const total = draftTotal(draft, quote);
  const summary: SummaryItem[] = [];
  const allErrors = showErrors ? { ...errors, ...liveErrors } : {};
  if (allErrors.form) summary.push({ message: allErrors.form });
  for (const key of ['lines', ...quote.lines.map((l) => `quantity:${l.lineId}`), 'reason', 'method', 'note']) {
    const message = allErrors[key];
    if (message) summary.push({ fieldId: fieldIdOf(key), message });
  }

  if (step === 'review') {
    const rows = chosenLines(draft, quote).map((line) => ({ line, quantity: validQuantity(draft, line) ?? 0 }));
    return (
      <section className="card refund-review" aria-labelledby="review-heading">
        <h2 id="review-heading" className="section__title" ref={reviewHeading} tabIndex={-1}>
          Check your refund request
        </h2>
        <Table
          caption="Items to refund"
          captionVisible
          compact
          columns={REVIEW_COLUMNS}
          rows={rows}
          rowKey={(r) => r.line.lineId}
          footer={
            <tr>
              <th scope="row" colSpan={2}>
                Total refund
              </th>
              <td className="num nowrap">{formatMoney(total)}</td>
            </tr>
          }
        />
        <dl className="details">
          <div>
            <dt>Why</dt>
            <dd>{draft.reason ? REFUND_REASON_LABELS[draft.reason] : ''}</dd>
          </div>
          <div>
            <dt>Paid back</dt>
            <dd>{REFUND_METHOD_LABELS[draft.method]}</dd>
          </div>
          <div>
            <dt>Your note</dt>
            <dd>{draft.note.trim() || 'None'}</dd>
          </div>
        </dl>
        <p>
          Small refunds are approved straight away. Larger ones are checked by our support team first; we will tell you
          here how it goes.
        </p>
        {sendError ? (
          <Alert tone="error" title="Your request was not sent">
            <p>{sendError}</p>
          </Alert>
        ) : null}
        <div className="form__actions">
          <Button isPending={submit.isPending} onPress={onSend}>
            {submit.isPending ? 'Sending…' : 'Send refund request'}
          </Button>
          <Button
            variant="secondary"
            isDisabled={submit.isPending}
            onPress={() => {
              moved.current = true;
              setStep('choose');
            }}
          >
            Change something
          </Button>
        </div>
      </section>
    );
  }

  return (
    <>
      <ErrorSummary ref={summaryRef} items={summary} />
      <form className="form card card--form" onSubmit={onContinue} noValidate aria-labelledby="refund-form-heading">
        <h2 id="refund-form-heading" className="section__title" ref={itemsHeading} tabIndex={-1}>
          What would you like refunded?
        </h2>
        <CheckboxGroup
          id={ITEMS_ID}
          label="Items"
          hint="Tick each item you want money back for, then say how many."
          value={draft.selected}
          onChange={choose}
          error={shown('lines')}
        >
          {quote.lines.map((line) => {
            const none = line.quantityRefundable <= 0;
            const selected = draft.selected.includes(line.lineId);
            const quantity = validQuantity(draft, line);
            return (
              <div key={line.lineId} className={none ? 'refund-item refund-item--none' : 'refund-item'}>
                <Checkbox value={line.lineId} isDisabled={none}>
                  <span className="refund-item__title">{line.productTitle}</span>
                  <span className="refund-item__meta">
                    {none
                      ? 'Nothing left to refund: already refunded, or in another refund request.'
                      : line.quantityRefundable === line.quantityBought
                        ? `You bought ${line.quantityBought}. Up to ${formatMoney(line.amountRefundable)} can be refunded.`
                        : `You bought ${line.quantityBought}; ${line.quantityRefundable} can still be refunded, up to ${formatMoney(line.amountRefundable)}.`}
                  </span>
                </Checkbox>
                {selected && !none ? (
                  <div className="refund-item__quantity">
                    <NumberField
                      id={quantityId(line.lineId)}
                      label={
                        <>
                          How many to refund<span className="visually-hidden">: {line.productTitle}</span>
                        </>
                      }
                      hint={line.quantityRefundable === 1 ? 'Only 1 can be refunded.' : `From 1 to ${line.quantityRefundable}.`}
                      min={1}
                      max={line.quantityRefundable}
                      value={draft.quantities[line.lineId] ?? ''}
                      onChange={(v) => update({ quantities: { ...draft.quantities, [line.lineId]: v } })}
                      onBlur={() => setTouched((t) => ({ ...t, [`quantity:${line.lineId}`]: true }))}
                      error={shown(`quantity:${line.lineId}`)}
                    />
                    <p className="refund-item__amount">
                      {quantity ? (
                        <>Refund for this item: {formatMoney(lineRefundAmount(line, quantity))}</>
                      ) : (
                        'Enter a quantity to see the amount.'
                      )}
                    </p>
                  </div>
                ) : null}
              </div>
            );
          })}
        </CheckboxGroup>
        <p className="refund-total" aria-live="polite" aria-atomic="true">
          Total refund: <strong>{formatMoney(total)}</strong>
        </p>
        <Select
          id={FIELD_IDS.reason}
          label="Why are you asking for a refund?"
          placeholder="Choose a reason"
          options={REFUND_REASONS.map((r) => ({ value: r, label: REFUND_REASON_LABELS[r] }))}
          value={draft.reason}
          onChange={(v) => {
            update({ reason: v as RefundReason });
            setTouched((t) => ({ ...t, reason: true }));
          }}
          error={shown('reason')}
        />
        <RadioGroup
          id={FIELD_IDS.method}
          label="How should we pay you back?"
          value={draft.method}
          onChange={(v) => update({ method: v as RefundMethod })}
          error={shown('method')}
        >
          <Radio value="original_payment" description="To the card or account you paid with. It can take up to 5 working days to show.">
            Back to my original payment
          </Radio>
          <Radio value="store_credit" description="Added to your shop account, ready to spend straight away.">
            As store credit
          </Radio>
        </RadioGroup>
        <TextArea
          id={FIELD_IDS.note}
          label="Anything else we should know? (optional)"
          hint={`For example, what is wrong with the items. At most ${NOTE_MAX.toLocaleString('en-GB')} characters.`}
          rows={4}
          value={draft.note}
          onChange={(v) => {
            update({ note: v });
            setTouched((t) => ({ ...t, note: true }));
          }}
          error={shown('note')}
        />
        <div className="form__actions">
          <Button type="submit">Continue to review</Button>
          <ButtonLink to={casePath(kase.id)} variant="quiet">
            Cancel
          </ButtonLink>
        </div>
      </form>
    </>
  );
}

export function RefundRequestPage() {
  const { caseId, query } = useCasePage();
  const kase = query.data?.case;
  const orderId = kase?.orderId ?? '';
  const quote = useQuery({
    queryKey: queryKeys.refundQuote(orderId),
    queryFn: ({ signal }) => api.getRefundQuote(orderId, signal),
    enabled: orderId !== '' && kase?.status !== 'closed',
    staleTime: 0,
  });

  const order = query.data?.order;
  const lead = kase
    ? `Case ${kase.number}${order ? ` · order placed on ${formatDate(order.placedAt)}` : ''}`
    : undefined;
  const back = { to: casePath(caseId), label: 'Back to your case' };
  const nothingLeft = quote.data ? quote.data.lines.every((l) => l.quantityRefundable <= 0) : false;

  return (
    <Page title="Ask for a refund" width="narrow" back={back} lead={lead} documentTitle="Ask for a refund">
      {query.isPending || (quote.isPending && quote.fetchStatus !== 'idle') ? (
        <Skeleton label="Loading what can be refunded…" shape="lines" count={4} />
      ) : null}
      {query.isError ? (
        isApiError(query.error) && query.error.status === 404 ? (
          <Alert tone="error" title="We could not find that case">
            <p>
              See all your cases in <Link to="/cases">My cases</Link>.
            </p>
          </Alert>
        ) : (
          <LoadError what="your case" onRetry={() => void query.refetch()} />
        )
      ) : null}
      {kase?.status === 'closed' ? (
        <Alert tone="info" title="This case is closed">
          <p>
            To ask for a refund, open a new case from <Link to="/orders">My orders</Link>, or write to us in this case and
            we will open a new one for you.
          </p>
        </Alert>
      ) : null}
      {quote.isError ? (
        <Alert tone="error" title="We could not find out what can be refunded">
          <p>{isApiError(quote.error) && quote.error.status < 500 ? quote.error.detail : 'Please check your connection and try again.'}</p>
          <Button variant="secondary" onPress={() => void quote.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : null}
      {quote.data && !quote.data.windowOpen ? (
        <Alert tone="info" title="The time to ask for a refund has passed">
          <p>
            {quote.data.windowEndsAt
              ? `Refunds for this order could be asked for until ${formatDate(quote.data.windowEndsAt)}. `
              : 'Refunds for this order can no longer be asked for here. '}
            If you think something should still be refunded, tell us in <Link to={casePath(caseId)}>your case</Link> and
            we will look at it.
          </p>
        </Alert>
      ) : null}
      {quote.data && quote.data.windowOpen && nothingLeft ? (
        <Alert tone="info" title="There is nothing left to refund on this order">
          <p>
            Every item has already been refunded or is in a refund request. You can follow your refunds on{' '}
            <Link to={casePath(caseId)}>your case</Link>.
          </p>
        </Alert>
      ) : null}
      {kase && kase.status !== 'closed' && quote.data && quote.data.windowOpen && !nothingLeft ? (
        <RefundForm kase={kase} quote={quote.data} onRefresh={() => void quote.refetch()} />
      ) : null}
    </Page>
  );
}
