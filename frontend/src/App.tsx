import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from './api';
import type { Role } from './api/types';
import { Layout } from './Layout';
import { homePath } from './lib/routes';
import { Alert, Button, Loading, Page } from './components';
import { SignInPage } from './pages/SignInPage';
import { NotFoundPage } from './pages/NotFoundPage';

// Every screen but sign-in is loaded when first needed: the first download carries only the
// frame (header, sign-in) and the libraries every screen uses; what a screen needs beyond that
// (tables, dialogs, lists, charts, the refund flow, the support team's console) comes with it.
const OrdersPage = lazy(() => import('./pages/OrdersPage').then((m) => ({ default: m.OrdersPage })));
const OpenCasePage = lazy(() => import('./pages/OpenCasePage').then((m) => ({ default: m.OpenCasePage })));
const MyCasesPage = lazy(() => import('./pages/MyCasesPage').then((m) => ({ default: m.MyCasesPage })));
const CustomerCasePage = lazy(() =>
  import('./pages/CustomerCasePage').then((m) => ({ default: m.CustomerCasePage })),
);
const RefundRequestPage = lazy(() =>
  import('./pages/RefundRequestPage').then((m) => ({ default: m.RefundRequestPage })),
);
const ApprovalsPage = lazy(() => import('./pages/ApprovalsPage').then((m) => ({ default: m.ApprovalsPage })));
const RefundPage = lazy(() => import('./pages/RefundPage').then((m) => ({ default: m.RefundPage })));
const QueuePage = lazy(() => import('./pages/QueuePage').then((m) => ({ default: m.QueuePage })));
const AgentCasePage = lazy(() => import('./pages/AgentCasePage').then((m) => ({ default: m.AgentCasePage })));
const DashboardPage = lazy(() => import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));

function Later({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading>Loading the page…</Loading>}>{children}</Suspense>;
}

/** Waits for the session; sends people who are not signed in to the sign-in page. */
function RequireAuth() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Loading>Checking your sign-in…</Loading>;
  if (session.isError) {
    return (
      <Page title="We could not load the app" width="narrow">
        <Alert tone="error" title="Something went wrong">
          <p>We could not reach our service. Check your connection and try again.</p>
          <Button variant="secondary" onPress={() => void session.refetch()}>
            Try again
          </Button>
        </Alert>
      </Page>
    );
  }
  if (!session.data) {
    const from = location.pathname + location.search;
    return <Navigate to="/sign-in" replace state={from !== '/' ? { from } : undefined} />;
  }
  return <Outlet />;
}

function RequireRole({ roles }: { roles: Role[] }) {
  const { data: user } = useSession();
  if (!user) return null;
  if (!roles.includes(user.role)) return <Navigate to={homePath(user.role)} replace />;
  return <Outlet />;
}

function Home() {
  const { data: user } = useSession();
  return user ? <Navigate to={homePath(user.role)} replace /> : null;
}

function CaseRoute() {
  const { data: user } = useSession();
  if (!user) return null;
  return <Later>{user.role === 'customer' ? <CustomerCasePage /> : <AgentCasePage />}</Later>;
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="sign-in" element={<SignInPage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<Home />} />
          <Route element={<RequireRole roles={['customer']} />}>
            <Route
              path="orders"
              element={
                <Later>
                  <OrdersPage />
                </Later>
              }
            />
            <Route
              path="orders/:orderId/new-case"
              element={
                <Later>
                  <OpenCasePage />
                </Later>
              }
            />
            <Route
              path="cases"
              element={
                <Later>
                  <MyCasesPage />
                </Later>
              }
            />
            <Route
              path="cases/:caseId/refund"
              element={
                <Later>
                  <RefundRequestPage />
                </Later>
              }
            />
          </Route>
          <Route path="cases/:caseId" element={<CaseRoute />} />
          <Route element={<RequireRole roles={['agent', 'lead']} />}>
            <Route
              path="queue"
              element={
                <Later>
                  <QueuePage />
                </Later>
              }
            />
            <Route
              path="approvals"
              element={
                <Later>
                  <ApprovalsPage />
                </Later>
              }
            />
            <Route
              path="refunds/:refundId"
              element={
                <Later>
                  <RefundPage />
                </Later>
              }
            />
          </Route>
          <Route element={<RequireRole roles={['lead']} />}>
            <Route
              path="dashboard"
              element={
                <Later>
                  <DashboardPage />
                </Later>
              }
            />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
