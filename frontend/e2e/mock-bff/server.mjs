// A stand-in for the BFF, for developing and checking the UI and the e2e specs while the real
// BFF is not available. It keeps everything in memory, follows the BFF JSON contract, and
// serves the built app from ../../dist like the real BFF does. Not used by the real system.
//
//   node e2e/mock-bff/server.mjs            (PORT defaults to 8010)
//   E2E_MOCK_BFF=1 npx playwright test     (playwright starts it for you)
import { createServer } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PORT ?? 8010);
const HOST = process.env.HOST ?? '127.0.0.1';
const DIST = resolve(fileURLToPath(new URL('../../dist', import.meta.url)));

const USERS = [
  { id: 'u-ana', name: 'Ana Customer', email: 'ana@example.com', role: 'customer' },
  { id: 'u-ben', name: 'Ben Customer', email: 'ben@example.com', role: 'customer' },
  { id: 'u-sam', name: 'Sam Agent', email: 'sam@example.com', role: 'agent' },
  { id: 'u-lee', name: 'Lee Lead', email: 'lee@example.com', role: 'lead' },
];
const PASSWORD = 'demo-password';

const eur = (amountMinor) => ({ amountMinor, currency: 'EUR' });
const daysAgo = (d) => new Date(Date.now() - d * 86_400_000).toISOString();
function order(id, customerId, placed, delivered, status, lines) {
  const withPaid = lines.map(([lineId, productTitle, quantity, unit]) => ({
    id: lineId,
    productTitle,
    quantity,
    unitPrice: eur(unit),
    paid: eur(unit * quantity),
  }));
  const total = withPaid.reduce((n, l) => n + l.paid.amountMinor, 0);
  return { customerId, order: { id, placedAt: daysAgo(placed), deliveredAt: delivered === null ? null : daysAgo(delivered), status, total: eur(total), lines: withPaid } };
}
const ORDERS = [
  order('ord_1001', 'u-ana', 12, 9, 'delivered', [
    ['ln_1', 'Ceramic mug, blue', 2, 1250],
    ['ln_2', 'Tea towel set', 1, 1999],
  ]),
  order('ord_1002', 'u-ana', 3, null, 'shipped', [['ln_3', 'Desk lamp', 1, 4999]]),
  order('ord_2001', 'u-ben', 20, 15, 'delivered', [['ln_4', 'Running shoes', 1, 8999]]),
];

const SLA_HOURS = { urgent: [1, 8], high: [4, 24], normal: [8, 48], low: [24, 96] };
const sessions = new Map(); // token -> user
const cases = []; // { case, customerId, messages, timeline }
let nextNumber = 10480;

const now = () => new Date().toISOString();
const addHours = (iso, h) => new Date(Date.parse(iso) + h * 3_600_000).toISOString();
const person = (u) => ({ id: u.id, name: u.name, role: u.role });

function newCase(customer, body, extra = {}) {
  const createdAt = now();
  const priority = 'normal';
  const kase = {
    id: randomUUID(),
    number: `C-${nextNumber++}`,
    orderId: body.orderId,
    orderLineIds: body.orderLineIds ?? [],
    category: body.category,
    subject: body.subject,
    description: body.description,
    priority,
    status: 'open',
    assignee: null,
    createdAt,
    updatedAt: createdAt,
    firstResponseDueAt: addHours(createdAt, SLA_HOURS[priority][0]),
    resolutionDueAt: addHours(createdAt, SLA_HOURS[priority][1]),
    firstRespondedAt: null,
    slaBreached: false,
    etag: randomBytes(6).toString('hex'),
    previousCaseNumber: extra.previousCaseNumber ?? null,
  };
  const record = { case: kase, customerId: customer.id, messages: [], timeline: [] };
  event(record, customer, 'opened', 'Case opened');
  cases.unshift(record);
  return record;
}

function event(record, actor, kind, summary, internal = false) {
  record.timeline.push({ id: randomUUID(), kind, actor: person(actor), summary, createdAt: now(), internal });
}

function touch(record) {
  record.case.updatedAt = now();
  record.case.etag = randomBytes(6).toString('hex');
}

