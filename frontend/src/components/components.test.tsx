import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import {
  Alert,
  Button,
  Checkbox,
  CheckboxGroup,
  ConfirmDialog,
  EmptyState,
  ErrorSummary,
  LoadError,
  Page,
  Select,
  Skeleton,
  Table,
  TextArea,
  TextField,
  ToastProvider,
  useToast,
} from '.';
import { TOAST_TIMEOUT_MS } from './Toast';

describe('TextField and TextArea', () => {
  function Form({ error }: { error?: string }) {
    const [value, setValue] = useState('');
    return (
      <>
        <TextField id="name" label="Full name" hint="As on your order." value={value} onChange={setValue} error={error} />
        <TextArea label="Details" value="" onChange={() => {}} />
        <output data-testid="value">{value}</output>
      </>
    );
  }

  it('labels the input and ties the hint to it', async () => {
    const user = userEvent.setup();
    render(<Form />);
    const input = screen.getByLabelText('Full name');
    expect(input).toHaveAttribute('id', 'name');
    expect(input).toHaveAccessibleDescription('As on your order.');
    expect(input).not.toHaveAttribute('aria-invalid');
    await user.type(input, 'Ana');
    expect(screen.getByTestId('value')).toHaveTextContent('Ana');
    expect(screen.getByRole('textbox', { name: 'Details' }).tagName).toBe('TEXTAREA');
  });

  it('marks the field invalid and reads the error with it', () => {
    render(<Form error="Enter your full name." />);
    const input = screen.getByLabelText('Full name');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('As on your order. Error: Enter your full name.');
    expect(screen.getByText('Enter your full name.')).toBeVisible();
  });
});

describe('Select', () => {
  function Choice({ error, emptyLabel }: { error?: string; emptyLabel?: string }) {
    const [value, setValue] = useState('');
    return (
      <>
        <Select
          id="fruit"
          label="Fruit"
          placeholder="Choose a fruit"
          emptyLabel={emptyLabel}
          options={[
            { value: 'apple', label: 'Apple' },
            { value: 'pear', label: 'Pear' },
          ]}
          value={value}
          onChange={setValue}
          error={error}
        />
        <output data-testid="value">{`[${value}]`}</output>
      </>
    );
  }

  it('is a labelled button that opens a list to choose from', async () => {
    const user = userEvent.setup();
    render(<Choice />);
    const trigger = screen.getByLabelText('Fruit');
    expect(trigger).toHaveAttribute('id', 'fruit');
    expect(trigger).toHaveTextContent('Choose a fruit');
    await user.click(trigger);
    const list = await screen.findByRole('listbox');
    await user.click(within(list).getByRole('option', { name: 'Pear' }));
    expect(screen.getByTestId('value')).toHaveTextContent('[pear]');
    expect(trigger).toHaveTextContent('Pear');
  });

  it('works from the keyboard', async () => {
    const user = userEvent.setup();
    render(<Choice />);
    act(() => screen.getByLabelText('Fruit').focus());
    await user.keyboard('{ArrowDown}');
    expect(await screen.findByRole('listbox')).toBeInTheDocument();
    await user.keyboard('{ArrowDown}{Enter}');
    expect(screen.getByTestId('value')).not.toHaveTextContent('[]');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  it('offers an "any" choice that stands for no value', async () => {
    const user = userEvent.setup();
    render(<Choice emptyLabel="Any fruit" />);
    expect(screen.getByLabelText('Fruit')).toHaveTextContent('Any fruit');
    await user.click(screen.getByLabelText('Fruit'));
    await user.click(await screen.findByRole('option', { name: 'Apple' }));
    await user.click(screen.getByLabelText('Fruit'));
    await user.click(await screen.findByRole('option', { name: 'Any fruit' }));
    expect(screen.getByTestId('value')).toHaveTextContent('[]');
  });

  it('reads its error with it', () => {
    render(<Choice error="Choose a fruit." />);
    expect(screen.getByLabelText('Fruit')).toHaveAccessibleDescription('Error: Choose a fruit.');
  });
});

describe('Checkbox and CheckboxGroup', () => {
  it('toggles a standalone checkbox', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Checkbox onChange={onChange}>Only overdue cases</Checkbox>);
    await user.click(screen.getByRole('checkbox', { name: 'Only overdue cases' }));
    expect(onChange).toHaveBeenCalledWith(true);
  });

  it('groups checkboxes under a label with a hint and an error', async () => {
    const user = userEvent.setup();
    function Group() {
      const [value, setValue] = useState<string[]>([]);
      return (
        <CheckboxGroup label="Items" hint="Pick any." error="Pick one at most." value={value} onChange={setValue}>
          <Checkbox value="a">Mug</Checkbox>
          <Checkbox value="b">Towel</Checkbox>
        </CheckboxGroup>
      );
    }
    render(<Group />);
    const group = screen.getByRole('group', { name: 'Items' });
    expect(group).toHaveAccessibleDescription('Pick any. Error: Pick one at most.');
    await user.click(within(group).getByRole('checkbox', { name: 'Towel' }));
    expect(within(group).getByRole('checkbox', { name: 'Towel' })).toBeChecked();
    expect(within(group).getByRole('checkbox', { name: 'Mug' })).not.toBeChecked();
  });
});

