import { forwardRef, type ReactNode } from 'react';
import {
  FieldError,
  Input,
  Label,
  Text,
  TextArea as AriaTextArea,
  TextField as AriaTextField,
  type TextFieldProps as AriaTextFieldProps,
} from 'react-aria-components';

interface CommonProps {
  /** Becomes the id of the input, so an error summary can link to it. */
  id?: string;
  label: ReactNode;
  /** Help under the label, read out with the field. */
  hint?: ReactNode;
  /** A sentence saying what is wrong: marks the field invalid and is read out with it. */
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  className?: string;
}

type PassThrough = Pick<
  AriaTextFieldProps,
  'name' | 'autoComplete' | 'isRequired' | 'isDisabled' | 'maxLength' | 'autoFocus' | 'onKeyDown' | 'inputMode'
>;

/** The error under the label: "Error:" is spoken, the icon and colour show it. */
export function FieldErrorText({ children }: { children: ReactNode }) {
  return (
    <FieldError className="field__error">
      <span className="visually-hidden">Error:</span> {children}
    </FieldError>
  );
}

function Parts({ label, hint, error }: Pick<CommonProps, 'label' | 'hint' | 'error'>) {
  return (
    <>
      <Label className="field__label">{label}</Label>
      {hint ? (
        <Text slot="description" className="field__hint">
          {hint}
        </Text>
      ) : null}
      <FieldErrorText>{error}</FieldErrorText>
    </>
  );
}

export interface TextFieldProps extends CommonProps, PassThrough {
  type?: 'text' | 'email' | 'password' | 'search' | 'tel' | 'url';
  spellCheck?: boolean;
  placeholder?: string;
}

/** A labelled one-line text input with an optional hint and an inline error tied to it. */
export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, hint, error, className, spellCheck, placeholder, ...rest },
  ref,
) {
  return (
    <AriaTextField
      {...rest}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
      className={['field', className].filter(Boolean).join(' ')}
    >
      <Parts label={label} hint={hint} error={error} />
      <Input ref={ref} className="input" spellCheck={spellCheck} placeholder={placeholder} />
    </AriaTextField>
  );
});

export interface TextAreaProps extends CommonProps, PassThrough {
  rows?: number;
}

/** A labelled multi-line text input with an optional hint and an inline error tied to it. */
export const TextArea = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextArea(
  { label, hint, error, className, rows = 5, ...rest },
  ref,
) {
  return (
    <AriaTextField
      {...rest}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
      className={['field', className].filter(Boolean).join(' ')}
    >
      <Parts label={label} hint={hint} error={error} />
      <AriaTextArea ref={ref} rows={rows} className="input input--multiline" />
    </AriaTextField>
  );
});

export interface NumberFieldProps extends Omit<CommonProps, 'value' | 'onChange'> {
  /** What was typed, as text: checking it (whole number, within range) is the form's job. */
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  isDisabled?: boolean;
  onBlur?: () => void;
}

/**
 * A labelled whole-number input (a native number input: arrow keys step it) with an optional
 * hint and an inline error tied to it. It never changes what was typed by itself, so a wrong
 * value stays visible next to its error.
 */
export const NumberField = forwardRef<HTMLInputElement, NumberFieldProps>(function NumberField(
  { label, hint, error, className, min, max, onBlur, ...rest },
  ref,
) {
  return (
    <AriaTextField
      {...rest}
      type="number"
      inputMode="numeric"
      onBlur={onBlur}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
      className={['field', 'number-field', className].filter(Boolean).join(' ')}
    >
      <Parts label={label} hint={hint} error={error} />
      <Input ref={ref} className="input input--number" min={min} max={max} step={1} />
    </AriaTextField>
  );
});
