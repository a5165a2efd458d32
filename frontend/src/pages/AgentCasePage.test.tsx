import { http, HttpResponse } from 'msw';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CasePage } from '../api/types';
import { server } from '../test/server';
import { ana, makeCase, makeCasePage, problem, sam } from '../test/fixtures';
import { renderApp } from '../test/render';

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
});
