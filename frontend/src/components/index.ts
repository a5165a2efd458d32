// The design system: accessible components built on React Aria Components, styled from the
// tokens in src/styles/tokens.css (styles in src/styles/app.css).
export { Alert } from './Alert';
export type { AlertTone } from './Alert';
export { Badge } from './Badge';
export { BarChart, chartSummary } from './BarChart';
export type { Bar } from './BarChart';
export type { BadgeTone } from './Badge';
export { Button, ButtonLink } from './Button';
export type { ButtonVariant } from './Button';
export { Checkbox, CheckboxGroup } from './Checkbox';
export { ConfirmDialog, Dialog } from './Dialog';
export { EmptyState } from './EmptyState';
export { LoadError } from './LoadError';
export { ErrorSummary } from './ErrorSummary';
export type { SummaryItem } from './ErrorSummary';
export { Icon } from './Icon';
export type { IconName } from './Icon';
export {
  SHORTCUT_GROUPS,
  ShortcutsProvider,
  isTypingTarget,
  useShortcutSettings,
  useShortcuts,
} from './KeyboardShortcuts';
export { APP_NAME, Page } from './Page';
export { Radio, RadioGroup } from './Radio';
export { Select } from './Select';
export type { SelectOption } from './Select';
export { SlaBadge } from './SlaBadge';
export { Loading, Skeleton, Spinner } from './Spinner';
export { Table } from './Table';
export type { Column } from './Table';
export { NumberField, TextArea, TextField } from './TextField';
export { ThemeSwitch } from './ThemeSwitch';
export { ToastProvider, useToast } from './Toast';