const STATUS_TEXT = { open: 'open', in_progress: 'in progress', waiting_on_customer: 'waiting on the customer', resolved: 'resolved', closed: 'closed' };
const TRANSITIONS = {
  work: { from: ['open', 'waiting_on_customer', 'resolved'], to: 'in_progress' },
  wait: { from: ['open', 'in_progress'], to: 'waiting_on_customer' },
  resolve: { from: ['open', 'in_progress', 'waiting_on_customer'], to: 'resolved' },
  close: { from: ['resolved', 'open', 'in_progress', 'waiting_on_customer'], to: 'closed' },
  reopen: { from: ['resolved'], to: 'in_progress' },
};

// --- HTTP helpers -------------------------------------------------------------------------------

function send(res, status, body, headers = {}) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'X-Request-Id': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

function problem(res, status, detail, reason, errors, headers = {}) {
  const body = { type: 'about:blank', title: detail, status, detail, reason };
  if (errors) body.errors = errors;
  res.writeHead(status, { 'Content-Type': 'application/problem+json', 'X-Request-Id': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

function currentUser(req) {
  const cookie = req.headers.cookie ?? '';
  const match = /(?:^|;\s*)acme_session=([^;]+)/.exec(cookie);
  return match ? sessions.get(match[1]) ?? null : null;
}

function visible(record, user) {
  if (user.role !== 'customer') return true;
  return record.customerId === user.id;
}

function casePage(record, user) {
  const staff = user.role !== 'customer';
  const order = ORDERS.find((o) => o.order.id === record.case.orderId)?.order ?? null;
  return {
    case: record.case,
    messages: record.messages.filter((m) => staff || !m.internal),
    timeline: record.timeline.filter((t) => staff || !t.internal),
    order,
    refunds: [],
  };
}

const loginAttempts = new Map();

// --- API ----------------------------------------------------------------------------------------

async function api(req, res, url) {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  if (method !== 'GET' && method !== 'HEAD') {
    if (req.headers['x-requested-by'] !== 'acme-ui' || !(req.headers['content-type'] ?? '').includes('application/json')) {
      return problem(res, 403, 'This request was refused. Please reload the page and try again.', 'CSRF');
    }
  }

  if (path === '/api/health') return send(res, 200, { ok: true });

  if (path === '/api/session') {
    if (method === 'POST') {
      const body = await readJson(req);
      const email = String(body?.email ?? '').toLowerCase();
      const count = (loginAttempts.get(email) ?? 0) + 1;
      loginAttempts.set(email, count);
      if (count > 20) return problem(res, 429, 'Too many attempts to sign in.', 'RATE_LIMITED', undefined, { 'Retry-After': '120' });
      const user = USERS.find((u) => u.email === email);
      if (!user || body?.password !== PASSWORD) return problem(res, 401, 'The email or password is not right.', 'BAD_CREDENTIALS');
      loginAttempts.delete(email);
      const token = randomBytes(16).toString('hex');
      sessions.set(token, user);
      return send(res, 200, { user }, { 'Set-Cookie': `acme_session=${token}; Path=/; HttpOnly; SameSite=Lax` });
    }
    const user = currentUser(req);
    if (method === 'DELETE') {
      const cookie = /(?:^|;\s*)acme_session=([^;]+)/.exec(req.headers.cookie ?? '');
      if (cookie) sessions.delete(cookie[1]);
      res.writeHead(204, { 'Set-Cookie': 'acme_session=; Path=/; Max-Age=0', 'X-Request-Id': randomUUID() });
      return res.end();
    }
    if (!user) return problem(res, 401, 'Please sign in.', 'UNAUTHENTICATED');
    return send(res, 200, { user });
  }

  const user = currentUser(req);
  if (!user) return problem(res, 401, 'Please sign in.', 'UNAUTHENTICATED');
  const staff = user.role !== 'customer';

  if (path === '/api/orders' && method === 'GET') {
    return send(res, 200, { orders: ORDERS.filter((o) => o.customerId === user.id).map((o) => o.order) });
  }

  if (path === '/api/agents' && method === 'GET') {
    if (!staff) return problem(res, 403, 'You do not have permission to do that.', 'PERMISSION_DENIED');
    return send(res, 200, { agents: USERS.filter((u) => u.role !== 'customer').map((u) => ({ id: u.id, name: u.name })) });
  }

  if (path === '/api/cases' && method === 'POST') {
    if (staff) return problem(res, 403, 'Only customers can open cases here.', 'PERMISSION_DENIED');
    const body = await readJson(req);
    const errors = [];
    const ord = ORDERS.find((o) => o.order.id === body?.orderId && o.customerId === user.id);
    if (!ord) errors.push({ field: 'orderId', message: 'Choose one of your orders.' });
    if (!body?.category) errors.push({ field: 'category', message: 'Choose a category.' });
    if (!body?.subject?.trim()) errors.push({ field: 'subject', message: 'Enter a subject.' });
    else if (body.subject.length > 200) errors.push({ field: 'subject', message: 'Keep the subject to 200 characters or fewer.' });
    if (!body?.description?.trim()) errors.push({ field: 'description', message: 'Describe the problem.' });
    else if (body.description.trim().length < 10) errors.push({ field: 'description', message: 'Tell us a little more: at least 10 characters.' });
    if (errors.length) return problem(res, 400, 'Some of the information is not right.', 'INVALID_ARGUMENT', errors);
    const record = newCase(user, body);
    return send(res, 201, { case: record.case });
  }

  if (path === '/api/cases' && method === 'GET') {
    const q = url.searchParams;
    let list = cases.filter((r) => visible(r, user));
    const statuses = q.getAll('status');
    if (statuses.length) list = list.filter((r) => statuses.includes(r.case.status));
    if (q.get('priority')) list = list.filter((r) => r.case.priority === q.get('priority'));
    if (q.get('category')) list = list.filter((r) => r.case.category === q.get('category'));
    const assignee = q.get('assignee');
    if (assignee === 'mine') list = list.filter((r) => r.case.assignee?.id === user.id);
    else if (assignee === 'unassigned') list = list.filter((r) => !r.case.assignee);
    else if (assignee) list = list.filter((r) => r.case.assignee?.id === assignee);
    if (q.get('breached') === 'true') list = list.filter((r) => r.case.slaBreached);
    const text = q.get('q')?.toLowerCase();
    if (text) list = list.filter((r) => r.case.subject.toLowerCase().includes(text) || r.messages.some((m) => m.body.toLowerCase().includes(text)));
    const sort = q.get('sort') ?? 'newest';
    list = [...list].sort((a, b) => {
      if (sort === 'oldest') return a.case.createdAt.localeCompare(b.case.createdAt);
      if (sort === 'due') return (a.case.resolutionDueAt ?? '').localeCompare(b.case.resolutionDueAt ?? '');
      return b.case.createdAt.localeCompare(a.case.createdAt);
    });
    const size = Math.min(Number(q.get('pageSize') ?? 50) || 50, 100);
    const start = Number(q.get('pageToken') ?? 0) || 0;
    const page = list.slice(start, start + size);
    const next = start + size < list.length ? String(start + size) : null;
    return send(res, 200, { cases: page.map((r) => r.case), nextPageToken: next });
  }

  const m = /^\/api\/cases\/([^/]+)(?:\/(messages|assign|status))?$/.exec(path);
  if (m) {
    const record = cases.find((r) => r.case.id === decodeURIComponent(m[1]));
    if (!record || !visible(record, user)) return problem(res, 404, 'We could not find that case.', 'NOT_FOUND');
    const sub = m[2];
    if (!sub && method === 'GET') return send(res, 200, casePage(record, user));

    const body = await readJson(req);
    if (body === null) return problem(res, 400, 'The request was not understood.', 'INVALID_ARGUMENT');

    if (sub === 'messages' && method === 'POST') {
      if (!body.body?.trim()) return problem(res, 400, 'Write a message.', 'INVALID_ARGUMENT', [{ field: 'body', message: 'Write a message.' }]);
      const internal = Boolean(body.internal);
      if (internal && !staff) return problem(res, 403, 'You do not have permission to do that.', 'PERMISSION_DENIED');
      let target = record;
      if (!staff && record.case.status === 'closed') {
        target = newCase(user, { ...record.case }, { previousCaseNumber: record.case.number });
        event(record, user, 'follow_up_opened', `Follow-up case ${target.case.number} opened`);
      }
      const message = { id: randomUUID(), author: person(user), body: body.body.trim(), internal, createdAt: now() };
      target.messages.push(message);
      event(target, user, internal ? 'note_added' : 'message_added', internal ? 'Internal note added' : staff ? 'Support replied' : 'Customer replied', internal);
      if (staff && !internal) {
        if (!target.case.firstRespondedAt) target.case.firstRespondedAt = now();
        if (target.case.status === 'open') target.case.status = 'in_progress';
      }
      if (!staff) {
        if (target.case.status === 'waiting_on_customer' || target.case.status === 'resolved') target.case.status = 'in_progress';
      }
      touch(target);
      return send(res, 201, { message, case: target.case });
    }

    if (!staff && sub !== 'status') return problem(res, 403, 'You do not have permission to do that.', 'PERMISSION_DENIED');
    if (body.etag !== record.case.etag) return problem(res, 409, 'Someone else changed this case.', 'ABORTED');

    if (sub === 'assign' && method === 'POST') {
      const who = body.assigneeId === null ? null : USERS.find((u) => u.id === body.assigneeId && u.role !== 'customer');
      if (body.assigneeId !== null && !who) return problem(res, 400, 'Choose someone from the support team.', 'INVALID_ARGUMENT', [{ field: 'assigneeId', message: 'Choose someone from the support team.' }]);
      record.case.assignee = who ? { id: who.id, name: who.name } : null;
      event(record, user, 'assigned', who ? `Assigned to ${who.name}` : 'Unassigned');
      touch(record);
      return send(res, 200, { case: record.case });
    }
    if (!sub && method === 'PATCH') {
      if (body.priority) {
        record.case.priority = body.priority;
        record.case.resolutionDueAt = addHours(record.case.createdAt, SLA_HOURS[body.priority][1]);
        event(record, user, 'priority_changed', `Priority changed to ${body.priority}`);
      }
      if (body.category) {
        record.case.category = body.category;
        event(record, user, 'category_changed', 'Category changed');
      }
      touch(record);
      return send(res, 200, { case: record.case });
    }
    if (sub === 'status' && method === 'POST') {
      const t = TRANSITIONS[body.action];
      if (!staff && !['close', 'reopen'].includes(body.action)) return problem(res, 403, 'You do not have permission to do that.', 'PERMISSION_DENIED');
      if (!t || !t.from.includes(record.case.status)) {
        return problem(res, 412, `A case that is ${STATUS_TEXT[record.case.status]} cannot be changed that way.`, 'FAILED_PRECONDITION');
      }
      record.case.status = t.to;
      event(record, user, 'status_changed', `Status changed to ${STATUS_TEXT[t.to]}`);
      touch(record);
      return send(res, 200, { case: record.case });
    }
  }
  return problem(res, 404, 'We could not find that.', 'NOT_FOUND');
}

// --- static files -------------------------------------------------------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' };

async function serveStatic(res, pathname) {
  const safe = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(DIST, safe);
  if (!file.startsWith(DIST)) file = join(DIST, 'index.html');
  try {
    const s = await stat(file);
    if (s.isDirectory()) file = join(DIST, 'index.html');
  } catch {
    file = join(DIST, 'index.html');
  }
  try {
    const data = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(data);
  } catch {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('Build the app first: npm run build');
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const handle = url.pathname.startsWith('/api/') ? api(req, res, url) : serveStatic(res, url.pathname);
  handle.catch((error) => {
    console.error(error);
    if (!res.headersSent) problem(res, 500, 'Something went wrong.', 'INTERNAL');
  });
});

server.listen(PORT, HOST, () => {
  console.log(`mock BFF on http://${HOST}:${PORT} serving ${DIST}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
