/** Page furniture shared by every screen: title bar, empty state, error and loading blocks. */
import type { ReactNode } from 'react';
import { Alert, Center, Code, CopyButton, Button, Group, Loader, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import { ApiError } from '../lib/api';

export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end" mb="lg" wrap="wrap" gap="sm">
      <div>
        <Title order={2} fw={650}>
          {title}
        </Title>
        {description && (
          <Text c="dimmed" size="sm" mt={4}>
            {description}
          </Text>
        )}
      </div>
      {actions && <Group gap="xs">{actions}</Group>}
    </Group>
  );
}

/** What to do next when there is nothing to show yet. */
export function EmptyState({ title, description, icon, action, snippet }: { title: ReactNode; description?: ReactNode; icon?: ReactNode; action?: ReactNode; snippet?: string }) {
  return (
    <Paper withBorder radius="md" p="xl">
      <Stack align="center" gap="sm" maw={560} mx="auto" ta="center">
        <ThemeIcon size={48} radius="xl" variant="light" color="gray">
          {icon ?? <IconInbox size={26} />}
        </ThemeIcon>
        <Text fw={600} size="lg">
          {title}
        </Text>
        {description && (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        )}
        {snippet && <CodeSnippet code={snippet} />}
        {action}
      </Stack>
    </Paper>
  );
}

export function CodeSnippet({ code, copyLabel = 'Copy', copiedLabel = 'Copied' }: { code: string; copyLabel?: string; copiedLabel?: string }) {
  return (
    <Stack gap={6} w="100%" ta="left">
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {code}
      </Code>
      <CopyButton value={code}>
        {({ copied, copy }) => (
          <Button size="xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : 'blue'} onClick={copy} w="fit-content">
            {copied ? copiedLabel : copyLabel}
          </Button>
        )}
      </CopyButton>
    </Stack>
  );
}

export function Loading() {
  return (
    <Center py="xl">
      <Loader size="sm" />
    </Center>
  );
}

/** A failed request, with the server's message (and request id, to quote when reporting). */
export function ErrorBlock({ error }: { error: unknown }) {
  const msg = error instanceof Error ? error.message : String(error);
  const rid = error instanceof ApiError && typeof error.details.requestId === 'string' ? error.details.requestId : undefined;
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} my="md">
      {msg}
      {rid && (
        <Text size="xs" c="dimmed" mt={4}>
          request id {rid}
        </Text>
      )}
    </Alert>
  );
}

/** Mutation errors for notifications: the server's message. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
