// An accessible data table (caption, column headers) that scrolls horizontally on narrow screens.
import type { ReactNode } from 'react';
import { t } from '../i18n/index.ts';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** right-aligned (amounts, counts) */
  numeric?: boolean;
}

export function Table<T>(props: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty?: string;
}) {
  if (props.rows.length === 0) return <p className="muted">{props.empty ?? t('table.empty')}</p>;
  return (
    <div className="table-wrap" role="region" aria-label={props.caption} tabIndex={0}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={props.rowKey(r)}>
              {props.columns.map((c) => (
                <td key={c.header} className={c.numeric ? 'num' : undefined}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
