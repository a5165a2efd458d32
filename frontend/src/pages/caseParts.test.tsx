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
    ...overrides,
  };
}

describe('the history of a case', () => {
  it('names who a case was assigned to, and never shows their id', () => {
    const assigned = (id: string) => entry({ kind: 'assigned', summary: `Assigned to ${id}` });
    const kim = { id: 'agt_2002', name: 'Kim Park' };
    expect(timelineText(assigned('agt_2002'), sam, [kim])).toBe('Assigned to Kim Park');
    expect(timelineText(assigned('agt_2001'), { ...sam, id: 'agt_2001' })).toBe('Assigned to you');
    expect(timelineText(assigned('agt_2009'), sam, [kim])).toBe('Assigned to a colleague');
    expect(timelineText(assigned('agt_2009'), ana)).toBe('Assigned to a member of our support team');
    // Other entries, and assignments the service already wrote in words, stay as they are.
    expect(timelineText(entry({ kind: 'assigned', summary: 'Unassigned' }), sam)).toBe('Unassigned');
    expect(timelineText(entry({ kind: 'assigned', summary: 'Assigned to Kim Park' }), sam)).toBe(
      'Assigned to Kim Park',
    );
    expect(timelineText(entry({ summary: 'Case opened' }), ana)).toBe('Case opened');
  });

  it("knows people from the entries' authors and from what the page passes", () => {
    render(
      <Timeline
        viewer={ana}
        people={[null, { id: 'agt_2001', name: 'Sam Rivera' }]}
        entries={[
          entry({
            id: 'e1',
            kind: 'assigned',
            summary: 'Assigned to agt_2002',
            actor: { id: 'agt_2002', name: 'Kim Park', role: 'agent' },
          }),
          entry({ id: 'e2', kind: 'assigned', summary: 'Assigned to agt_2001' }),
        ]}
      />,
    );
    expect(screen.getByText('Assigned to Kim Park')).toBeInTheDocument();
    expect(screen.getByText('Assigned to Sam Rivera')).toBeInTheDocument();
    expect(screen.queryByText(/agt_/)).not.toBeInTheDocument();
  });
});
