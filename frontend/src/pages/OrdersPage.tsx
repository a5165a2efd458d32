import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, queryKeys } from '../api';
import type { Order } from '../api/types';
import { Alert, Badge, Button, Loading, Page } from '../components';
import { ORDER_STATUS_LABELS, formatDate, formatMoney, pluralize } from '../lib/format';
import { newCasePath } from '../lib/routes';

/** "order placed on 1 March 2025", for use inside a sentence. */
export function orderPhrase(order: Order): string {
  return `order placed on ${formatDate(order.placedAt)}`;
}

export function orderTitle(order: Order): string {
  return `Order placed on ${formatDate(order.placedAt)}`;
}

export function OrderItems({ order, caption }: { order: Order; caption: string }) {
  return (
    <table className="table table--compact">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col" className="num">
            Quantity
          </th>
          <th scope="col" className="num">
            Price each
          </th>
          <th scope="col" className="num">
            Paid
          </th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((line) => (
          <tr key={line.id}>
            <td>{line.productTitle}</td>
            <td className="num">{line.quantity}</td>
            <td className="num">{formatMoney(line.unitPrice)}</td>
            <td className="num">{formatMoney(line.paid)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td className="num">{formatMoney(order.total)}</td>
        </tr>
      </tfoot>
    </table>
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
    <article className="card" aria-labelledby={headingId}>
      <div className="card__header">
        <div>
          <h2 id={headingId} className="card__title">
            {title}
          </h2>
          <p className="muted">
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
        <Link className="button button--secondary" to={newCasePath(order.id)}>
          Open a case{' '}
          <span className="visually-hidden">about the {orderPhrase(order)}</span>
        </Link>
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
      {orders.isPending ? <Loading>Loading your orders…</Loading> : null}
      {orders.isError ? (
        <Alert tone="error" title="We could not load your orders">
          <p>Please try again in a moment.</p>
          <Button variant="secondary" onClick={() => void orders.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : null}
      {orders.data && orders.data.orders.length === 0 ? (
        <p>You have no orders yet. When you buy something from the shop, it will appear here.</p>
      ) : null}
      {orders.data && orders.data.orders.length > 0 ? (
        <ul className="stack-list" aria-label="Orders">
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
