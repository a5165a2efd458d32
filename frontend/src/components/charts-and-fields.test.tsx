import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { BarChart, Button, ConfirmDialog, NumberField, Radio, RadioGroup, chartSummary } from '.';

describe('NumberField', () => {
  function Quantity({ error }: { error?: string }) {
    const [value, setValue] = useState('2');
    return (
      <>
        <NumberField id="qty" label="How many" hint="From 1 to 3." min={1} max={3} value={value} onChange={setValue} error={error} />
        <output data-testid="value">{value}</output>
      </>
    );
  }

  it('is a labelled spin button that keeps what was typed, with its hint and error tied to it', async () => {
    const user = userEvent.setup();
    render(<Quantity error="You can refund at most 3 of these." />);
    const input = screen.getByRole('spinbutton', { name: 'How many' });
    expect(input).toHaveAttribute('id', 'qty');
    expect(input).toHaveAttribute('min', '1');
    expect(input).toHaveAttribute('max', '3');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription(/From 1 to 3\..*Error: You can refund at most 3 of these\./);
    await user.clear(input);
    await user.type(input, '7');
    // Never clamped behind the person's back: the form says what is wrong instead.
    expect(screen.getByTestId('value')).toHaveTextContent('7');
  });
});

describe('RadioGroup', () => {
  it('is a labelled group; the arrow keys move the choice', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    function Method() {
      const [value, setValue] = useState('card');
      return (
        <RadioGroup
          label="How should we pay you back?"
          value={value}
          onChange={(v) => {
            setValue(v);
            onChange(v);
          }}
        >
          <Radio value="card" description="To the card you paid with.">
            Original payment
          </Radio>
          <Radio value="credit">Store credit</Radio>
        </RadioGroup>
      );
    }
    render(<Method />);
    const group = screen.getByRole('radiogroup', { name: 'How should we pay you back?' });
    const card = within(group).getByRole('radio', { name: /Original payment/ });
    expect(card).toBeChecked();
    await user.tab();
    expect(card).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(within(group).getByRole('radio', { name: 'Store credit' })).toBeChecked();
    expect(onChange).toHaveBeenLastCalledWith('credit');
  });
});

describe('BarChart', () => {
  const bars = [
    { id: 'a', label: 'Open', value: 4, valueText: '4 cases' },
    { id: 'b', label: 'Waiting', value: 0, valueText: '0 cases' },
  ];

  it('is one image named by a summary of every value', () => {
    render(<BarChart title="Open cases" bars={bars} />);
    const chart = screen.getByRole('img', { name: 'Open cases: Open 4 cases, Waiting 0 cases.' });
    const rects = chart.querySelectorAll('rect');
    expect(rects[0]).toHaveAttribute('width', '100.00%');
    expect(rects[1]).toHaveAttribute('width', '0.00%');
    expect(chart.querySelector('[style]')).toBeNull(); // the CSP allows no inline styles
  });

  it('says when there is nothing to show', () => {
    render(<BarChart title="Breaches" bars={bars.map((b) => ({ ...b, value: 0 }))} />);
    expect(screen.getByRole('img', { name: 'Breaches: Nothing to show for this period.' })).toHaveTextContent(
      'Nothing to show for this period.',
    );
    expect(chartSummary('Breaches', [])).toBe('Breaches: no data.');
  });
});

describe('ConfirmDialog, opened by the page', () => {
  it('opens when asked, starts on Cancel, and confirms', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    function Harness() {
      const [open, setOpen] = useState(false);
      return (
        <>
          <Button onPress={() => setOpen(true)}>Reject</Button>
          <ConfirmDialog isOpen={open} onOpenChange={setOpen} title="Reject it?" confirmLabel="Reject" tone="danger" onConfirm={onConfirm}>
            <p>This cannot be undone.</p>
          </ConfirmDialog>
        </>
      );
    }
    render(<Harness />);
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reject' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Reject it?' });
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus());
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
  });
});
