/** Page furniture shared by every screen: title bar, empty state, error and loading blocks. */
import type { ReactNode } from 'react';
import { Alert, Center, Code, CopyButton, Button, Group, Loader, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import { ApiError } from '../lib/api';
import { currentLang, interpolate, useI18n } from '../lib/i18n';
import { errorMessages } from '../i18n/errors';

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
  useI18n(); // re-render in the new language
  const msg = errorMessage(error);
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

const STATED = new Set(['unauthorized', 'forbidden', 'cart_conflict', 'cart_empty', 'cart_closed', 'product_unavailable', 'promotion_unavailable', 'coupon_denied', 'price_changed', 'invalid_transition', 'rate_limited', 'internal', 'unavailable']);
const INVALID = new Set(['bad_request', 'invalid_json', 'invalid_body', 'validation_failed', 'invalid_field', 'unknown_sku', 'currency_mismatch', 'location_not_in_channel', 'payload_too_large']);

/**
 * A failed request in the user's language: the server's code in words, keeping the server's own
 * message where it names what is wrong (a field, a SKU). Also for notifications.
 */
export function errorMessage(error: unknown): string {
  const m = errorMessages[currentLang()];
  if (error instanceof TypeError) return m.network; // fetch could not reach the server
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const vars = { message: error.message, ...Object.fromEntries(Object.entries(error.details).map(([k, v]) => [k, String(v)])) };
  if (error.code === 'insufficient_stock' && 'sku' in error.details) return interpolate(m.insufficient_stock, vars);
  if (error.code === 'rate_limited' && 'retryAfter' in error.details) return interpolate(m.rate_limited_wait, vars);
  if (STATED.has(error.code)) return m[error.code as keyof typeof m];
  if (INVALID.has(error.code)) return interpolate(m.invalid, vars);
  if (error.code === 'not_found' || error.code.endsWith('_not_found')) return interpolate(m.not_found, vars);
  if (error.code === 'conflict' || error.code === 'duplicate_sku') return interpolate(m.conflict, vars);
  return error.message;
}
