import type { ReactElement, ReactNode } from 'react';
import {
  Dialog as AriaDialog,
  DialogTrigger,
  Heading,
  Modal,
  ModalOverlay,
} from 'react-aria-components';
import { Button, type ButtonVariant } from './Button';

export interface DialogProps {
  title: string;
  /** The content, or a function given `close` to build it. */
  children: ReactNode | ((close: () => void) => ReactNode);
  /** alertdialog for confirmations that interrupt. */
  role?: 'dialog' | 'alertdialog';
  /** Controlled use. Leave out inside a DialogTrigger, which opens and closes it. */
  isOpen?: boolean;
  onOpenChange?: (isOpen: boolean) => void;
  className?: string;
}

/**
 * A modal dialog (React Aria): focus moves into it and stays there, Escape or a click outside
 * closes it, and focus goes back to what opened it.
 */
export function Dialog({ title, children, role = 'dialog', isOpen, onOpenChange, className }: DialogProps) {
  const overlay = isOpen === undefined ? {} : { isOpen, ...(onOpenChange ? { onOpenChange } : {}) };
  return (
    <ModalOverlay {...overlay} isDismissable className="modal-overlay">
      <Modal className={['modal', className].filter(Boolean).join(' ')}>
        <AriaDialog role={role} className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title" className="dialog__title">
                {title}
              </Heading>
              {typeof children === 'function' ? children(close) : children}
            </>
          )}
        </AriaDialog>
      </Modal>
    </ModalOverlay>
  );
}

export interface ConfirmDialogProps {
  /** The button that opens the dialog: a <Button>. Leave out to open it with `isOpen`. */
  trigger?: ReactElement;
  /** Controlled use (no trigger), e.g. to check a form before asking. */
  isOpen?: boolean;
  onOpenChange?: (isOpen: boolean) => void;
  title: string;
  /** What will happen, in plain words. */
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** 'danger' for what cannot be undone. */
  tone?: Extract<ButtonVariant, 'primary' | 'danger'>;
  onConfirm: () => void;
}

/**
 * Asks before doing what cannot be undone. Focus starts on the safe choice (Cancel); Escape
 * cancels; focus returns to the trigger when the dialog closes.
 */
export function ConfirmDialog({
  trigger,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  tone = 'primary',
  onConfirm,
  isOpen,
  onOpenChange,
}: ConfirmDialogProps) {
  const dialog = (
    <Dialog
      title={title}
      role="alertdialog"
      {...(trigger ? {} : { isOpen: Boolean(isOpen), ...(onOpenChange ? { onOpenChange } : {}) })}
    >
      {(close) => (
        <>
          <div className="dialog__body">{children}</div>
          <div className="dialog__actions">
            <Button variant="secondary" onPress={close} autoFocus>
              {cancelLabel}
            </Button>
            <Button
              variant={tone}
              onPress={() => {
                close();
                onConfirm();
              }}
            >
              {confirmLabel}
            </Button>
          </div>
        </>
      )}
    </Dialog>
  );
  if (!trigger) return dialog;
  return (
    <DialogTrigger>
      {trigger}
      {dialog}
    </DialogTrigger>
  );
}
