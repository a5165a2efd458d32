import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { server } from './server';
import { resetMedia } from './media';

// The network layer is faked with msw: requests leave through the real fetch wrapper.
beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  // The pages the app loads on first use (React.lazy): loaded here once, so that a test does not
  // spend its waiting time on the first import.
  await Promise.all([
    import('../pages/QueuePage'),
    import('../pages/AgentCasePage'),
    import('../pages/ApprovalsPage'),
    import('../pages/RefundPage'),
    import('../pages/RefundRequestPage'),
    import('../pages/DashboardPage'),
  ]);
});
afterEach(() => {
  cleanup();
  server.resetHandlers();
  resetMedia();
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
});
afterAll(() => server.close());
