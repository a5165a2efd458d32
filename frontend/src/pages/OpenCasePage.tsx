import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError, humanMessage, queryKeys } from '../api';
import type { Case, CaseCategory, Order } from '../api/types';
import {
  Alert,
  Button,
  ButtonLink,
  Checkbox,
  CheckboxGroup,
  ErrorSummary,
  LoadError,
  Page,
  Select,
  Skeleton,
  type SummaryItem,
  TextArea,
  TextField,
} from '../components';
import { CATEGORIES, CATEGORY_LABELS, formatMoney } from '../lib/format';
import { casePath } from '../lib/routes';
import { useFocusOnChange } from '../lib/useErrorSummary';
import { deliveryText, orderTitle } from './OrdersPage';

export const SUBJECT_MAX = 120;
export const DESCRIPTION_MAX = 5000;

type FieldName = 'category' | 'subject' | 'description' | 'orderLineIds';
export type CaseFormErrors = Partial<Record<FieldName | 'form', string>>;

const FIELD_IDS: Record<FieldName, string> = {
  category: 'case-category',
  subject: 'case-subject',
  description: 'case-description',
  orderLineIds: 'case-items',
};

export interface CaseFormValues {
  category: string;
  subject: string;
  description: string;
  orderLineIds: string[];
}

export function validateCaseForm(values: CaseFormValues): CaseFormErrors {
  const errors: CaseFormErrors = {};
  if (!values.category) errors.category = 'Choose what the problem is about.';
  const subject = values.subject.trim();
  if (!subject) errors.subject = 'Enter a subject.';
  else if (subject.length > SUBJECT_MAX)
    errors.subject = `Keep the subject to ${SUBJECT_MAX} characters or fewer.`;
  const description = values.description.trim();
  if (!description) errors.description = 'Describe the problem.';
  else if (description.length > DESCRIPTION_MAX)
    errors.description = `Keep the description to ${DESCRIPTION_MAX} characters or fewer.`;
  return errors;
}

/** Puts each of the server's field errors on its field; the rest go to the top of the form. */
export function serverCaseErrors(error: unknown): CaseFormErrors {
  if (!isApiError(error)) return { form: humanMessage(error) };
  const errors: CaseFormErrors = {};
  const unplaced: string[] = [];
  for (const fe of error.fieldErrors) {
    const name = fe.field.split(/[.[]/)[0] as FieldName;
    if (name in FIELD_IDS) errors[name] = errors[name] ?? fe.message;
    else unplaced.push(fe.message);
  }
  if (unplaced.length > 0) errors.form = unplaced.join(' ');
  else if (error.fieldErrors.length === 0) errors.form = error.detail;
  return errors;
}

export function OpenCaseForm({ order, onCreated }: { order: Order; onCreated: (c: Case) => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<CaseFormValues>({
    category: '',
    subject: '',
    description: '',
    orderLineIds: [],
  });
  const [errors, setErrors] = useState<CaseFormErrors>({});
  const [attempt, setAttempt] = useState(0);
  const summaryRef = useFocusOnChange<HTMLDivElement>(attempt);

  const create = useMutation({
    mutationFn: api.createCase,
    onSuccess: ({ case: created }) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.allCases });
      onCreated(created);
    },
    onError: (error) => {
      setErrors(serverCaseErrors(error));
      setAttempt((n) => n + 1);
    },
  });

  function set<K extends keyof CaseFormValues>(key: K, value: CaseFormValues[K]) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (create.isPending) return;
    const found = validateCaseForm(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setAttempt((n) => n + 1);
      return;
    }
    create.mutate({
      orderId: order.id,
      category: values.category as CaseCategory,
      subject: values.subject.trim(),
      description: values.description.trim(),
      ...(values.orderLineIds.length > 0 ? { orderLineIds: values.orderLineIds } : {}),
    });
  }

  const items: SummaryItem[] = [];
  if (errors.form) items.push({ message: errors.form });
  for (const name of Object.keys(FIELD_IDS) as FieldName[]) {
    const message = errors[name];
    if (message) items.push({ fieldId: FIELD_IDS[name], message });
  }

  return (
    <>
      <ErrorSummary ref={summaryRef} items={items} />
      <form className="form card card--form" onSubmit={onSubmit} noValidate>
        <Select
          id={FIELD_IDS.category}
          label="What is the problem about?"
          placeholder="Choose a category"
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
          value={values.category}
          onChange={(v) => set('category', v)}
          error={errors.category}
        />
        <TextField
          id={FIELD_IDS.subject}
          label="Subject"
          hint="A few words, for example “Mug arrived broken”."
          value={values.subject}
          onChange={(v) => set('subject', v)}
          error={errors.subject}
          autoComplete="off"
        />
        <TextArea
          id={FIELD_IDS.description}
          label="Describe the problem"
          hint="Tell us what happened and what you would like us to do."
          rows={6}
          value={values.description}
          onChange={(v) => set('description', v)}
          error={errors.description}
        />
        {order.lines.length > 0 ? (
          <CheckboxGroup
            id={FIELD_IDS.orderLineIds}
            label="Which items are affected? (optional)"
            hint="Leave these empty if the problem is about the whole order."
            value={values.orderLineIds}
            onChange={(ids) => set('orderLineIds', ids)}
            error={errors.orderLineIds}
          >
            {order.lines.map((line) => (
              <Checkbox key={line.id} value={line.id}>
                {line.productTitle}
                <span className="muted">
                  {' '}
                  ({line.quantity} × {formatMoney(line.unitPrice)})
                </span>
              </Checkbox>
            ))}
          </CheckboxGroup>
        ) : null}
        <div className="form__actions">
          <Button type="submit" isPending={create.isPending}>
            {create.isPending ? 'Sending…' : 'Open case'}
          </Button>
          <ButtonLink to="/orders" variant="quiet">
            Cancel
          </ButtonLink>
        </div>
      </form>
    </>
  );
}

export function OpenCasePage() {
  const { orderId = '' } = useParams();
  const navigate = useNavigate();
  const orders = useQuery({
    queryKey: queryKeys.orders,
    queryFn: ({ signal }) => api.listOrders(signal),
  });
  const order = orders.data?.orders.find((o) => o.id === orderId);

  return (
    <Page
      title="Open a case"
      width="narrow"
      back={{ to: '/orders', label: 'My orders' }}
      lead={order ? `${orderTitle(order)} · ${deliveryText(order)} · ${formatMoney(order.total)}` : undefined}
    >
      {orders.isPending ? <Skeleton label="Loading your order…" shape="lines" count={4} /> : null}
      {orders.isError ? (
        <LoadError what="your order" onRetry={() => void orders.refetch()} />
      ) : null}
      {orders.data && !order ? (
        <Alert tone="error" title="We could not find that order">
          <p>
            Go back to <Link to="/orders">My orders</Link> and choose the order you need help with.
          </p>
        </Alert>
      ) : null}
      {order ? (
        <OpenCaseForm
          order={order}
          onCreated={(created) =>
            navigate(casePath(created.id), {
              state: { flash: `Your case ${created.number} is open. We will reply here.` },
            })
          }
        />
      ) : null}
    </Page>
  );
}
