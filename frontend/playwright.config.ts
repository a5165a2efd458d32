import { defineConfig, devices } from '@playwright/test';

// E2E_MOCK_BFF=1 runs the specs against e2e/mock-bff (an in-memory stand-in for the BFF that
// serves dist/), for working on the UI without the real system. Otherwise the specs run
// against the real BFF at E2E_BASE_URL, which serves the built frontend.
const useMockBff = process.env.E2E_MOCK_BFF === '1';
const MOCK_PORT = 8010;
const baseURL =
  process.env.E2E_BASE_URL ?? (useMockBff ? `http://127.0.0.1:${MOCK_PORT}` : 'http://127.0.0.1:8000');

export default defineConfig({
  testDir: './e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: process.env.E2E_WORKERS ? Number(process.env.E2E_WORKERS) : 2,
  // No retries, in CI either: a run that passes only on a second try is a flaky test, and must fail.
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  ...(useMockBff
    ? {
        webServer: {
          command: 'node e2e/mock-bff/server.mjs',
          url: `http://127.0.0.1:${MOCK_PORT}/api/health`,
          env: { PORT: String(MOCK_PORT) },
          reuseExistingServer: !process.env.CI,
          timeout: 30_000,
        },
      }
    : {}),
});
