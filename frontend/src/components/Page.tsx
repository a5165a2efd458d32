import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { Icon } from './Icon';

export const APP_NAME = 'Acme Support';

export interface PageProps {
  /** The page heading (h1). Also used for the document title. */
  title: string;
  /** A short line under the heading. */
  lead?: ReactNode;
  /** Buttons or links beside the heading. */
  actions?: ReactNode;
  /** A link back up, shown above the heading. */
  back?: { to: string; label: string };
  /** Shown in the document title instead of `title` when given. */
  documentTitle?: string;
  /** 'narrow' for forms and short pages. */
  width?: 'wide' | 'narrow';
  children?: ReactNode;
}

/**
 * The frame of every page: one h1 that takes focus after each navigation (so screen-reader
 * and keyboard users start at the new page), and the document title.
 */
export function Page({ title, lead, actions, back, documentTitle, width = 'wide', children }: PageProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const location = useLocation();

  useEffect(() => {
    headingRef.current?.focus({ preventScroll: false });
  }, [location.pathname]);

  useEffect(() => {
    document.title = `${documentTitle ?? title} – ${APP_NAME}`;
  }, [documentTitle, title]);

  return (
    <div className={width === 'narrow' ? 'page page--narrow' : 'page'}>
      {back ? (
        <p className="page__back">
          <Link to={back.to}>
            <Icon name="arrowLeft" size={16} />
            {back.label}
          </Link>
        </p>
      ) : null}
      <div className="page__header">
        <div className="page__heading">
          <h1 className="page__title" ref={headingRef} tabIndex={-1}>
            {title}
          </h1>
          {lead ? <div className="page__lead">{lead}</div> : null}
        </div>
        {actions ? <div className="page__actions">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}
