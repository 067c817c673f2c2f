// The console's shared UI building blocks (see packages/console/README.md).
export { Page } from './Page.tsx';
export { Loading, ErrorView, Loaded, Notice } from './feedback.tsx';
export { Table, type Column } from './Table.tsx';
export { ConfirmDialog, type ConfirmProps } from './ConfirmDialog.tsx';
export { useOperation, ProgressView, type Operation, type OperationStatus } from './Progress.tsx';
export { BarChart, Timeline, type Point, type Span } from './charts.tsx';
export { TextField, SelectField } from './Field.tsx';
// (lazy sections import Thread.tsx and useAction.ts directly: not in the initial chunk)
