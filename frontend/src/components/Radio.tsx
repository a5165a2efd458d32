import type { ReactNode } from 'react';
import { Label, Radio as AriaRadio, RadioGroup as AriaRadioGroup, Text } from 'react-aria-components';
import { FieldErrorText } from './TextField';

export interface RadioGroupProps {
  /** Becomes the id of the group, so an error summary can link to it. */
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
  isDisabled?: boolean;
}

/**
 * A labelled group of radio buttons (React Aria): Tab enters the group at the chosen option and
 * the arrow keys move the choice. Hint and error are tied to the group.
 */
export function RadioGroup({ id, label, hint, error, value, onChange, children, isDisabled }: RadioGroupProps) {
  return (
    <AriaRadioGroup
      id={id}
      value={value}
      onChange={onChange}
      isInvalid={Boolean(error)}
      isDisabled={isDisabled}
      validationBehavior="aria"
      className="field radio-group"
    >
      <Label className="field__label">{label}</Label>
      {hint ? (
        <Text slot="description" className="field__hint">
          {hint}
        </Text>
      ) : null}
      <FieldErrorText>{error}</FieldErrorText>
      <div className="radio-group__items">{children}</div>
    </AriaRadioGroup>
  );
}

/** One option of a RadioGroup, with an optional line of explanation under its label. */
export function Radio({ value, children, description }: { value: string; children: ReactNode; description?: ReactNode }) {
  return (
    <AriaRadio value={value} className="radio">
      <span className="radio__circle" aria-hidden="true" />
      <span className="radio__text">
        <span className="radio__label">{children}</span>
        {description ? <span className="radio__description">{description}</span> : null}
      </span>
    </AriaRadio>
  );
}
