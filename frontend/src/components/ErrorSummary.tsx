import { forwardRef } from 'react';
import { Alert } from './Alert';

export interface SummaryItem {
  /** The id of the control to focus, or none for an error that belongs to no field. */
  fieldId?: string | undefined;
  message: string;
}

const FOCUSABLE = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex]';

/** A list of what is wrong at the top of a form; each item links to its field. */
export const ErrorSummary = forwardRef<HTMLDivElement, { title?: string; items: SummaryItem[] }>(
  function ErrorSummary({ title = 'There is a problem', items }, ref) {
    if (items.length === 0) return null;
    return (
      <Alert ref={ref} tone="error" title={title} focusable className="error-summary">
        <ul className="error-summary__list">
          {items.map((item, index) => (
            <li key={`${item.fieldId ?? 'form'}-${index}`}>
              {item.fieldId ? (
                <a
                  href={`#${item.fieldId}`}
                  onClick={(event) => {
                    const field = document.getElementById(item.fieldId ?? '');
                    // The field itself, or the first control inside it (a group of checkboxes).
                    const target = field?.matches(FOCUSABLE) ? field : field?.querySelector<HTMLElement>(FOCUSABLE);
                    if (target) {
                      event.preventDefault();
                      target.focus();
                    }
                  }}
                >
                  {item.message}
                </a>
              ) : (
                item.message
              )}
            </li>
          ))}
        </ul>
      </Alert>
    );
  },
);
