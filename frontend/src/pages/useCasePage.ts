import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { api, queryKeys } from '../api';

export function useCasePage() {
  const { caseId = '' } = useParams();
  const query = useQuery({
    queryKey: queryKeys.case(caseId),
    queryFn: ({ signal }) => api.getCase(caseId, signal),
    enabled: caseId !== '',
  });
  return { caseId, query };
}
