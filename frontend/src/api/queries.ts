import {
  MutationCache,
  QueryCache,
  QueryClient,
  useQuery,
  type QueryClientConfig,
} from '@tanstack/react-query';
import { isApiError } from './client';
import { api } from './endpoints';
import type { CaseListQuery, RefundListQuery, User } from './types';

export const queryKeys = {
  session: ['session'] as const,
  orders: ['orders'] as const,
  cases: (query: CaseListQuery) => ['cases', query] as const,
  allCases: ['cases'] as const,
  case: (caseId: string) => ['case', caseId] as const,
  agents: ['agents'] as const,
  refundQuote: (orderId: string) => ['refund-quote', orderId] as const,
  allRefundQuotes: ['refund-quote'] as const,
  refunds: (query: RefundListQuery) => ['refunds', query] as const,
  allRefunds: ['refunds'] as const,
  refund: (refundId: string) => ['refund', refundId] as const,
  dashboard: (from: string, to: string) => ['dashboard', from, to] as const,
};

/** The signed-in user, or null when nobody is signed in. */
export function useSession() {
  return useQuery<User | null>({
    queryKey: queryKeys.session,
    queryFn: async ({ signal }) => {
      try {
        return (await api.getSession(signal)).user;
      } catch (error) {
        if (isApiError(error) && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
}

export function createQueryClient(overrides: QueryClientConfig['defaultOptions'] = {}): QueryClient {
  // Set once the client exists; the caches below need it to sign the user out on a 401.
  let client: QueryClient | undefined;
  const onError = (error: unknown) => {
    // The session ended (expired, or signed out elsewhere): forget the user, so the app
    // sends them to the sign-in page. The session query itself turns 401 into null.
    if (isApiError(error) && error.status === 401 && client) {
      client.setQueryData(queryKeys.session, null);
    }
  };
  client = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failureCount, error) => {
          if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
          return failureCount < 2;
        },
        ...overrides.queries,
      },
      mutations: { retry: false, ...overrides.mutations },
    },
  });
  return client;
}
