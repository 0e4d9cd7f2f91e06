/** Confirm dialogs for changes that cannot be taken back lightly (end a promotion, revoke a key, delete a category…). */
import { useState, type ReactNode } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, type MantineSize } from '@mantine/core';
import { shellMessages } from '../i18n/shell';
import { useT } from '../lib/i18n';
import { errorMessage } from './page';

/** A button that asks first. `testId` names the button; the dialog's confirm button is `<testId>-confirm`. */
export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  color = 'blue',
  onConfirm,
  loading,
  testId,
  variant = 'light',
  size,
  leftSection,
}: {
  children: ReactNode;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  color?: string;
  onConfirm: () => Promise<unknown> | void;
  loading?: boolean;
  testId?: string;
  variant?: string;
  size?: MantineSize;
  leftSection?: ReactNode;
}) {
  const t = useT(shellMessages);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size={size} variant={variant} color={color} onClick={() => setOpen(true)} data-testid={testId} leftSection={leftSection}>
        {children}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={<Text fw={600}>{title}</Text>} centered>
        <Stack>
          <Text size="sm">{message}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t('cancel')}
            </Button>
            <Button
              color={color}
              loading={loading}
              data-testid={testId ? `${testId}-confirm` : undefined}
              onClick={async () => {
                try {
                  await onConfirm();
                } finally {
                  setOpen(false);
                }
              }}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A confirm dialog that stays open when the change fails and shows why (`error`: the mutation's error, null while none). */
export function ConfirmModal({
  opened,
  onClose,
  title,
  message,
  confirmLabel,
  onConfirm,
  loading,
  error,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  loading: boolean;
  error: unknown;
}) {
  const t = useT(shellMessages);
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>{title}</Text>} centered>
      <Text size="sm">{message}</Text>
      {error != null && (
        <Alert color="red" mt="sm">
          {errorMessage(error)}
        </Alert>
      )}
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onClose}>
          {t('cancel')}
        </Button>
        <Button color="red" loading={loading} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
