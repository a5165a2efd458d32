import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { server } from './server';
import { resetMedia } from './media';

// The network layer is faked with msw: requests leave through the real fetch wrapper.
beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  // The pages (and the shortcuts list) the app loads on first use (React.lazy): loaded here once,
  // so that a test does not spend its waiting time on the first import. One after another, not
  // in Promise.all: Node 20's require(esm) can race when one module is import()-ed twice at once
  // and fail the whole file ("Cannot read properties of undefined (reading 'getStatus')",
  // nodejs/node#55782).
  const pages = [
    () => import('../pages/OrdersPage'),
    () => import('../pages/OpenCasePage'),
    () => import('../pages/MyCasesPage'),
    () => import('../pages/CustomerCasePage'),
    () => import('../components/ShortcutsHelp'),
    () => import('../pages/QueuePage'),
    () => import('../pages/AgentCasePage'),
    () => import('../pages/ApprovalsPage'),
    () => import('../pages/RefundPage'),
    () => import('../pages/RefundRequestPage'),
    () => import('../pages/DashboardPage'),
  ];
  for (const load of pages) await load();
});
afterEach(() => {
  cleanup();
  server.resetHandlers();
  resetMedia();
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
});
afterAll(() => server.close());
