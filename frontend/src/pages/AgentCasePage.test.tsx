import { delay, http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CasePage } from '../api/types';
import { server } from '../test/server';
import { ana, makeCase, makeCasePage, problem, sam } from '../test/fixtures';
import { renderApp } from '../test/render';
import { chooseOption } from '../test/select';

const pageWithMessages = (): CasePage => ({
  ...makeCasePage({ status: 'in_progress' }),
  messages: [
    {
      id: 'm1',
      author: { id: 'a1', name: 'Sam Agent', role: 'agent' },
      body: 'Could you send a photo?',
      internal: false,
      createdAt: '2025-03-05T10:00:00Z',
    },
    {
      id: 'm2',
      author: { id: 'a2', name: 'Lee Lead', role: 'lead' },
      body: 'Courier damage, I think.',
      internal: true,
      createdAt: '2025-03-05T10:05:00Z',
    },
  ],
});

describe('Agent case page', () => {
  it('marks internal notes visibly', async () => {
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(pageWithMessages())),
      http.get('/api/agents', () => HttpResponse.json({ agents: [{ id: 'a1', name: 'Sam Agent' }] })),
    );
    renderApp('/cases/case-1', sam);
    const note = await screen.findByRole('article', { name: 'Internal note from Lee Lead' });
    expect(within(note).getByText('Internal note')).toBeInTheDocument();
    expect(screen.getByRole('article', { name: 'Message from You' })).not.toHaveTextContent('Internal note');
  });

  it('on a conflict, says someone else changed the case and reloads it', async () => {
    let loads = 0;
    server.use(
      http.get('/api/cases/case-1', () => {
        loads += 1;
        return HttpResponse.json(
          loads === 1
            ? makeCasePage()
            : makeCasePage({ etag: 'v2', assignee: { id: 'a2', name: 'Lee Lead' } }),
        );
      }),
      http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
      http.post('/api/cases/case-1/assign', () => problem(409, 'The case was changed.')),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Assign to me' }));
    expect(await screen.findByText('Someone else changed this case; we reloaded it.')).toBeInTheDocument();
    expect(await screen.findByText('Lee Lead')).toBeInTheDocument();
    expect(loads).toBeGreaterThanOrEqual(2);
  });

  it('sends the etag and shows the new status after an action', async () => {
    let sent: unknown;
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage({ status: 'in_progress' }))),
      http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
      http.post('/api/cases/case-1/status', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ status: 'resolved', etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Resolve case' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Resolve this case?' });
    await user.click(within(dialog).getByRole('button', { name: 'Resolve case' }));
    expect(await screen.findByText('The case is now resolved.')).toBeInTheDocument();
    expect(sent).toEqual({ action: 'resolve', etag: 'v1' });
  });

  it('shows the server’s reason when a transition is not allowed', async () => {
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage({ status: 'in_progress' }))),
      http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
      http.post('/api/cases/case-1/status', () =>
        problem(412, 'This case cannot be resolved while a refund is still being processed.'),
      ),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Resolve case' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Resolve case' }));
    expect(
      await screen.findByText('This case cannot be resolved while a refund is still being processed.'),
    ).toBeInTheDocument();
  });

  it('adds an internal note with internal: true', async () => {
    let sent: unknown;
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage())),
      http.get('/api/agents', () => HttpResponse.json({ agents: [] })),
      http.post('/api/cases/case-1/messages', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ message: {}, case: makeCase() }, { status: 201 });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await user.type(await screen.findByLabelText('Message'), 'Check stock');
    await user.click(screen.getByRole('button', { name: 'Add internal note' }));
    expect(await screen.findByText('Your internal note was added.')).toBeInTheDocument();
    expect(sent).toEqual({ body: 'Check stock', internal: true });
  });
});

