import type { ReactNode } from 'react';
import {
  Button,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select as AriaSelect,
  SelectValue,
  Text,
  type Key,
} from 'react-aria-components';
import { Icon } from './Icon';
import { FieldErrorText } from './TextField';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectProps {
  /** Becomes the id of the button that opens the list, so an error summary can link to it. */
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  options: SelectOption[];
  /** The chosen value; '' for none. */
  value: string;
  onChange: (value: string) => void;
  /** Shown while nothing is chosen, e.g. "Choose a category" (not an option itself). */
  placeholder?: string;
  /** An option that stands for "no value", e.g. "Any priority" for a filter. */
  emptyLabel?: string;
  isDisabled?: boolean;
  className?: string;
}

const EMPTY_KEY = '__empty__';

/**
 * A React Aria select: a labelled button that opens a list box (arrow keys, type to find,
 * Enter to choose, Escape to close), with hint and error tied to it.
 */
export function Select({
  id,
  label,
  hint,
  error,
  options,
  value,
  onChange,
  placeholder,
  emptyLabel,
  isDisabled,
  className,
}: SelectProps) {
  const items = emptyLabel !== undefined ? [{ value: EMPTY_KEY, label: emptyLabel }, ...options] : options;
  const selected: Key | null = value === '' ? (emptyLabel !== undefined ? EMPTY_KEY : null) : value;
  return (
    <AriaSelect
      id={id}
      value={selected}
      onChange={(key) => onChange(key === null || key === EMPTY_KEY ? '' : String(key))}
      placeholder={placeholder ?? 'Choose one'}
      isInvalid={Boolean(error)}
      isDisabled={isDisabled}
      validationBehavior="aria"
      className={['field', 'select-field', className].filter(Boolean).join(' ')}
    >
      <Label className="field__label">{label}</Label>
      {hint ? (
        <Text slot="description" className="field__hint">
          {hint}
        </Text>
      ) : null}
      <FieldErrorText>{error}</FieldErrorText>
      <Button className="select">
        <SelectValue className="select__value">
          {({ isPlaceholder, selectedText, defaultChildren }) => (isPlaceholder ? defaultChildren : selectedText)}
        </SelectValue>
        <Icon name="chevronDown" size={18} className="select__chevron" />
      </Button>
      <Popover className="popover select__popover" offset={4}>
        <ListBox className="listbox" items={items}>
          {(item) => (
            <ListBoxItem id={item.value} textValue={item.label} className="listbox__item">
              {({ isSelected }) => (
                <>
                  <span className="listbox__check">{isSelected ? <Icon name="check" size={16} /> : null}</span>
                  <span>{item.label}</span>
                </>
              )}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </AriaSelect>
  );
}
