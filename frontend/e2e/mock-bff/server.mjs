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
const DAY = 86_400_000;
const daysAgo = (d) => new Date(Date.now() - d * DAY).toISOString();
// The same demo orders as the shop stand-in of the real system (shop_stub/catalog.py), so that the
// specs meet the same data here and there: [lineId, product, quantity, unit price, discount %].
function order(id, customerId, placed, delivered, status, lines) {
  const withPaid = lines.map(([lineId, productTitle, quantity, unit, discount = 0]) => {
    const gross = unit * quantity;
    return { id: lineId, productTitle, quantity, unitPrice: eur(unit), paid: eur(gross - Math.floor((gross * discount) / 100)) };
  });
  const total = withPaid.reduce((n, l) => n + l.paid.amountMinor, 0);
  return { customerId, order: { id, placedAt: daysAgo(placed), deliveredAt: delivered === null ? null : daysAgo(delivered), status, total: eur(total), lines: withPaid } };
}
const ORDERS = [
  // Ana: delivered 3 days ago, inside the 30-day window; three phone cases with 10 % off.
  order('ord_1001', 'u-ana', 7, 3, 'delivered', [
    ['ln_1', 'Wireless headphones', 1, 7900],
    ['ln_2', 'Phone case', 3, 1299, 10],
  ]),
  // Ana: delivered 60 days ago, outside the refund window.
  order('ord_1002', 'u-ana', 65, 60, 'delivered', [
    ['ln_1', 'Coffee grinder', 1, 4990],
    ['ln_2', 'USB-C cable', 2, 1490],
  ]),
  // Ana: shipped, not delivered yet (the refund window has not started).
  order('ord_1003', 'u-ana', 2, null, 'shipped', [
    ['ln_1', 'Running shoes', 1, 8995],
    ['ln_2', 'Sports socks (pair)', 3, 499],
  ]),
  // Ana: above 500.00, a refund of the machine needs a lead's approval.
  order('ord_1004', 'u-ana', 14, 10, 'delivered', [
    ['ln_1', 'Espresso machine', 1, 64900],
    ['ln_2', 'Descaling tablets', 4, 950, 5],
  ]),
  order('ord_1005', 'u-ben', 9, 5, 'delivered', [
    ['ln_1', 'Desk lamp', 2, 3450, 15],
    ['ln_2', 'Water bottle', 3, 2250],
  ]),
  order('ord_1006', 'u-ben', 25, 21, 'delivered', [['ln_1', 'Office chair', 1, 21900]]),
  order('ord_1007', 'u-ben', 1, null, 'paid', [['ln_1', 'Notebook A5', 5, 349]]),
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

/** Records a change of the case: a new etag, and a `case-changed` event to its open pages. */
function touch(record, kind = 'updated') {
  record.case.updatedAt = now();
  record.case.etag = randomBytes(6).toString('hex');
  broadcast(record, kind);
}

// --- live updates (server-sent events) ----------------------------------------------------------

const watchers = new Map(); // case id -> Set of responses

function sseWrite(res, lines) {
  res.write(`${lines.join('\n')}\n\n`);
}

function broadcast(record, kind) {
  const set = watchers.get(record.case.id);
  if (!set) return;
  const data = JSON.stringify({ etag: record.case.etag, kind, kinds: [kind] });
  for (const res of set) sseWrite(res, [`id: ${record.case.etag}`, 'event: case-changed', `data: ${data}`]);
}

function watch(req, res, record, url) {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Request-Id': randomUUID(),
  });
  sseWrite(res, [`id: ${record.case.etag}`, 'retry: 2000']);
  // The page's version (or the last one this browser saw): if the case moved on since, say so now.
  const known = url.searchParams.get('etag') ?? req.headers['last-event-id'];
  if (known && known !== record.case.etag) {
    const data = JSON.stringify({ etag: record.case.etag, kind: 'resync', kinds: ['resync'] });
    sseWrite(res, [`id: ${record.case.etag}`, 'event: case-changed', `data: ${data}`]);
  }
  let set = watchers.get(record.case.id);
  if (!set) watchers.set(record.case.id, (set = new Set()));
  set.add(res);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    set.delete(res);
  });
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
    refunds: refunds.filter((r) => r.caseId === record.case.id).map((r) => refundView(r, user)),
  };
}

