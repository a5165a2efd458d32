import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../test/server';
import { problem } from '../test/fixtures';
import { ApiError, humanMessage, request } from './client';
import { api, caseEventsUrl, refundListQueryString } from './endpoints';

describe('request', () => {
  it('sends the CSRF header, JSON and same-origin credentials on writes', async () => {
    let seen: Request | undefined;
    let body: unknown;
    server.use(
      http.post('/api/cases/c1/messages', async ({ request: req }) => {
        seen = req;
        body = await req.json();
        return HttpResponse.json({ message: {}, case: {} }, { status: 201 });
      }),
    );
    await api.addMessage('c1', { body: 'Hello' });
    expect(seen?.headers.get('X-Requested-By')).toBe('acme-ui');
    expect(seen?.headers.get('Content-Type')).toBe('application/json');
    expect(seen?.credentials).toBe('same-origin');
    expect(body).toEqual({ body: 'Hello' });
  });

  it('sends no CSRF header or body on reads', async () => {
    let seen: Request | undefined;
    server.use(
      http.get('/api/orders', ({ request: req }) => {
        seen = req;
        return HttpResponse.json({ orders: [] });
      }),
    );
    await expect(api.listOrders()).resolves.toEqual({ orders: [] });
    expect(seen?.headers.get('X-Requested-By')).toBeNull();
  });

  it('turns problem+json into a typed ApiError with field errors', async () => {
    server.use(
      http.post('/api/cases', () =>
        problem(400, 'Some details need fixing.', [{ field: 'subject', message: 'Enter a subject.' }]),
      ),
    );
    const error = await api
      .createCase({ orderId: 'o', category: 'other', subject: '', description: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.detail).toBe('Some details need fixing.');
    expect(apiError.reason).toBe('SOME_REASON');
    expect(apiError.fieldError('subject')).toBe('Enter a subject.');
  });

  it('reads Retry-After on 429', async () => {
    server.use(http.post('/api/session', () => problem(429, 'Slow down.', undefined, { 'Retry-After': '90' })));
    const error = (await api.signIn({ email: 'a@b.c', password: 'x' }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(90);
  });

  it('never passes on technical text from a server error', async () => {
    server.use(
      http.get('/api/orders', () =>
        problem(500, 'Traceback (most recent call last): grpc._channel._InactiveRpcError'),
      ),
    );
    const error = (await api.listOrders().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(500);
    expect(error.detail).toBe('Something went wrong on our side. Please try again in a moment.');
    expect(humanMessage(error)).not.toMatch(/grpc|Traceback/);
  });

  it('gives a plain message when the response is not JSON', async () => {
    server.use(http.get('/api/orders', () => new HttpResponse('<html>Bad gateway</html>', { status: 502 })));
    const error = (await api.listOrders().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.detail).not.toMatch(/html/i);
  });

  it('reports a network failure as status 0 with a plain message', async () => {
    server.use(http.get('/api/orders', () => HttpResponse.error()));
    const error = (await request('GET', '/api/orders').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.detail).toMatch(/could not reach/);
  });

  it('sends the Idempotency-Key it is given on a refund request', async () => {
    let seen: Request | undefined;
    server.use(
      http.post('/api/cases/c1/refunds', ({ request: req }) => {
        seen = req;
        return HttpResponse.json({ refund: {} }, { status: 201 });
      }),
    );
    await api.createRefund('c1', { lines: [{ lineId: 'ln_1', quantity: 1 }], reason: 'damaged', method: 'original_payment' }, 'key-1');
    expect(seen?.headers.get('Idempotency-Key')).toBe('key-1');
    expect(seen?.headers.get('X-Requested-By')).toBe('acme-ui');
  });

  it('builds the approvals query and the live-update address', () => {
    expect(refundListQueryString({ status: ['pending_approval', 'failed'], caseId: 'c 1', pageSize: 50 })).toBe(
      'status=pending_approval&status=failed&caseId=c+1&pageSize=50',
    );
    expect(caseEventsUrl('c/1', 'v 2')).toBe('/api/cases/c%2F1/events?etag=v+2');
    expect(caseEventsUrl('c1')).toBe('/api/cases/c1/events');
  });

  it('resolves to undefined on 204', async () => {
    server.use(http.delete('/api/session', () => new HttpResponse(null, { status: 204 })));
    await expect(api.signOut()).resolves.toBeUndefined();
  });
});
