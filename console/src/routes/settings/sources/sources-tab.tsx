/**
 * Sources (where events come from, each with a write key) and admin API tokens. Secrets are
 * shown once, right after they are made, with a copy button and the snippet to paste.
 */
import { useState } from 'react';
import { Badge, Button, Card, Code, Group, NumberInput, Paper, ScrollArea, Select, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKey, IconPlugConnected, IconPlus } from '@tabler/icons-react';
import { useCan } from '../../../hooks/api/session';
import { SOURCE_CHANNELS, useApiTokens, useCreateApiToken, useCreateSource, useRevokeApiToken, useRevokeSource, useSources, type Source } from '../../../hooks/api/settings';
import { ChannelBadge, channelLook } from '../../../components/channels';
import { ConfirmButton } from '../../../components/confirm-button';
import { CodeSnippet, EmptyState, ErrorBlock, errorMessage, Loading } from '../../../components/page';
import { useFormat } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { settingsMessages } from '../../../i18n/settings';
import { FormButtons, SecretOnce, ShownOnceModal } from '../shown-once';

type SettingsT = ReturnType<typeof useT<keyof (typeof settingsMessages)['vi']>>;

/** Source channels without a look of their own (server, chat, other) get their own words. */
function channelLabel(channel: string, lang: 'vi' | 'en', t: SettingsT): string {
  const look = channelLook(channel);
  if (look !== channelLook(null)) return look.label[lang];
  return channel === 'server' || channel === 'chat' ? t(`channel_${channel}`) : t('channel_other');
}

function sdkSnippet(origin: string, writeKey: string, signInComment: string): string {
  return `<script src="${origin}/sdk/omni.js"></script>
<script>
  const omni = Omni.init({ host: '${origin}', writeKey: '${writeKey}' });
  omni.page();
  // ${signInComment}
  omni.identify('customer-123', { email: 'khach@example.vn', phone: '0912345678' });
  omni.track('Product Viewed', { sku: 'AO-THUN-01' });
  omni.cart.add('AO-THUN-01');
</script>`;
}

function httpSnippet(origin: string, writeKey: string): string {
  return `curl ${origin}/v1/track \\
  -u '${writeKey}:' \\
  -H 'content-type: application/json' \\
  -d '{"userId":"customer-123","event":"Order Completed","properties":{"order_id":"HD-1001","total":350000,"currency":"VND"}}'`;
}

function SnippetTabs({ writeKey, channel }: { writeKey: string; channel: string }) {
  const t = useT(settingsMessages);
  const origin = window.location.origin;
  const browser = channel === 'web' || channel === 'app' || channel === 'chat' || channel === 'chatbot';
  return (
    <Tabs defaultValue={browser ? 'sdk' : 'http'}>
      <Tabs.List>
        <Tabs.Tab value="sdk">{t('snippetSdk')}</Tabs.Tab>
        <Tabs.Tab value="http">{t('snippetHttp')}</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="sdk" pt="sm">
        <Text size="xs" c="dimmed" mb={6}>
          {t('snippetSdkHint')}
        </Text>
        <div data-testid="sdk-snippet">
          <CodeSnippet code={sdkSnippet(origin, writeKey, t('snippetSignIn'))} copyLabel={t('copy')} copiedLabel={t('copied')} />
        </div>
      </Tabs.Panel>
      <Tabs.Panel value="http" pt="sm">
        <Text size="xs" c="dimmed" mb={6}>
          {t('snippetHttpHint')}
        </Text>
        <CodeSnippet code={httpSnippet(origin, writeKey)} copyLabel={t('copy')} copiedLabel={t('copied')} />
      </Tabs.Panel>
    </Tabs>
  );
}

/** Revoke a write key or token, after a confirmation. */
function Revoke(props: { title: string; message: string; onConfirm: () => Promise<void>; loading: boolean; testId: string }) {
  const t = useT(settingsMessages);
  return (
    <ConfirmButton {...props} size="xs" variant="subtle" color="red" confirmLabel={t('revoke')}>
      {t('revoke')}
    </ConfirmButton>
  );
}

