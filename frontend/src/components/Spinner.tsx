import type { ReactNode } from 'react';

/** A turning ring. Decorative: pair it with text (see Loading) or a busy button. */
export function Spinner({ size = 'md' }: { size?: 'sm' | 'md' | 'lg' }) {
  return <span className={`spinner spinner--${size}`} aria-hidden="true" />;
}

/** A polite "loading" line for screen readers and sighted users alike. */
export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <div className="loading" role="status">
      <Spinner />
      <span>{children}</span>
    </div>
  );
}

/**
 * Grey placeholders in the shape of what is coming (cards, table rows or lines of text), with
 * the `label` announced politely to screen readers.
 */
export function Skeleton({
  label,
  shape = 'lines',
  count = 3,
}: {
  label: string;
  shape?: 'cards' | 'rows' | 'lines';
  count?: number;
}) {
  return (
    <div className={`skeleton skeleton--${shape}`} role="status">
      <span className="visually-hidden">{label}</span>
      <div aria-hidden="true" className="skeleton__items">
        {Array.from({ length: count }, (_, i) => (
          <div key={i} className="skeleton__item">
            {shape === 'lines' ? (
              <span className="skeleton__bar" />
            ) : (
              <>
                <span className="skeleton__bar skeleton__bar--title" />
                <span className="skeleton__bar" />
                {shape === 'cards' ? <span className="skeleton__bar skeleton__bar--short" /> : null}
              </>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
