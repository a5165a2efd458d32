import type { Case } from '../api/types';
import { slaState } from '../lib/format';
import { Badge } from './Badge';

/** "Due in 3 h", "Overdue" or "Paused", from the case's SLA times. */
export function SlaBadge({ kase, now }: { kase: Case; now?: number }) {
  const sla = slaState(kase, now);
  switch (sla.kind) {
    case 'none':
      return (
        <span className="muted">
          <span aria-hidden="true">—</span>
          <span className="visually-hidden">No due time</span>
        </span>
      );
    case 'paused':
      return <Badge tone="neutral">Paused</Badge>;
    case 'overdue':
      return <Badge tone="danger">Overdue</Badge>;
    case 'due':
      return <Badge tone={sla.soon ? 'warning' : 'neutral'}>{sla.label}</Badge>;
  }
}