describe('Button', () => {
  it('acts on press, and not while pending', async () => {
    const user = userEvent.setup();
    const onPress = vi.fn();
    const { rerender } = render(<Button onPress={onPress}>Save</Button>);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(onPress).toHaveBeenCalledTimes(1);
    rerender(
      <Button onPress={onPress} isPending>
        Save
      </Button>,
    );
    const button = screen.getByRole('button', { name: 'Save' });
    expect(button).toBeEnabled(); // stays focusable
    await user.click(button);
    expect(onPress).toHaveBeenCalledTimes(1);
  });
});

describe('ConfirmDialog', () => {
  function Harness({ onConfirm }: { onConfirm: () => void }) {
    return (
      <ConfirmDialog
        trigger={<Button variant="danger">Close case</Button>}
        title="Close this case?"
        confirmLabel="Close case"
        tone="danger"
        onConfirm={onConfirm}
      >
        <p>Closing is final.</p>
      </ConfirmDialog>
    );
  }

  it('asks first, starting on the safe choice; Escape cancels and focus returns', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    const trigger = screen.getByRole('button', { name: 'Close case' });
    await user.click(trigger);
    const dialog = await screen.findByRole('alertdialog', { name: 'Close this case?' });
    expect(dialog).toHaveTextContent('Closing is final.');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    await waitFor(() => expect(trigger).toHaveFocus()); // restored on the next frame
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('does the action when confirmed', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByRole('button', { name: 'Close case' }));
    const dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Close case' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });
});

describe('Toasts', () => {
  function Notifier() {
    const notify = useToast();
    return <button onClick={() => notify('Assigned to you.')}>Go</button>;
  }

  it('announce politely, can be dismissed, and go away by themselves', () => {
    vi.useFakeTimers();
    try {
      render(
        <ToastProvider>
          <Notifier />
        </ToastProvider>,
      );
      const region = screen.getByRole('region', { name: 'Notifications' });
      expect(region.querySelector('[aria-live="polite"]')).not.toBeNull();
      fireEvent.click(screen.getByRole('button', { name: 'Go' }));
      expect(within(region).getByText('Assigned to you.')).toBeInTheDocument();
      fireEvent.click(within(region).getByRole('button', { name: 'Dismiss' }));
      expect(within(region).queryByText('Assigned to you.')).not.toBeInTheDocument();

      fireEvent.click(screen.getByRole('button', { name: 'Go' }));
      act(() => vi.advanceTimersByTime(TOAST_TIMEOUT_MS - 100));
      expect(within(region).getByText('Assigned to you.')).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(200));
      expect(within(region).queryByText('Assigned to you.')).not.toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Alerts, states and tables', () => {
  it('errors interrupt; other alerts wait', () => {
    render(
      <>
        <Alert tone="error">Broken</Alert>
        <Alert tone="success">Done</Alert>
      </>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Broken');
    expect(screen.getByRole('status')).toHaveTextContent('Done');
  });

  it('a load error says what did not load, what to do, and tries again', async () => {
    const retry = vi.fn();
    const { rerender } = render(<LoadError what="your orders" onRetry={retry} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('We could not load your orders');
    expect(alert).toHaveTextContent('Please check your connection and try again.');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
    rerender(
      <LoadError what="the dashboard" onRetry={retry}>
        Only team leads can see the dashboard.
      </LoadError>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Only team leads can see the dashboard.');
    expect(screen.getByRole('alert')).not.toHaveTextContent('check your connection');
  });

  it('a skeleton says what is loading', () => {
    render(<Skeleton label="Loading your orders…" shape="cards" />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your orders…');
  });

  it('an empty state says what it means and what to do', () => {
    render(<EmptyState title="No cases yet." action={<button>Open a case</button>}>Cases appear here.</EmptyState>);
    expect(screen.getByText('No cases yet.')).toBeInTheDocument();
    expect(screen.getByText('Cases appear here.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Open a case' })).toBeInTheDocument();
  });

  it('a table has a caption and column headers', () => {
    render(
      <Table
        caption="Fruit and prices"
        columns={[
          { id: 'name', header: 'Name', cell: (r: { name: string; price: string }) => r.name },
          { id: 'price', header: 'Price', numeric: true, cell: (r) => r.price },
        ]}
        rows={[{ name: 'Apple', price: '€1.00' }]}
        rowKey={(r) => r.name}
      />,
    );
    const table = screen.getByRole('table', { name: 'Fruit and prices' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Name', 'Price']);
    expect(within(table).getByRole('row', { name: 'Apple €1.00' })).toBeInTheDocument();
  });

  it('an error summary moves focus to the field it names', async () => {
    const user = userEvent.setup();
    render(
      <>
        <ErrorSummary items={[{ fieldId: 'email', message: 'Enter your email address.' }]} />
        <input id="email" aria-label="Email" />
      </>,
    );
    await user.click(screen.getByRole('link', { name: 'Enter your email address.' }));
    expect(screen.getByLabelText('Email')).toHaveFocus();
  });
});

describe('Page', () => {
  it('focuses its heading and sets the document title', () => {
    render(
      <MemoryRouter>
        <Page title="My orders" back={{ to: '/', label: 'Home' }}>
          content
        </Page>
      </MemoryRouter>,
    );
    expect(screen.getByRole('heading', { level: 1, name: 'My orders' })).toHaveFocus();
    expect(document.title).toBe('My orders – Acme Support');
    expect(screen.getByRole('link', { name: 'Home' })).toHaveAttribute('href', '/');
  });
});
