import { http, HttpResponse } from 'msw';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CreateCaseRequest } from '../api/types';
import { server } from '../test/server';
import { ana, makeCase, makeCasePage, order, problem } from '../test/fixtures';
import { renderApp } from '../test/render';
import { chooseOption } from '../test/select';

function withOrders() {
  server.use(http.get('/api/orders', () => HttpResponse.json({ orders: [order] })));
}

async function openForm() {
  const rendered = renderApp(`/orders/${order.id}/new-case`, ana);
  await screen.findByLabelText('Subject');
  return rendered;
}

describe('Open a case', () => {
  it('shows which order the case is about', async () => {
    withOrders();
    await openForm();
    expect(screen.getByRole('heading', { level: 1, name: 'Open a case' })).toBeInTheDocument();
    expect(screen.getByText(/Order placed on 1 March 2025 · Delivered on 4 March 2025 · €44.99/)).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: /Ceramic mug/ })).toBeInTheDocument();
  });

  it('explains each missing field next to it and sends nothing', async () => {
    withOrders();
    let posted = false;
    server.use(
      http.post('/api/cases', () => {
        posted = true;
        return HttpResponse.json({});
      }),
    );
    const { user } = await openForm();
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    // The select is a button that opens a list: its error is read out as its description.
    const category = screen.getByLabelText('What is the problem about?');
    expect(category).toHaveAccessibleDescription('Error: Choose what the problem is about.');
    const subject = screen.getByLabelText('Subject');
    expect(subject).toHaveAttribute('aria-invalid', 'true');
    expect(subject).toHaveAccessibleDescription(/Error: Enter a subject\./);
    const description = screen.getByLabelText('Describe the problem');
    expect(description).toHaveAccessibleDescription(/Error: Describe the problem\./);

    const summary = screen.getByRole('alert');
    expect(summary).toHaveFocus();
    expect(within(summary).getAllByRole('link')).toHaveLength(3);
    expect(posted).toBe(false);
  });

  it('clears an error once the field is fixed and resubmitted', async () => {
    withOrders();
    server.use(http.post('/api/cases', () => problem(400, 'Check the form.', [])));
    const { user } = await openForm();
    await user.click(screen.getByRole('button', { name: 'Open case' }));
    expect(screen.getByLabelText('Subject')).toHaveAttribute('aria-invalid', 'true');
    await user.type(screen.getByLabelText('Subject'), 'Broken mug');
    await user.click(screen.getByRole('button', { name: 'Open case' }));
    expect(screen.getByLabelText('Subject')).not.toHaveAttribute('aria-invalid');
  });

  it('puts the server’s field errors on the right fields', async () => {
    withOrders();
    server.use(
      http.post('/api/cases', () =>
        problem(400, 'Some details need fixing.', [
          { field: 'description', message: 'Tell us a little more: at least 10 characters.' },
          { field: 'orderId', message: 'This order cannot have a case yet.' },
        ]),
      ),
    );
    const { user } = await openForm();
    await chooseOption(user, 'What is the problem about?', 'Damaged item');
    await user.type(screen.getByLabelText('Subject'), 'Broken mug');
    await user.type(screen.getByLabelText('Describe the problem'), 'Broken');
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    const description = screen.getByLabelText('Describe the problem');
    expect(await screen.findByText('Tell us a little more: at least 10 characters.', { selector: '.field__error' })).toBeInTheDocument();
    expect(description).toHaveAttribute('aria-invalid', 'true');
    expect(description).toHaveAccessibleDescription(/Tell us a little more/);
    expect(screen.getByLabelText('Subject')).not.toHaveAttribute('aria-invalid');
    // An error about no field on the form goes to the summary.
    expect(screen.getByRole('alert')).toHaveTextContent('This order cannot have a case yet.');
  });

  it('sends the case with the chosen items and opens its page', async () => {
    withOrders();
    let sent: CreateCaseRequest | undefined;
    server.use(
      http.post('/api/cases', async ({ request }) => {
        sent = (await request.json()) as CreateCaseRequest;
        return HttpResponse.json({ case: makeCase({ id: 'new-case', subject: 'Broken mug' }) }, { status: 201 });
      }),
      http.get('/api/cases/new-case', () => HttpResponse.json(makeCasePage({ id: 'new-case', subject: 'Broken mug' }))),
    );
    const { user } = await openForm();
    await chooseOption(user, 'What is the problem about?', 'Damaged item');
    await user.type(screen.getByLabelText('Subject'), '  Broken mug ');
    await user.type(screen.getByLabelText('Describe the problem'), 'One mug arrived in pieces.');
    await user.click(screen.getByRole('checkbox', { name: /Ceramic mug/ }));
    await user.click(screen.getByRole('button', { name: 'Open case' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Broken mug' })).toBeInTheDocument();
    expect(sent).toEqual({
      orderId: 'ord_1001',
      category: 'damaged_item',
      subject: 'Broken mug',
      description: 'One mug arrived in pieces.',
      orderLineIds: ['ln_1'],
    });
    expect(screen.getByText('Your case C-10482 is open. We will reply here.')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/cases/new-case');
  });
});
