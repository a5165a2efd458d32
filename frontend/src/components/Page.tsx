import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';

export const APP_NAME = 'Acme Support';

export interface PageProps {
  /** The page heading (h1). Also used for the document title. */
  title: string;
  /** A short line under the heading. */
  lead?: ReactNode;
  /** Buttons or links beside the heading. */
  actions?: ReactNode;
  /** Shown in the document title instead of `title` when given. */
  documentTitle?: string;
  children?: ReactNode;
}

/**
 * The frame of every page: one h1 that takes focus after each navigation (so screen-reader
 * and keyboard users start at the new page), and the document title.
 */
export function Page({ title, lead, actions, documentTitle, children }: PageProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const location = useLocation();

  useEffect(() => {
    headingRef.current?.focus({ preventScroll: false });
  }, [location.pathname]);

  useEffect(() => {
    document.title = `${documentTitle ?? title} – ${APP_NAME}`;
  }, [documentTitle, title]);

  return (
    <div className="page">
      <div className="page__header">
        <div>
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

/** A polite "loading" line for screen readers and sighted users alike. */
export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <p className="loading" role="status">
      {children}
    </p>
  );
}