function StatusCell({ revokedAt, t, f }: { revokedAt: string | null; t: SettingsT; f: ReturnType<typeof useFormat> }) {
  return revokedAt ? (
    <Badge color="gray" variant="light" title={f.dateTime(revokedAt)}>
      {t('revoked')}
    </Badge>
  ) : (
    <Badge color="green" variant="light">
      {t('active')}
    </Badge>
  );
}

export function SourcesTab() {
  return (
    <Stack gap="xl">
      <SourcesSection />
      <TokensSection />
    </Stack>
  );
}

function SourcesSection() {
  const t = useT(settingsMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const can = useCan();
  const sources = useSources();
  const revoke = useRevokeSource();
  const [creating, setCreating] = useState(false);

  const doRevoke = async (s: Source) => {
    try {
      await revoke.mutateAsync(s.id);
      notifications.show({ color: 'green', message: t('sourceRevoked', { name: s.name }) });
    } catch (e) {
      notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) });
    }
  };

  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="md">
        <div>
          <Title order={4}>{t('sourcesSection')}</Title>
          <Text size="sm" c="dimmed">
            {t('sourcesHint')}
          </Text>
        </div>
        {can.settings && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="new-source">
            {t('newSource')}
          </Button>
        )}
      </Group>
      {sources.isPending ? (
        <Loading />
      ) : sources.isError ? (
        <ErrorBlock error={sources.error} />
      ) : sources.data.length === 0 ? (
        <EmptyState icon={<IconPlugConnected size={26} />} title={t('noSourcesTitle')} description={t('noSources')} />
      ) : (
        <ScrollArea>
          <Table verticalSpacing="sm" highlightOnHover data-testid="sources-table" miw={760}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sourceName')}</Table.Th>
                <Table.Th>{t('channel')}</Table.Th>
                <Table.Th>{t('writeKey')}</Table.Th>
                <Table.Th ta="right">{t('rateLimit')}</Table.Th>
                <Table.Th>{t('createdAt')}</Table.Th>
                <Table.Th>{t('status')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sources.data.map((s) => (
                <Table.Tr key={s.id} data-testid="source-row" data-id={s.id} style={{ opacity: s.revokedAt ? 0.6 : 1 }}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {s.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <ChannelBadge type={s.channel} name={channelLabel(s.channel, lang, t)} lang={lang} />
                  </Table.Td>
                  <Table.Td>
                    <Code>{s.writeKeyPrefix}…</Code>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm">{s.rateLimit === null ? t('noLimit') : t('perSecond', { n: f.number(s.rateLimit) })}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{f.date(s.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusCell revokedAt={s.revokedAt} t={t} f={f} />
                  </Table.Td>
                  <Table.Td ta="right">
                    {can.settings && !s.revokedAt && (
                      <Revoke
                        title={t('revokeSourceTitle')}
                        message={t('revokeSource', { name: s.name })}
                        onConfirm={() => doRevoke(s)}
                        loading={revoke.isPending}
                        testId="revoke-source"
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {creating && <CreateSourceModal onClose={() => setCreating(false)} />}
    </Card>
  );
}

function CreateSourceModal({ onClose }: { onClose: () => void }) {
  const t = useT(settingsMessages);
  const { lang } = useI18n();
  const create = useCreateSource();
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<string>('web');
  const [rateLimit, setRateLimit] = useState<number | ''>('');
  const made = create.data;
  return (
    <ShownOnceModal
      title={made ? t('sourceCreated', { name: made.source.name }) : t('newSource')}
      shown={
        made ? (
          <>
            <Text size="sm">{t('writeKeyOnce')}</Text>
            <SecretOnce value={made.writeKey} testId="write-key" />
            <SnippetTabs writeKey={made.writeKey} channel={made.source.channel} />
          </>
        ) : null
      }
      shownSize="xl"
      onClose={onClose}
      doneTestId="source-done"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), channel, ...(rateLimit !== '' ? { rateLimit } : {}) });
        }}
        data-testid="source-form"
      >
        <Stack>
          <TextInput label={t('sourceName')} placeholder={t('sourceNamePlaceholder')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus data-testid="source-name" />
          <Select
            label={t('channel')}
            description={t('sourceChannelHint')}
            data={SOURCE_CHANNELS.map((c) => ({ value: c, label: channelLabel(c, lang, t) }))}
            value={channel}
            onChange={(v) => v && setChannel(v)}
            allowDeselect={false}
            data-testid="source-channel"
          />
          <NumberInput label={t('rateLimit')} description={t('rateLimitHint')} value={rateLimit} onChange={(v) => setRateLimit(v === '' ? '' : Number(v))} min={1} allowDecimal={false} />
          {create.error && <ErrorBlock error={create.error} />}
          <FormButtons onCancel={onClose} label={t('createSource')} loading={create.isPending} disabled={!name.trim()} icon={<IconKey size={16} />} testId="source-create" />
        </Stack>
      </form>
    </ShownOnceModal>
  );
}

function TokensSection() {
  const t = useT(settingsMessages);
  const f = useFormat();
  const can = useCan();
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  const [creating, setCreating] = useState(false);
  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="md">
        <div>
          <Title order={4}>{t('tokensSection')}</Title>
          <Text size="sm" c="dimmed">
            {t('tokensHint')}
          </Text>
        </div>
        {can.settings && (
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="new-token">
            {t('newToken')}
          </Button>
        )}
      </Group>
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ErrorBlock error={tokens.error} />
      ) : tokens.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('noTokens')}
        </Text>
      ) : (
        <Paper>
          <ScrollArea>
            <Table verticalSpacing="sm" data-testid="tokens-table" miw={720}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('tokenName')}</Table.Th>
                  <Table.Th>{t('token')}</Table.Th>
                  <Table.Th>{t('createdAt')}</Table.Th>
                  <Table.Th>{t('lastUsed')}</Table.Th>
                  <Table.Th>{t('status')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.map((tok) => (
                  <Table.Tr key={tok.id} data-testid="token-row" style={{ opacity: tok.revokedAt ? 0.6 : 1 }}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {tok.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>{tok.tokenPrefix}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{f.date(tok.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{tok.lastUsedAt ? f.relative(tok.lastUsedAt) : t('never')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusCell revokedAt={tok.revokedAt} t={t} f={f} />
                    </Table.Td>
                    <Table.Td ta="right">
                      {can.settings && !tok.revokedAt && (
                        <Revoke
                          title={t('revokeTokenTitle')}
                          message={t('revokeToken', { name: tok.name })}
                          loading={revoke.isPending}
                          testId="revoke-token"
                          onConfirm={async () => {
                            try {
                              await revoke.mutateAsync(tok.id);
                              notifications.show({ color: 'green', message: t('tokenRevoked', { name: tok.name }) });
                            } catch (e) {
                              notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) });
                            }
                          }}
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      )}
      {creating && <CreateTokenModal onClose={() => setCreating(false)} />}
    </Card>
  );
}

function CreateTokenModal({ onClose }: { onClose: () => void }) {
  const t = useT(settingsMessages);
  const create = useCreateApiToken();
  const [name, setName] = useState('');
  const made = create.data;
  const origin = window.location.origin;
  return (
    <ShownOnceModal
      title={made ? t('tokenCreated', { name: made.token.name }) : t('newToken')}
      shown={
        made ? (
          <>
            <SecretOnce value={made.secret} testId="api-token" />
            <Text size="xs" c="dimmed">
              {t('tokenUsage')}
            </Text>
            <CodeSnippet code={`curl ${origin}/api/v1/workspace \\\n  -H 'Authorization: Bearer ${made.secret}'`} copyLabel={t('copy')} copiedLabel={t('copied')} />
          </>
        ) : null
      }
      shownSize="lg"
      onClose={onClose}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim() });
        }}
      >
        <Stack>
          <TextInput label={t('tokenName')} placeholder={t('tokenNamePlaceholder')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus data-testid="token-name" />
          <Text size="xs" c="dimmed">
            {t('tokenAdminWarning')}
          </Text>
          {create.error && <ErrorBlock error={create.error} />}
          <FormButtons onCancel={onClose} label={t('createToken')} loading={create.isPending} disabled={!name.trim()} testId="token-create" />
        </Stack>
      </form>
    </ShownOnceModal>
  );
}