describe('Agent case page: confirmations, shortcuts and states', () => {
  function withCase(overrides: Parameters<typeof makeCasePage>[0] = {}) {
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage(overrides))),
      http.get('/api/agents', () => HttpResponse.json({ agents: [{ id: 'a1', name: 'Sam Agent' }] })),
    );
  }

  it('changes nothing when a confirmation is cancelled', async () => {
    withCase({ status: 'in_progress' });
    let posted = false;
    server.use(
      http.post('/api/cases/case-1/status', () => {
        posted = true;
        return HttpResponse.json({ case: makeCase() });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    const resolve = await screen.findByRole('button', { name: 'Resolve case' });
    await user.click(resolve);
    const dialog = await screen.findByRole('alertdialog', { name: 'Resolve this case?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    await waitFor(() => expect(resolve).toHaveFocus());
    expect(posted).toBe(false);
  });

  it('asks before closing, which is final, then keeps focus on the status', async () => {
    withCase({ status: 'resolved' });
    let sent: unknown;
    server.use(
      http.post('/api/cases/case-1/status', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ status: 'closed', etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Close case' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Close this case?' });
    expect(dialog).toHaveTextContent('Closing is final');
    await user.click(within(dialog).getByRole('button', { name: 'Close case' }));
    expect(await screen.findByText('The case is now closed.')).toBeInTheDocument();
    expect(sent).toEqual({ action: 'close', etag: 'v1' });
    await waitFor(() => expect(screen.getByRole('heading', { level: 3, name: 'Status' })).toHaveFocus());
  });

  it('"a" assigns the case to me; "r" goes to the message box', async () => {
    withCase();
    let sent: unknown;
    server.use(
      http.post('/api/cases/case-1/assign', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ assignee: { id: sam.id, name: sam.name }, etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await screen.findByRole('button', { name: 'Assign to me' });
    await user.keyboard('a');
    expect(await screen.findByText('Assigned to you.')).toBeInTheDocument();
    expect(sent).toEqual({ assigneeId: sam.id, etag: 'v1' });
    await user.keyboard('r');
    expect(screen.getByLabelText('Message')).toHaveFocus();
  });

  it('assigns the case to someone picked by name, sending their id and the etag', async () => {
    let sent: unknown;
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage())),
      http.get('/api/agents', () =>
        HttpResponse.json({
          agents: [
            { id: 'a1', name: 'Sam Agent' },
            { id: 'a3', name: 'Kim Park' },
          ],
        }),
      ),
      http.post('/api/cases/case-1/assign', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ assignee: { id: 'a3', name: 'Kim Park' }, etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await screen.findByRole('button', { name: 'Assign to me' });
    const assign = screen.getByRole('button', { name: 'Assign' });
    expect(assign).toBeDisabled(); // nobody chosen yet
    await chooseOption(user, 'Assign to someone', 'Kim Park');
    await user.click(assign);
    expect(await screen.findByText('Assigned to Kim Park.')).toBeInTheDocument();
    expect(sent).toEqual({ assigneeId: 'a3', etag: 'v1' });
  });

  it('unassigns with assigneeId null', async () => {
    withCase({ assignee: { id: 'a3', name: 'Kim Park' } });
    let sent: unknown;
    server.use(
      http.post('/api/cases/case-1/assign', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ assignee: null, etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    await screen.findByRole('button', { name: 'Assign to me' });
    await chooseOption(user, 'Assign to someone', 'Nobody (unassign)');
    await user.click(screen.getByRole('button', { name: 'Assign' }));
    expect(await screen.findByText('Nobody is assigned now.')).toBeInTheDocument();
    expect(sent).toEqual({ assigneeId: null, etag: 'v1' });
  });

  it('changes the priority with a PATCH of the etag and the new priority', async () => {
    withCase();
    let sent: unknown;
    server.use(
      http.patch('/api/cases/case-1', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ priority: 'urgent', etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', sam);
    const change = await screen.findByRole('button', { name: 'Change priority' });
    expect(change).toBeDisabled(); // the priority it already has
    await chooseOption(user, 'Set priority', 'Urgent');
    await user.click(change);
    expect(await screen.findByText('Priority is now urgent.')).toBeInTheDocument();
    expect(sent).toEqual({ etag: 'v1', priority: 'urgent' });
  });

  it('says what is loading, and says plainly when the case cannot be loaded', async () => {
    server.use(
      http.get('/api/cases/slow', async () => {
        await delay('infinite');
        return HttpResponse.json(makeCasePage());
      }),
      http.get('/api/cases/broken', () => problem(500, 'Traceback: grpc._channel')),
    );
    const first = renderApp('/cases/slow', sam);
    expect(await screen.findByRole('status')).toHaveTextContent('Loading the case…');
    first.unmount();
    renderApp('/cases/broken', sam);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not load the case');
    expect(alert).not.toHaveTextContent(/Traceback|grpc/);
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('asks for a message before sending an empty one', async () => {
    withCase();
    const { user } = renderApp('/cases/case-1', sam);
    await user.click(await screen.findByRole('button', { name: 'Send reply to customer' }));
    const box = screen.getByLabelText('Message');
    expect(box).toHaveAttribute('aria-invalid', 'true');
    expect(box).toHaveAccessibleDescription(/Error: Write your reply before you send it\./);
    expect(box).toHaveFocus();
  });
});

describe('Customer case page', () => {
  it('shows the status in plain words with what happens next', async () => {
    server.use(http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage({ status: 'waiting_on_customer' }))));
    renderApp('/cases/case-1', ana);
    const status = await screen.findByRole('region', { name: 'Status' });
    expect(status).toHaveTextContent('Waiting for your reply');
    expect(status).toHaveTextContent('We need an answer from you before we can carry on.');
    expect(screen.getByRole('heading', { level: 1, name: 'Mug arrived broken' })).toHaveFocus();
  });

  it('says when a case cannot be found, without codes', async () => {
    server.use(http.get('/api/cases/nope', () => problem(404, 'NOT_FOUND')));
    renderApp('/cases/nope', ana);
    expect(await screen.findByRole('alert')).toHaveTextContent('We could not find that case');
  });

  it('follows a reply that opened a new case', async () => {
    server.use(
      http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage({ status: 'closed' }))),
      http.post('/api/cases/case-1/messages', () =>
        HttpResponse.json(
          { message: {}, case: makeCase({ id: 'case-2', number: 'C-20000', previousCaseNumber: 'C-10482' }) },
          { status: 201 },
        ),
      ),
      http.get('/api/cases/case-2', () =>
        HttpResponse.json(makeCasePage({ id: 'case-2', number: 'C-20000', previousCaseNumber: 'C-10482' })),
      ),
    );
    const { user } = renderApp('/cases/case-1', ana);
    await user.type(await screen.findByLabelText(/Your reply/), 'It broke again');
    await user.click(screen.getByRole('button', { name: 'Send reply' }));
    expect(await screen.findByText(/we opened a new case, C-20000/)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/cases/case-2');
  });

  it('asks before the customer closes a resolved case', async () => {
    let sent: unknown;
    server.use(
      http.get('/api/cases/case-1', () =>
        HttpResponse.json(makeCasePage(sent ? { status: 'closed', etag: 'v2' } : { status: 'resolved' })),
      ),
      http.post('/api/cases/case-1/status', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ case: makeCase({ status: 'closed', etag: 'v2' }) });
      }),
    );
    const { user } = renderApp('/cases/case-1', ana);
    await user.click(await screen.findByRole('button', { name: 'All sorted: close this case' }));
    let dialog = await screen.findByRole('alertdialog', { name: 'Close this case?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep it open' }));
    expect(sent).toBeUndefined();
    await user.click(screen.getByRole('button', { name: 'All sorted: close this case' }));
    dialog = await screen.findByRole('alertdialog', { name: 'Close this case?' });
    await user.click(within(dialog).getByRole('button', { name: 'Close case' }));
    expect(await screen.findByText('Your case is closed. Thank you.')).toBeInTheDocument();
    expect(sent).toEqual({ action: 'close', etag: 'v1' });
    expect(screen.getByRole('region', { name: 'Status' })).toHaveTextContent('Closed');
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: 'Status' })).toHaveFocus());
  });

  it('has no keyboard shortcuts for customers', async () => {
    server.use(http.get('/api/cases/case-1', () => HttpResponse.json(makeCasePage())));
    const { user } = renderApp('/cases/case-1', ana);
    await screen.findByRole('heading', { level: 1, name: 'Mug arrived broken' });
    await user.keyboard('?r');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Your reply')).not.toHaveFocus();
  });
});
