import { forwardRef, type ReactNode } from 'react';
import { Button as AriaButton, type ButtonProps as AriaButtonProps } from 'react-aria-components';
import { Link, type LinkProps } from 'react-router-dom';
import { Spinner } from './Spinner';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'quiet' | 'link' | 'note';
export type ButtonSize = 'md' | 'sm';

function buttonClass(variant: ButtonVariant, size: ButtonSize, className?: string) {
  return ['button', `button--${variant}`, size === 'sm' ? 'button--sm' : '', className]
    .filter(Boolean)
    .join(' ');
}

export interface ButtonProps extends Omit<AriaButtonProps, 'className' | 'children' | 'style'> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  className?: string;
  /** A decorative icon before the text. */
  icon?: ReactNode;
  children: ReactNode;
}

/**
 * A React Aria button: works with mouse, touch, keyboard and screen readers alike; `onPress`
 * to act. `isPending` shows a spinner and ignores presses while keeping the button focusable
 * (handled here rather than by React Aria's own isPending, whose announcement points at the
 * button by id and dangles when the button goes away after the action).
 */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'primary', size = 'md', className, icon, isPending = false, onPress, children, ...rest },
  ref,
) {
  return (
    <AriaButton
      ref={ref}
      {...rest}
      onPress={isPending ? undefined : onPress}
      className={buttonClass(variant, size, [isPending ? 'button--pending' : '', className].filter(Boolean).join(' '))}
    >
      {isPending ? <Spinner size="sm" /> : icon}
      {children}
    </AriaButton>
  );
});

/** A link (it goes somewhere) that looks like a button. */
export function ButtonLink({
  variant = 'secondary',
  size = 'md',
  className,
  icon,
  children,
  ...rest
}: LinkProps & { variant?: ButtonVariant; size?: ButtonSize; icon?: ReactNode }) {
  return (
    <Link {...rest} className={buttonClass(variant, size, className)}>
      {icon}
      {children}
    </Link>
  );
}
