import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

/** What to show when there is nothing yet: what it means, and what to do next. */
export function EmptyState({
  title,
  children,
  action,
  icon = 'inbox',
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: IconName;
}) {
  return (
    <div className="empty-state">
      <Icon name={icon} size={32} className="empty-state__icon" />
      <p className="empty-state__title">{title}</p>
      {children ? <div className="empty-state__body">{children}</div> : null}
      {action ? <div className="empty-state__action">{action}</div> : null}
    </div>
  );
}
