import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { ana, makeCasePage, makeQuote, makeRefund, problem } from '../test/fixtures';
import { renderApp } from '../test/render';
import { chooseOption } from '../test/select';
import type { RefundQuote } from '../api/types';
import { lineRefundAmount, quantityError } from '../lib/refunds';

const PATH = '/cases/case-1/refund';

function withCaseAndQuote(quote: RefundQuote = makeQuote()) {
  server.use(
    http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage())),
    http.get('/api/orders/ord_1001/refund-quote', () => HttpResponse.json(quote)),
  );
}

const total = () => screen.getByText(/^Total refund:/);
const items = () => screen.getByRole('group', { name: 'Items' });

async function fillValidRequest(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByRole('checkbox', { name: /Ceramic mug/ }));
  const quantity = screen.getByRole('spinbutton', { name: /Ceramic mug/ });
  await user.clear(quantity);
  await user.type(quantity, '1');
  await chooseOption(user, /Why are you asking/, 'It arrived damaged or does not work');
}

describe('lineRefundAmount and quantityError', () => {
  const line = makeQuote().lines[0]!;

  it('prices units pro rata, rounded down, with the rest for the last ones', () => {
    expect(lineRefundAmount(line, 1)).toEqual({ amountMinor: 1169, currency: 'EUR' });
    expect(lineRefundAmount(line, 2)).toEqual({ amountMinor: 2338, currency: 'EUR' });
    expect(lineRefundAmount(line, 3)).toEqual({ amountMinor: 3508, currency: 'EUR' });
    expect(lineRefundAmount(line, 0).amountMinor).toBe(0);
  });

  it('says plainly what is wrong with a quantity', () => {
    expect(quantityError('', 3)).toBe('Enter how many to refund.');
    expect(quantityError('1.5', 3)).toBe('Enter a whole number, like 1 or 2.');
    expect(quantityError('0', 3)).toBe('Enter at least 1, or untick the item.');
    expect(quantityError('4', 3)).toBe('You can refund at most 3 of these.');
    expect(quantityError('2', 3)).toBeUndefined();
  });
});

