import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ShortcutsProvider, isTypingTarget, useShortcutSettings, useShortcuts } from './KeyboardShortcuts';

function Harness({ onJ }: { onJ: () => void }) {
  useShortcuts({ j: onJ });
  const { openHelp } = useShortcutSettings();
  return (
    <>
      <input aria-label="Search" />
      <textarea aria-label="Message" />
      <input type="checkbox" aria-label="Overdue" />
      <button aria-haspopup="listbox">Status</button>
      <button onClick={openHelp}>Shortcuts</button>
    </>
  );
}

function setup(available = true) {
  const onJ = vi.fn();
  const user = userEvent.setup();
  render(
    <ShortcutsProvider available={available}>
      <Harness onJ={onJ} />
    </ShortcutsProvider>,
  );
  return { onJ, user };
}

describe('isTypingTarget', () => {
  it('is true in text fields and lists, false on buttons and checkboxes', () => {
    setup();
    expect(isTypingTarget(screen.getByLabelText('Search'))).toBe(true);
    expect(isTypingTarget(screen.getByLabelText('Message'))).toBe(true);
    expect(isTypingTarget(screen.getByRole('button', { name: 'Status' }))).toBe(true);
    expect(isTypingTarget(screen.getByLabelText('Overdue'))).toBe(false);
    expect(isTypingTarget(screen.getByRole('button', { name: 'Shortcuts' }))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
  });
});

describe('single-key shortcuts', () => {
  it('fire when nothing is being typed', async () => {
    const { onJ, user } = setup();
    await user.keyboard('j');
    expect(onJ).toHaveBeenCalledTimes(1);
  });

  it('stay out of the way while typing, and with modifier keys', async () => {
    const { onJ, user } = setup();
    await user.click(screen.getByLabelText('Search'));
    await user.keyboard('j');
    expect(screen.getByLabelText('Search')).toHaveValue('j');
    await user.click(screen.getByLabelText('Message'));
    await user.keyboard('j');
    (document.activeElement as HTMLElement).blur();
    await user.keyboard('{Control>}j{/Control}');
    expect(onJ).not.toHaveBeenCalled();
  });

  it('are off for people who have none (customers)', async () => {
    const { onJ, user } = setup(false);
    await user.keyboard('j?');
    expect(onJ).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('"?" lists them; the list can turn them off, and that is remembered', async () => {
    const { onJ, user } = setup();
    await user.keyboard('?');
    const help = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(help).toHaveTextContent('Search cases');
    expect(help).toHaveTextContent('Assign the case to me');
    // While the list is open, shortcuts do not fire behind it.
    await user.keyboard('j');
    expect(onJ).not.toHaveBeenCalled();
    await user.click(within(help).getByRole('checkbox', { name: 'Use single-key shortcuts' }));
    expect(window.localStorage.getItem('acme-shortcuts')).toBe('off');
    await user.click(within(help).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await user.keyboard('j?');
    expect(onJ).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // The header button still opens the list, to turn them back on.
    await user.click(screen.getByRole('button', { name: 'Shortcuts' }));
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
  });
});
