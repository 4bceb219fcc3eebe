import * as React from 'react';
import { Button, Dialog } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { useT } from '../utils/api';

/**
 * The question asked before a destructive action (delete, revoke) on `subject`: a title, a body,
 * Cancel and a danger button. It is open while there is a subject, and its content exists only
 * then, so the title and the body read the subject as it was when the question was asked.
 */
export const ConfirmDialog = <T,>({
  subject,
  onClose,
  title,
  children,
  confirmLabel,
  onConfirm,
  disabled,
  closeOnConfirm = false,
}: {
  subject: T | null;
  onClose: () => void;
  title: (subject: T) => React.ReactNode;
  children: (subject: T) => React.ReactNode;
  confirmLabel: string;
  onConfirm: (subject: T) => void;
  disabled?: boolean;
  /** Close as soon as the action starts; otherwise the caller closes it once the action succeeded. */
  closeOnConfirm?: boolean;
}) => {
  const t = useT();
  const content = (current: T) => {
    const confirm = (
      <Button
        fullWidth
        variant="danger-light"
        disabled={disabled}
        onClick={() => onConfirm(current)}
      >
        {confirmLabel}
      </Button>
    );
    return (
      <Dialog.Content>
        <Dialog.Header>{title(current)}</Dialog.Header>
        <Dialog.Body icon={<WarningCircle fill="danger600" />}>{children(current)}</Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button fullWidth variant="tertiary">
              {t('common.cancel', 'Cancel')}
            </Button>
          </Dialog.Cancel>
          {closeOnConfirm ? <Dialog.Action>{confirm}</Dialog.Action> : confirm}
        </Dialog.Footer>
      </Dialog.Content>
    );
  };
  return (
    <Dialog.Root open={subject !== null} onOpenChange={(open: boolean) => !open && onClose()}>
      {subject !== null ? content(subject) : null}
    </Dialog.Root>
  );
};