describe('Ask for a refund', () => {
  it('shows what each item can still refund, and items with nothing left disabled with a reason', async () => {
    withCaseAndQuote();
    renderApp(PATH, ana);
    const heading = await screen.findByRole('heading', { level: 1, name: 'Ask for a refund' });
    await waitFor(() => expect(heading).toHaveFocus());
    const mug = await screen.findByRole('checkbox', { name: /Ceramic mug/ });
    expect(mug).toBeEnabled();
    expect(mug.closest('label')).toHaveTextContent('You bought 3. Up to €35.08 can be refunded.');
    const teapot = screen.getByRole('checkbox', { name: /Teapot/ });
    expect(teapot).toBeDisabled();
    expect(teapot.closest('label')).toHaveTextContent('Nothing left to refund: already refunded, or in another refund request.');
  });

  it('updates the total from integer amounts as items and quantities change', async () => {
    withCaseAndQuote();
    const { user } = renderApp(PATH, ana);
    expect(await screen.findByText(/^Total refund:/)).toHaveTextContent('Total refund: €0.00');
    await user.click(screen.getByRole('checkbox', { name: /Ceramic mug/ }));
    // Ticking an item proposes all that can still be refunded.
    expect(screen.getByRole('spinbutton', { name: /Ceramic mug/ })).toHaveValue(3);
    expect(total()).toHaveTextContent('€35.08');
    const quantity = screen.getByRole('spinbutton', { name: /Ceramic mug/ });
    await user.clear(quantity);
    await user.type(quantity, '1');
    expect(total()).toHaveTextContent('€11.69');
    await user.click(screen.getByRole('checkbox', { name: /Tea towel set/ }));
    expect(total()).toHaveTextContent('€90.69');
    await user.click(screen.getByRole('checkbox', { name: /Ceramic mug/ }));
    expect(total()).toHaveTextContent('€79.00');
  });

  it('checks the form before the review: items, quantities and a reason', async () => {
    withCaseAndQuote();
    const { user } = renderApp(PATH, ana);
    await user.click(await screen.findByRole('button', { name: 'Continue to review' }));
    const summary = await screen.findByRole('alert');
    expect(summary).toHaveTextContent('Choose at least one item to refund.');
    expect(summary).toHaveTextContent('Choose why you are asking for a refund.');
    await waitFor(() => expect(summary).toHaveFocus());
    expect(items()).toHaveAttribute('data-invalid', 'true');

    await user.click(screen.getByRole('checkbox', { name: /Ceramic mug/ }));
    const quantity = screen.getByRole('spinbutton', { name: /Ceramic mug/ });
    await user.clear(quantity);
    await user.type(quantity, '5');
    expect(quantity).toHaveAttribute('aria-invalid', 'true');
    expect(quantity).toHaveAccessibleDescription(/Error: You can refund at most 3 of these\./);
    expect(total()).toHaveTextContent('€0.00');
    await user.clear(quantity);
    await user.type(quantity, '2');
    expect(quantity).not.toHaveAttribute('aria-invalid', 'true');
    expect(total()).toHaveTextContent('€23.38');
  });

  it('shows a quantity error when leaving the field, before any submit', async () => {
    withCaseAndQuote();
    const { user } = renderApp(PATH, ana);
    await user.click(await screen.findByRole('checkbox', { name: /Ceramic mug/ }));
    const quantity = screen.getByRole('spinbutton', { name: /Ceramic mug/ });
    await user.clear(quantity);
    await user.tab();
    expect(quantity).toHaveAccessibleDescription(/Error: Enter how many to refund\./);
  });

  it('reviews, then sends the request once with an Idempotency-Key, and shows it on the case', async () => {
    withCaseAndQuote();
    const requests: { key: string | null; body: unknown }[] = [];
    server.use(
      http.post('/api/cases/case-1/refunds', async ({ request }) => {
        requests.push({ key: request.headers.get('Idempotency-Key'), body: await request.json() });
        return HttpResponse.json(
          { refund: makeRefund({ status: 'pending_approval', total: { amountMinor: 1169, currency: 'EUR' } }) },
          { status: 201 },
        );
      }),
    );
    const { user } = renderApp(PATH, ana);
    await fillValidRequest(user);
    await user.click(screen.getByRole('radio', { name: /As store credit/ }));
    await user.type(screen.getByLabelText(/Anything else we should know/), 'One mug is chipped.');
    await user.click(screen.getByRole('button', { name: 'Continue to review' }));

    const review = await screen.findByRole('region', { name: 'Check your refund request' });
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Check your refund request' })).toHaveFocus());
    expect(within(review).getByRole('table', { name: 'Items to refund' })).toHaveTextContent('Ceramic mug1€11.69');
    expect(review).toHaveTextContent('Total refund€11.69');
    expect(review).toHaveTextContent('As store credit');
    expect(review).toHaveTextContent('One mug is chipped.');

    await user.click(within(review).getByRole('button', { name: 'Send refund request' }));
    expect(await screen.findByText(/We have your refund request R-2001 for €11\.69/)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/cases/case-1');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toEqual({
      lines: [{ lineId: 'ln_1', quantity: 1 }],
      reason: 'damaged',
      method: 'store_credit',
      note: 'One mug is chipped.',
    });
    expect(requests[0]?.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('sends the same Idempotency-Key when a failed attempt is retried, and a new one after a change', async () => {
    withCaseAndQuote();
    const keys: (string | null)[] = [];
    server.use(
      http.post('/api/cases/case-1/refunds', ({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        if (keys.length < 3) return problem(503, 'Upstream timeout in refund_svc');
        return HttpResponse.json({ refund: makeRefund() }, { status: 201 });
      }),
    );
    const { user } = renderApp(PATH, ana);
    await fillValidRequest(user);
    await user.click(screen.getByRole('button', { name: 'Continue to review' }));
    await user.click(await screen.findByRole('button', { name: 'Send refund request' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your request was not sent');
    expect(alert).not.toHaveTextContent(/refund_svc|Upstream/);
    await user.click(screen.getByRole('button', { name: 'Send refund request' }));
    await waitFor(() => expect(keys).toHaveLength(2));
    expect(keys[1]).toBe(keys[0]);

    // Changing the request makes it a new attempt.
    await user.click(screen.getByRole('button', { name: 'Change something' }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'What would you like refunded?' })).toHaveFocus());
    await user.click(screen.getByRole('checkbox', { name: /Tea towel set/ }));
    await user.click(screen.getByRole('button', { name: 'Continue to review' }));
    await user.click(await screen.findByRole('button', { name: 'Send refund request' }));
    await waitFor(() => expect(keys).toHaveLength(3));
    expect(keys[2]).not.toBe(keys[0]);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/cases\/case-1$/));
  });

  it('says plainly when there have been too many requests (429 with Retry-After)', async () => {
    withCaseAndQuote();
    server.use(
      http.post('/api/cases/case-1/refunds', () =>
        problem(429, 'Rate limit exceeded', undefined, { 'Retry-After': '45' }),
      ),
    );
    const { user } = renderApp(PATH, ana);
    await fillValidRequest(user);
    await user.click(screen.getByRole('button', { name: 'Continue to review' }));
    await user.click(await screen.findByRole('button', { name: 'Send refund request' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You have asked for several refunds in a short time. Please wait 45 seconds, then send your request again.',
    );
  });

  it('puts the server’s field errors back on their fields', async () => {
    withCaseAndQuote();
    server.use(
      http.post('/api/cases/case-1/refunds', () =>
        HttpResponse.json(
          {
            type: 'about:blank',
            title: 'Bad Request',
            status: 400,
            detail: 'You asked to refund more items than can still be refunded.',
            reason: 'QUANTITY_NOT_REFUNDABLE',
            errors: [{ field: 'lines[0].quantity', message: 'Choose how many to refund: no more than can still be refunded.' }],
          },
          { status: 400, headers: { 'Content-Type': 'application/problem+json' } },
        ),
      ),
    );
    const { user } = renderApp(PATH, ana);
    await fillValidRequest(user);
    await user.click(screen.getByRole('button', { name: 'Continue to review' }));
    await user.click(await screen.findByRole('button', { name: 'Send refund request' }));
    const summary = await screen.findByRole('alert');
    expect(summary).toHaveTextContent('Some of these items can no longer be refunded');
    expect(screen.getByRole('spinbutton', { name: /Ceramic mug/ })).toHaveAccessibleDescription(
      /Error: Choose how many to refund: no more than can still be refunded\./,
    );
  });

  it('says when the refund window has closed', async () => {
    withCaseAndQuote(makeQuote({ windowOpen: false, windowEndsAt: '2025-04-03T10:00:00Z' }));
    renderApp(PATH, ana);
    expect(await screen.findByText('The time to ask for a refund has passed')).toBeInTheDocument();
    expect(screen.getByText(/could be asked for until 3 April 2025/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue to review' })).not.toBeInTheDocument();
  });

  it('says when nothing is left to refund', async () => {
    const quote = makeQuote();
    withCaseAndQuote({
      ...quote,
      lines: quote.lines.map((l) => ({ ...l, quantityRefundable: 0, amountRefundable: { amountMinor: 0, currency: 'EUR' } })),
    });
    renderApp(PATH, ana);
    expect(await screen.findByText('There is nothing left to refund on this order')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue to review' })).not.toBeInTheDocument();
  });

  it('says when the window closed while the customer was filling in the form', async () => {
    withCaseAndQuote();
    server.use(
      http.post('/api/cases/case-1/refunds', () =>
        HttpResponse.json(
          { type: 'about:blank', title: 'Precondition Failed', status: 412, detail: 'Window closed.', reason: 'REFUND_WINDOW_CLOSED' },
          { status: 412, headers: { 'Content-Type': 'application/problem+json' } },
        ),
      ),
    );
    const { user } = renderApp(PATH, ana);
    await fillValidRequest(user);
    await user.click(screen.getByRole('button', { name: 'Continue to review' }));
    await user.click(await screen.findByRole('button', { name: 'Send refund request' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The time to ask for a refund on this order has passed.');
  });
});