const loginAttempts = new Map();

// --- refunds ------------------------------------------------------------------------------------
// The rules of refund_svc, in small: per order line, refunds that hold money (pending, approved,
// processing, refunded) never exceed what was bought and paid; units are priced pro rata of what is
// left, rounded down, the last ones taking the rest; at or below 50.00 inside the window a refund is
// approved at once, above 500.00 only a lead approves, between any agent; nobody approves their own.

const AUTO_APPROVE_LIMIT = 5000;
const LEAD_LIMIT = 50000;
const WINDOW_DAYS = 30;
const REFUND_CREATE_LIMIT = 10; // per user per minute, like the BFF's default
// For trying the UI's failed payouts: a share of payouts fail (0..1), or every refund's first one.
const PAYOUT_FAILURE_RATE = Number(process.env.MOCK_PAYOUT_FAILURE_RATE ?? 0);
const FAIL_FIRST_PAYOUT = process.env.MOCK_PAYOUT_FAIL_FIRST === '1';
const REASONS = ['damaged', 'wrong_item', 'missing_item', 'not_delivered', 'not_as_described', 'changed_mind', 'other'];
const METHODS = ['original_payment', 'store_credit'];
const HOLDING = ['pending_approval', 'approved', 'processing', 'refunded'];
const OPEN = ['pending_approval', 'approved', 'processing'];

const refunds = []; // { refund fields..., customerId, refundedAt }
const idempotency = new Map(); // `${userId}\0${key}` -> { body, refundId }
const refundCreates = new Map(); // user id -> [times]
let nextRefundNumber = 2001;

