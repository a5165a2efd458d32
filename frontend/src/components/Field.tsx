import {
  forwardRef,
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
} from 'react';

interface FieldShellProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode | undefined;
  error?: string | undefined;
  children: (aria: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: true;
  }) => ReactNode;
}

/** Label, hint and error message wired to one control with aria-describedby / aria-invalid. */
export function FieldShell({ id, label, hint, error, children }: FieldShellProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId}>
          <span className="visually-hidden">Error:</span>{' '}
          {error}
        </p>
      ) : null}
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
};

export const Field = forwardRef<HTMLInputElement, InputProps>(function Field(
  { id, label, hint, error, className, ...rest },
  ref,
) {
  const generated = useId();
  const fieldId = id ?? `field-${generated}`;
  return (
    <FieldShell id={fieldId} label={label} hint={hint} error={error}>
      {(aria) => (
        <input ref={ref} className={['input', className].filter(Boolean).join(' ')} {...rest} {...aria} />
      )}
    </FieldShell>
  );
});

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & {
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
};

export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextAreaField(
  { id, label, hint, error, className, rows = 5, ...rest },
  ref,
) {
  const generated = useId();
  const fieldId = id ?? `field-${generated}`;
  return (
    <FieldShell id={fieldId} label={label} hint={hint} error={error}>
      {(aria) => (
        <textarea
          ref={ref}
          rows={rows}
          className={['input', 'input--multiline', className].filter(Boolean).join(' ')}
          {...rest}
          {...aria}
        />
      )}
    </FieldShell>
  );
});
