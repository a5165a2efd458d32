import { forwardRef, type ReactNode } from 'react';
import { Icon } from './Icon';

export type AlertTone = 'error' | 'success' | 'info' | 'warning';

export interface AlertProps {
  tone?: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  /** Make the alert focusable (tabIndex -1), e.g. for an error summary that takes focus. */
  focusable?: boolean;
  /** Live announcement: errors interrupt (alert), others wait (status). Off for static text. */
  live?: boolean;
  className?: string;
}

/** A message in the page: an icon and colour for sighted people, a role for screen readers. */
export const Alert = forwardRef<HTMLDivElement, AlertProps>(function Alert(
  { tone = 'info', title, children, focusable = false, live = true, className },
  ref,
) {
  const role = live ? (tone === 'error' ? 'alert' : 'status') : undefined;
  return (
    <div
      ref={ref}
      role={role}
      tabIndex={focusable ? -1 : undefined}
      className={['alert', `alert--${tone}`, className].filter(Boolean).join(' ')}
    >
      <Icon name={tone} className="alert__icon" />
      <div className="alert__content">
        {title ? <p className="alert__title">{title}</p> : null}
        {children ? <div className="alert__body">{children}</div> : null}
      </div>
    </div>
  );
});
