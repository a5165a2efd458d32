import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned, tabular figures (money, counts). */
  numeric?: boolean;
  nowrap?: boolean;
}

export interface TableProps<T> {
  /** Says what the table holds; read by screen readers, shown only if `captionVisible`. */
  caption: string;
  captionVisible?: boolean;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Rows for a <tfoot>, e.g. a total. */
  footer?: ReactNode;
  compact?: boolean;
  className?: string;
}

/** Whether the element is narrower than its content (so it scrolls sideways). */
function useOverflows<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const measure = () => setOverflows(element.scrollWidth > element.clientWidth + 1);
    measure();
    if (typeof ResizeObserver !== 'function') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, overflows] as const;
}

/**
 * A plain semantic table (caption, column headers) for reading data. Not a grid on purpose:
 * the rows hold links, and screen readers' own table keys work best on a static table. When it
 * is wider than its space it scrolls sideways, and then its frame can take focus so keyboard
 * users can scroll it too.
 */
export function Table<T>({
  caption,
  captionVisible = false,
  columns,
  rows,
  rowKey,
  footer,
  compact = false,
  className,
}: TableProps<T>) {
  const [wrap, overflows] = useOverflows<HTMLDivElement>();
  const cellClass = (c: Column<T>) => [c.numeric ? 'num' : '', c.nowrap ? 'nowrap' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div
      ref={wrap}
      className="table-wrap"
      {...(overflows ? { tabIndex: 0, role: 'region', 'aria-label': `${caption} (scrolls sideways)` } : {})}
    >
      <table className={['table', compact ? 'table--compact' : '', className].filter(Boolean).join(' ')}>
        <caption className={captionVisible ? 'table__caption' : 'visually-hidden'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.id} scope="col" className={cellClass(c)}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.id} className={cellClass(c)}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        {footer ? <tfoot>{footer}</tfoot> : null}
      </table>
    </div>
  );
}
