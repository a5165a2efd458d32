import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../api/types';
import { ana, sam } from '../test/fixtures';
import { Timeline, timelineText } from './caseParts';

function entry(overrides: Partial<TimelineEntry>): TimelineEntry {
  return {
    id: 'ev-1',
    kind: 'opened',
    actor: { id: 'l1', name: 'Lee Lead', role: 'lead' },
    summary: 'Case opened',
    createdAt: '2025-03-05T10:00:00Z',
    internal: false,
    assignee: null,
    ...overrides,
  };
}

describe('the history of a case', () => {
  const kim = { id: 'agt_2002', name: 'Kim Park' };
  const assignedTo = (assignee: TimelineEntry['assignee'], summary = 'Assigned to an agent') =>
    entry({ kind: 'assigned', summary, assignee });

  it('names who a case was assigned to, and the viewer as "you"', () => {
    expect(timelineText(assignedTo(kim), sam)).toBe('Assigned to Kim Park');
    expect(timelineText(assignedTo(kim), ana)).toBe('Assigned to Kim Park');
    expect(timelineText(assignedTo(kim, 'Self-assigned'), { ...sam, id: 'agt_2002' })).toBe('Assigned to you');
  });

  it("shows other entries, and an unassignment, in the service's words", () => {
    expect(timelineText(assignedTo(null, 'Unassigned'), sam)).toBe('Unassigned');
    expect(timelineText(entry({ summary: 'Case opened' }), ana)).toBe('Case opened');
  });

  it('never shows an id', () => {
    render(
      <Timeline
        viewer={ana}
        entries={[
          entry({ id: 'e1', kind: 'assigned', summary: 'Assigned to an agent', assignee: kim }),
          entry({ id: 'e2', kind: 'assigned', summary: 'Unassigned', assignee: null }),
        ]}
      />,
    );
    expect(screen.getByText('Assigned to Kim Park')).toBeInTheDocument();
    expect(screen.getByText('Unassigned')).toBeInTheDocument();
    expect(screen.queryByText(/agt_/)).not.toBeInTheDocument();
  });
});
