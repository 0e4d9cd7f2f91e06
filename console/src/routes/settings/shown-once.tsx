/**
 * Making something whose secret is shown once (a source's write key, an API token, an invite link):
 * the modal holds the form, then the secret with a copy button; while the secret shows, a click outside
 * does not close it, and only Done does.
 */
import type { ReactNode } from 'react';
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconShieldLock } from '@tabler/icons-react';
import { useT } from '../../lib/i18n';
import { settingsMessages } from '../../i18n/settings';

/** A secret shown once: monospace, copy button, and a warning it will not be shown again. */
export function SecretOnce({ value, testId }: { value: string; testId?: string }) {
  const t = useT(settingsMessages);
  return (
    <Stack gap={6}>
      <Alert color="orange" variant="light" icon={<IconShieldLock size={16} />}>
        {t('shownOnce')}
      </Alert>
      <Group gap="xs" wrap="nowrap">
        <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={testId}>
          {value}
        </Code>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button onClick={copy} color={copied ? 'teal' : 'blue'} variant={copied ? 'filled' : 'light'} data-testid={testId ? `${testId}-copy` : undefined}>
              {copied ? t('copied') : t('copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}

/** `shown` is what to show once it is made (null before): it gets the `shownSize` and a Done button; before that, `children` (the form). */
export function ShownOnceModal({
  title,
  shown,
  shownSize,
  onClose,
  doneTestId,
  children,
}: {
  title: string;
  shown: ReactNode | null;
  shownSize: string;
  onClose: () => void;
  doneTestId?: string;
  children: ReactNode;
}) {
  const t = useT(settingsMessages);
  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>{title}</Text>} size={shown ? shownSize : 'md'} centered closeOnClickOutside={!shown}>
      {shown ? (
        <Stack>
          {shown}
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid={doneTestId}>
              {t('done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        children
      )}
    </Modal>
  );
}

/** The form's Cancel and submit buttons. */
export function FormButtons({ onCancel, label, loading, disabled, icon, testId }: { onCancel: () => void; label: string; loading: boolean; disabled: boolean; icon?: ReactNode; testId: string }) {
  const t = useT(settingsMessages);
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {t('cancel')}
      </Button>
      <Button type="submit" loading={loading} disabled={disabled} leftSection={icon} data-testid={testId}>
        {label}
      </Button>
    </Group>
  );
}