const money = (m) => `€${(m / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

function windowEnd(ord) {
  return ord.deliveredAt ? new Date(Date.parse(ord.deliveredAt) + WINDOW_DAYS * DAY).toISOString() : null;
}
function insideWindow(ord) {
  const end = windowEnd(ord);
  return end === null || Date.now() <= Date.parse(end);
}

function refundableLines(ord) {
  return ord.lines.map((line) => {
    let quantity = line.quantity;
    let amount = line.paid.amountMinor;
    for (const r of refunds) {
      if (r.orderId !== ord.id || !HOLDING.includes(r.status)) continue;
      for (const l of r.lines) {
        if (l.lineId !== line.id) continue;
        quantity -= l.quantity;
        amount -= l.amount.amountMinor;
      }
    }
    quantity = Math.max(0, quantity);
    amount = quantity === 0 ? 0 : Math.max(0, amount);
    return { line, quantity, amount };
  });
}

function price(refundable, quantity) {
  if (quantity === refundable.quantity) return refundable.amount;
  return Math.floor((refundable.amount * quantity) / refundable.quantity);
}

function quote(ord) {
  return {
    orderId: ord.id,
    currency: 'EUR',
    windowOpen: insideWindow(ord),
    windowEndsAt: windowEnd(ord),
    lines: refundableLines(ord).map(({ line, quantity, amount }) => ({
      lineId: line.id,
      productTitle: line.productTitle,
      quantityBought: line.quantity,
      quantityRefundable: quantity,
      amountPaid: line.paid,
      amountRefundable: eur(amount),
    })),
  };
}

function openRefunds(record) {
  return refunds.filter((r) => r.caseId === record.case.id && OPEN.includes(r.status));
}

function refundView(r, user) {
  const staff = user.role !== 'customer';
  const pending = r.status === 'pending_approval';
  const own = r.requestedBy.id === user.id;
  const record = cases.find((c) => c.case.id === r.caseId);
  const { customerId: _c, refundedAt: _r, payoutAttempts: _p, failure, ...fields } = r;
  return {
    ...fields,
    caseNumber: record?.case.number ?? null,
    failureReason: staff ? (failure ?? null) : null,
    canCancel: !staff && own && pending,
    canApprove: staff && pending && !own && (r.requiredApproval !== 'lead' || user.role === 'lead'),
    canReject: staff && pending,
    canRetry: staff && r.status === 'failed',
  };
}

function refundVisible(r, user) {
  return user.role !== 'customer' || r.customerId === user.id;
}

/** A refund event on its case's timeline, in the words support_svc uses, and news to open pages. */
function refundEvent(r, actor, what) {
  const record = cases.find((c) => c.case.id === r.caseId);
  if (!record) return;
  event(record, actor, 'refund_event', `Refund ${r.number} of ${money(r.total.amountMinor)} ${what}`);
  touch(record, 'refund_event');
}

const SYSTEM = { id: 'system', name: 'Automatic update', role: 'system' };

function changeRefund(r, status) {
  r.status = status;
  r.updatedAt = now();
  r.etag = randomBytes(6).toString('hex');
}

/** The payout worker: an approved refund is paid within a couple of seconds. */
function payOut(r) {
  setTimeout(() => {
    if (r.status !== 'approved') return;
    changeRefund(r, 'processing');
    refundEvent(r, SYSTEM, 'is being paid back');
    setTimeout(() => {
      if (r.status !== 'processing') return;
      r.payoutAttempts = (r.payoutAttempts ?? 0) + 1;
      if (Math.random() < PAYOUT_FAILURE_RATE || (FAIL_FIRST_PAYOUT && r.payoutAttempts === 1)) {
        changeRefund(r, 'failed');
        r.failure = 'The bank declined the payment (the card has expired).';
        refundEvent(r, SYSTEM, 'could not be paid back yet');
        return;
      }
      changeRefund(r, 'refunded');
      r.refundedAt = now();
      refundEvent(r, SYSTEM, 'was paid back');
    }, 1200);
  }, 600);
}

function approve(r, by, comment) {
  const policy = r.requiredApproval === 'auto' ? 'auto_approve' : r.requiredApproval === 'lead' ? 'lead_approval' : 'agent_approval';
  changeRefund(r, 'approved');
  r.decision = { outcome: 'approved', by: by ? person(by) : null, policy, comment: comment || null, decidedAt: now() };
  refundEvent(r, by ?? SYSTEM, 'was approved');
  payOut(r);
}

async function createRefund(req, res, record, user) {
  const times = (refundCreates.get(user.id) ?? []).filter((t) => Date.now() - t < 60_000);
  times.push(Date.now());
  refundCreates.set(user.id, times);
  if (times.length > REFUND_CREATE_LIMIT) {
    const wait = Math.ceil((60_000 - (Date.now() - times[0])) / 1000);
    return problem(res, 429, 'You have asked for several refunds in a short time. Please wait a minute and try again.', 'TOO_MANY_REFUND_REQUESTS', undefined, { 'Retry-After': String(wait) });
  }
  const body = await readJson(req);
  if (body === null) return problem(res, 400, 'The request could not be read. Please try again.', 'INVALID_JSON');
  const key = req.headers['idempotency-key'];
  const canonical = JSON.stringify({ lines: body.lines, reason: body.reason, method: body.method ?? 'original_payment', note: body.note ?? null });
  if (key) {
    const seen = idempotency.get(`${user.id}\0${key}`);
    if (seen) {
      if (seen.body !== canonical) return problem(res, 409, 'This request was already sent with different content.', 'REQUEST_ID_REUSED');
      const first = refunds.find((r) => r.id === seen.refundId);
      return send(res, 201, { refund: refundView(first, user) });
    }
  }
  const ord = ORDERS.find((o) => o.order.id === record.case.orderId)?.order;
  if (!ord) return problem(res, 404, 'We could not find that order.', 'ORDER_NOT_FOUND');
  const staff = user.role !== 'customer';
  const inside = insideWindow(ord);
  if (!inside && !staff) {
    return problem(res, 412, 'The time to ask for a refund on this order has passed. Send us a message in the case and we will look at it.', 'REFUND_WINDOW_CLOSED');
  }
  const errors = [];
  let unavailable = false;
  const available = refundableLines(ord);
  const lines = [];
  if (!Array.isArray(body.lines) || body.lines.length === 0) errors.push({ field: 'lines', message: 'Choose at least one item.' });
  (Array.isArray(body.lines) ? body.lines : []).forEach((l, i) => {
    const found = available.find((a) => a.line.id === l?.lineId);
    if (!found) return errors.push({ field: `lines[${i}].lineId`, message: 'Choose an item of this order.' });
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > found.quantity) {
      if (Number.isInteger(l.quantity) && l.quantity > found.quantity) unavailable = true;
      return errors.push({ field: `lines[${i}].quantity`, message: 'Choose how many to refund: at least 1, and no more than can still be refunded.' });
    }
    lines.push({ lineId: found.line.id, productTitle: found.line.productTitle, quantity: l.quantity, amount: eur(price(found, l.quantity)) });
  });
  if (!REASONS.includes(body.reason)) errors.push({ field: 'reason', message: 'Give a reason.' });
  if (body.method !== undefined && !METHODS.includes(body.method)) errors.push({ field: 'method', message: 'Choose how the money goes back.' });
  if (typeof body.note === 'string' && body.note.length > 2000) errors.push({ field: 'note', message: 'Add a note (at most 2,000 characters).' });
  if (!inside && !(typeof body.note === 'string' && body.note.trim())) errors.push({ field: 'note', message: 'Add a note (at most 2,000 characters).' });
  if (errors.length) {
    return problem(res, 400, unavailable ? 'You asked to refund more items than can still be refunded.' : 'Some of the information you entered needs another look.', unavailable ? 'QUANTITY_NOT_REFUNDABLE' : 'INVALID_ARGUMENT', errors);
  }
  const total = lines.reduce((n, l) => n + l.amount.amountMinor, 0);
  const requiredApproval = total > LEAD_LIMIT ? 'lead' : inside && total <= AUTO_APPROVE_LIMIT ? 'auto' : 'agent';
  const createdAt = now();
  const refund = {
    id: randomUUID(),
    number: `R-${nextRefundNumber++}`,
    caseId: record.case.id,
    orderId: ord.id,
    status: 'pending_approval',
    lines,
    total: eur(total),
    reason: body.reason,
    method: body.method ?? 'original_payment',
    requestedBy: person(user),
    createdAt,
    updatedAt: createdAt,
    etag: randomBytes(6).toString('hex'),
    requiredApproval,
    outsideRefundWindow: !inside,
    note: typeof body.note === 'string' && body.note.trim() ? body.note.trim() : null,
    decision: null,
    customerId: record.customerId,
  };
  refunds.push(refund);
  if (key) idempotency.set(`${user.id}\0${key}`, { body: canonical, refundId: refund.id });
  refundEvent(refund, user, 'was requested');
  if (requiredApproval === 'auto') approve(refund, null, null);
  return send(res, 201, { refund: refundView(refund, user) });
}

async function refundAction(req, res, r, user, action) {
  const staff = user.role !== 'customer';
  const body = await readJson(req);
  if (body === null) return problem(res, 400, 'The request could not be read. Please try again.', 'INVALID_JSON');
  if (action === 'cancel') {
    if (staff) return problem(res, 403, 'Only the customer who receives this refund can cancel it.', 'NOT_REFUND_OWNER');
  } else if (!staff) {
    return problem(res, 403, 'Only the support team can do that.', 'STAFF_ONLY');
  }
  if (body.etag !== r.etag) return problem(res, 409, 'Someone else changed this in the meantime. Reload to see the latest version, then try again.', 'VERSION_CONFLICT');
  const wrongState = () => problem(res, 412, "That is not possible in the refund's current status. Reload to see where it stands.", 'INVALID_STATE_TRANSITION');
  if (action === 'cancel') {
    if (r.status !== 'pending_approval') return wrongState();
    changeRefund(r, 'cancelled');
    refundEvent(r, user, 'was cancelled');
  } else if (action === 'approve') {
    if (r.status !== 'pending_approval') return wrongState();
    if (r.requestedBy.id === user.id) return problem(res, 403, 'You asked for this refund yourself, so someone else on the team has to approve it.', 'SELF_APPROVAL_FORBIDDEN');
    if (r.requiredApproval === 'lead' && user.role !== 'lead') return problem(res, 403, "A refund this large needs a team lead's approval.", 'LEAD_APPROVAL_REQUIRED');
    if (typeof body.comment === 'string' && body.comment.length > 2000) return problem(res, 400, 'Some of the information you entered needs another look.', 'INVALID_ARGUMENT', [{ field: 'comment', message: 'Shorten the comment to 2,000 characters at most.' }]);
    approve(r, user, typeof body.comment === 'string' ? body.comment.trim() : null);
  } else if (action === 'reject') {
    if (typeof body.reason !== 'string' || !body.reason.trim()) return problem(res, 400, 'Some of the information you entered needs another look.', 'INVALID_ARGUMENT', [{ field: 'reason', message: 'Give a reason.' }]);
    if (r.status !== 'pending_approval') return wrongState();
    changeRefund(r, 'rejected');
    const policy = r.requiredApproval === 'lead' ? 'lead_approval' : 'agent_approval';
    r.decision = { outcome: 'rejected', by: person(user), policy, comment: body.reason.trim(), decidedAt: now() };
    refundEvent(r, user, `was rejected: ${body.reason.trim()}`);
  } else if (action === 'retry') {
    if (r.status !== 'failed') return wrongState();
    if (body.method && !METHODS.includes(body.method)) return problem(res, 400, 'Some of the information you entered needs another look.', 'INVALID_ARGUMENT', [{ field: 'method', message: 'Choose how the money goes back.' }]);
    if (body.method) r.method = body.method;
    r.failure = null;
    changeRefund(r, 'approved');
    payOut(r);
  }
  return send(res, 200, { refund: refundView(r, user) });
}

function dashboard(url) {
  const to = Date.parse(url.searchParams.get('to') ?? '') || Date.now();
  const from = Date.parse(url.searchParams.get('from') ?? '') || to - 30 * DAY;
  const inPeriod = (iso) => iso && Date.parse(iso) >= from && Date.parse(iso) < to;
  const open = cases.filter((r) => !['resolved', 'closed'].includes(r.case.status));
  const openByStatus = ['open', 'in_progress', 'waiting_on_customer'].map((status) => ({
    status,
    count: open.filter((r) => r.case.status === status).length,
  }));
  const overdue = (c) => c.slaBreached || (!c.firstRespondedAt && c.firstResponseDueAt && Date.parse(c.firstResponseDueAt) < Date.now());
  const waits = cases
    .filter((r) => r.case.firstRespondedAt && inPeriod(r.case.createdAt))
    .map((r) => (Date.parse(r.case.firstRespondedAt) - Date.parse(r.case.createdAt)) / 1000)
    .sort((a, b) => a - b);
  const median = waits.length === 0 ? null : waits.length % 2 ? waits[(waits.length - 1) / 2] : (waits[waits.length / 2 - 1] + waits[waits.length / 2]) / 2;
  const pending = refunds.filter((r) => r.status === 'pending_approval');
  const refunded = refunds.filter((r) => r.status === 'refunded' && inPeriod(r.refundedAt));
  const sum = (list) => (list.length ? [eur(list.reduce((n, r) => n + r.total.amountMinor, 0))] : []);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    openByStatus,
    breachedOpen: open.filter((r) => overdue(r.case)).length,
    breachedInPeriod: cases.filter((r) => inPeriod(r.case.createdAt) && overdue(r.case)).length,
    medianFirstResponseSeconds: median,
    casesOpened: cases.filter((r) => inPeriod(r.case.createdAt)).length,
    casesResolved: cases.filter((r) => inPeriod(r.resolvedAt)).length,
    refunds: { pendingCount: pending.length, pending: sum(pending), refundedCount: refunded.length, refunded: sum(refunded) },
  };
}

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
    const own = ORDERS.filter((o) => o.customerId === user.id).map((o) => o.order);
    return send(res, 200, { orders: own.sort((a, b) => b.placedAt.localeCompare(a.placedAt)) });
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

  const quoteMatch = /^\/api\/orders\/([^/]+)\/refund-quote$/.exec(path);
  if (quoteMatch && method === 'GET') {
    const found = ORDERS.find((o) => o.order.id === decodeURIComponent(quoteMatch[1]));
    if (!found || (!staff && found.customerId !== user.id)) return problem(res, 404, 'We could not find that order.', 'ORDER_NOT_FOUND');
    return send(res, 200, quote(found.order));
  }

  if (path === '/api/refunds' && method === 'GET') {
    const q = url.searchParams;
    let list = refunds.filter((r) => refundVisible(r, user));
    const statuses = q.getAll('status');
    if (statuses.length) list = list.filter((r) => statuses.includes(r.status));
    if (q.get('caseId')) list = list.filter((r) => r.caseId === q.get('caseId'));
    list = [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const size = Math.min(Number(q.get('pageSize') ?? 50) || 50, 100);
    const start = Number(q.get('pageToken') ?? 0) || 0;
    const next = start + size < list.length ? String(start + size) : null;
    return send(res, 200, { refunds: list.slice(start, start + size).map((r) => refundView(r, user)), nextPageToken: next });
  }

  const refundMatch = /^\/api\/refunds\/([^/]+)(?:\/(cancel|approve|reject|retry))?$/.exec(path);
  if (refundMatch) {
    const r = refunds.find((x) => x.id === decodeURIComponent(refundMatch[1]));
    if (!r || !refundVisible(r, user)) return problem(res, 404, 'We could not find that refund.', 'REFUND_NOT_FOUND');
    if (!refundMatch[2] && method === 'GET') return send(res, 200, { refund: refundView(r, user) });
    if (refundMatch[2] && method === 'POST') return refundAction(req, res, r, user, refundMatch[2]);
  }

  if (path === '/api/dashboard' && method === 'GET') {
    if (user.role !== 'lead') return problem(res, 403, 'Only team leads can see this.', 'LEAD_ONLY');
    return send(res, 200, dashboard(url));
  }

  const m = /^\/api\/cases\/([^/]+)(?:\/(messages|assign|status|events|refunds))?$/.exec(path);
  if (m) {
    const record = cases.find((r) => r.case.id === decodeURIComponent(m[1]));
    if (!record || !visible(record, user)) return problem(res, 404, 'We could not find that case.', 'NOT_FOUND');
    const sub = m[2];
    if (!sub && method === 'GET') return send(res, 200, casePage(record, user));
    if (sub === 'events' && method === 'GET') return watch(req, res, record, url);
    if (sub === 'refunds' && method === 'POST') return createRefund(req, res, record, user);

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
      const kind = internal ? 'note_added' : 'message_added';
      event(target, user, kind, internal ? 'Internal note added' : staff ? 'Support replied' : 'Customer replied', internal);
      if (staff && !internal) {
        if (!target.case.firstRespondedAt) target.case.firstRespondedAt = now();
        if (target.case.status === 'open') target.case.status = 'in_progress';
      }
      if (!staff) {
        if (target.case.status === 'waiting_on_customer' || target.case.status === 'resolved') target.case.status = 'in_progress';
      }
      touch(target, kind);
      return send(res, 201, { message, case: target.case });
    }

    if (!staff && sub !== 'status') return problem(res, 403, 'You do not have permission to do that.', 'PERMISSION_DENIED');
    if (body.etag !== record.case.etag) return problem(res, 409, 'Someone else changed this case.', 'ABORTED');

    if (sub === 'assign' && method === 'POST') {
      const who = body.assigneeId === null ? null : USERS.find((u) => u.id === body.assigneeId && u.role !== 'customer');
      if (body.assigneeId !== null && !who) return problem(res, 400, 'Choose someone from the support team.', 'INVALID_ARGUMENT', [{ field: 'assigneeId', message: 'Choose someone from the support team.' }]);
      record.case.assignee = who ? { id: who.id, name: who.name } : null;
      event(record, user, 'assigned', who ? `Assigned to ${who.name}` : 'Unassigned');
      touch(record, 'assigned');
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
      touch(record, body.priority ? 'priority_changed' : 'category_changed');
      return send(res, 200, { case: record.case });
    }
    if (sub === 'status' && method === 'POST') {
      const t = TRANSITIONS[body.action];
      if (!staff && !['close', 'reopen'].includes(body.action)) return problem(res, 403, 'You do not have permission to do that.', 'PERMISSION_DENIED');
      if (!t || !t.from.includes(record.case.status)) {
        return problem(res, 412, `A case that is ${STATUS_TEXT[record.case.status]} cannot be changed that way.`, 'FAILED_PRECONDITION');
      }
      if (t.to === 'resolved' && openRefunds(record).length > 0) {
        return problem(res, 412, 'This case still has a refund in progress, so it cannot be resolved yet.', 'REFUNDS_OPEN');
      }
      record.case.status = t.to;
      if (t.to === 'resolved') record.resolvedAt = now();
      event(record, user, 'status_changed', `Status changed to ${STATUS_TEXT[t.to]}`);
      touch(record, 'status_changed');
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
      'Content-Security-Policy': "default-src 'self'; img-src 'self'; style-src 'self' 'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
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
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // live-update streams never end by themselves
  });
}
