import type { ReactNode } from 'react';
import {
  Checkbox as AriaCheckbox,
  CheckboxGroup as AriaCheckboxGroup,
  Label,
  Text,
} from 'react-aria-components';
import { Icon } from './Icon';
import { FieldErrorText } from './TextField';

export interface CheckboxProps {
  id?: string;
  children: ReactNode;
  /** Standalone: checked or not. Inside a CheckboxGroup: leave out and give `value`. */
  isSelected?: boolean;
  onChange?: (isSelected: boolean) => void;
  /** The value this box adds to its CheckboxGroup. */
  value?: string;
  isDisabled?: boolean;
  className?: string;
}

/** A React Aria checkbox: a real (visually hidden) input inside its label, drawn as a box. */
export function Checkbox({ children, className, ...rest }: CheckboxProps) {
  return (
    <AriaCheckbox {...rest} className={['checkbox', className].filter(Boolean).join(' ')}>
      {({ isSelected }) => (
        <>
          <span className="checkbox__box" aria-hidden="true">
            {isSelected ? <Icon name="check" size={16} /> : null}
          </span>
          <span className="checkbox__label">{children}</span>
        </>
      )}
    </AriaCheckbox>
  );
}

export interface CheckboxGroupProps {
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  value: string[];
  onChange: (value: string[]) => void;
  children: ReactNode;
}

/** A labelled group of checkboxes with a hint and an error tied to the group. */
export function CheckboxGroup({ id, label, hint, error, value, onChange, children }: CheckboxGroupProps) {
  return (
    <AriaCheckboxGroup
      id={id}
      value={value}
      onChange={onChange}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
      className="field checkbox-group"
    >
      <Label className="field__label">{label}</Label>
      {hint ? (
        <Text slot="description" className="field__hint">
          {hint}
        </Text>
      ) : null}
      <FieldErrorText>{error}</FieldErrorText>
      <div className="checkbox-group__items">{children}</div>
    </AriaCheckboxGroup>
  );
}
