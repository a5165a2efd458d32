import { forwardRef, useId, type ReactNode, type SelectHTMLAttributes } from 'react';
import { FieldShell } from './Field';

export interface SelectOption {
  value: string;
  label: string;
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  options: SelectOption[];
  /** A first, empty option such as "Choose a category". */
  placeholder?: string;
};

export const Select = forwardRef<HTMLSelectElement, SelectProps>(function Select(
  { id, label, hint, error, options, placeholder, className, ...rest },
  ref,
) {
  const generated = useId();
  const fieldId = id ?? `select-${generated}`;
  return (
    <FieldShell id={fieldId} label={label} hint={hint} error={error}>
      {(aria) => (
        <select ref={ref} className={['select', className].filter(Boolean).join(' ')} {...rest} {...aria}>
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
});
