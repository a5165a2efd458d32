import type { ReactNode } from 'react';
import { Alert } from './Alert';
import { Button } from './Button';

export interface LoadErrorProps {
  /** What could not be loaded, as the title reads it: "We could not load {what}". */
  what: string;
  onRetry: () => void;
  /** What to do; by default, check the connection and try again. */
  children?: ReactNode;
}

/** A page's data did not come: says what, and offers to try again. */
export function LoadError({ what, onRetry, children }: LoadErrorProps) {
  return (
    <Alert tone="error" title={`We could not load ${what}`}>
      <p>{children ?? 'Please check your connection and try again.'}</p>
      <Button variant="secondary" onPress={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}
