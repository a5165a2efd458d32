import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { createQueryClient, queryKeys } from '../api';
import type { User } from '../api/types';
import { App } from '../App';

/** Shows where the app navigated to, so tests can assert on it. */
function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname + location.search}</div>;
}

/** Renders the whole app at `path`, with the session already known (null: signed out). */
export function renderApp(path: string, user: User | null) {
  const queryClient = createQueryClient({ queries: { retry: false, staleTime: Infinity } });
  queryClient.setQueryData(queryKeys.session, user);
  const result = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <App />
        <Routes>
          <Route path="*" element={<LocationProbe />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, queryClient, user: userEvent.setup() };
}
