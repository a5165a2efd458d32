import { useQuery } from '@tanstack/react-query';
import { api, queryKeys } from '../api';
import type { Order, OrderLine } from '../api/types';
import { Badge, ButtonLink, type Column, EmptyState, LoadError, Page, Skeleton, Table } from '../components';
import { ORDER_STATUS_LABELS, formatDate, formatMoney, pluralize } from '../lib/format';
import { newCasePath } from '../lib/routes';

/** "order placed on 1 March 2025", for use inside a sentence. */
export function orderPhrase(order: Order): string {
  return `order placed on ${formatDate(order.placedAt)}`;
}

export function orderTitle(order: Order): string {
  return `Order placed on ${formatDate(order.placedAt)}`;
}

const ITEM_COLUMNS: Column<OrderLine>[] = [
  { id: 'item', header: 'Item', cell: (l) => l.productTitle },
  {
    id: 'quantity',
    header: (
      <>
        <span aria-hidden="true">Qty</span>
        <span className="visually-hidden">Quantity</span>
      </>
    ),
    numeric: true, cell: (l) => l.quantity },
  { id: 'price', header: 'Price each', numeric: true, nowrap: true, cell: (l) => formatMoney(l.unitPrice) },
  { id: 'paid', header: 'Paid', numeric: true, nowrap: true, cell: (l) => formatMoney(l.paid) },
];

export function OrderItems({ order, caption }: { order: Order; caption: string }) {
  return (
    <Table
      caption={caption}
      compact
      className="order-items"
      columns={ITEM_COLUMNS}
      rows={order.lines}
      rowKey={(l) => l.id}
      footer={
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td className="num nowrap">{formatMoney(order.total)}</td>
        </tr>
      }
    />
  );
}

export function deliveryText(order: Order): string {
  if (order.deliveredAt) return `Delivered on ${formatDate(order.deliveredAt)}`;
  return order.status === 'shipped' ? 'On its way, not delivered yet' : 'Not shipped yet';
}

function OrderCard({ order }: { order: Order }) {
  const headingId = `order-${order.id}-heading`;
  const title = orderTitle(order);
  return (
    <article className="card order-card" aria-labelledby={headingId}>
      <div className="card__header">
        <div>
          <h2 id={headingId} className="card__title">
            {title}
          </h2>
          <p className="card__meta">
            {deliveryText(order)} · {pluralize(order.lines.reduce((n, l) => n + l.quantity, 0), 'item', 'items')} ·{' '}
            {formatMoney(order.total)}
          </p>
        </div>
        <Badge tone={order.status === 'delivered' ? 'success' : 'info'}>
          {ORDER_STATUS_LABELS[order.status] ?? 'Ordered'}
        </Badge>
      </div>
      <OrderItems order={order} caption={`Items in the ${orderPhrase(order)}`} />
      <div className="card__footer">
        <ButtonLink to={newCasePath(order.id)}>
          Open a case <span className="visually-hidden">about the {orderPhrase(order)}</span>
        </ButtonLink>
      </div>
    </article>
  );
}

export function OrdersPage() {
  const orders = useQuery({
    queryKey: queryKeys.orders,
    queryFn: ({ signal }) => api.listOrders(signal),
  });

  return (
    <Page title="My orders" lead="Choose an order to get help with it.">
      {orders.isPending ? <Skeleton label="Loading your orders…" shape="cards" count={2} /> : null}
      {orders.isError ? (
        <LoadError what="your orders" onRetry={() => void orders.refetch()} />
      ) : null}
      {orders.data && orders.data.orders.length === 0 ? (
        <EmptyState title="You have no orders yet.">
          <p>When you buy something from the shop, it will appear here, and you can get help with it.</p>
        </EmptyState>
      ) : null}
      {orders.data && orders.data.orders.length > 0 ? (
        <ul className="card-list" aria-label="Orders">
          {orders.data.orders.map((order) => (
            <li key={order.id}>
              <OrderCard order={order} />
            </li>
          ))}
        </ul>
      ) : null}
    </Page>
  );
}
