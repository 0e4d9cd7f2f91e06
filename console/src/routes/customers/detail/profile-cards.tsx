/** Side cards of the 360: channels used, identifiers, traits, merge history. */
import type { ReactNode } from 'react';
import { Badge, Card, Code, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconGitMerge } from '@tabler/icons-react';
import { ChannelIcon } from '../../../components/channels';
import { ErrorBlock, Loading } from '../../../components/page';
import { useMerges, type Profile } from '../../../hooks/api/customers';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { customersMessages } from '../../../i18n/customers';
import { useChannelName } from '../customer-bits';

export function SectionCard({ title, right, children, testId }: { title: ReactNode; right?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Card withBorder radius="md" p="lg" data-testid={testId}>
      <Group justify="space-between" mb="md" gap="sm" wrap="wrap">
        <Title order={4} fw={600}>
          {title}
        </Title>
        {right}
      </Group>
      {children}
    </Card>
  );
}

const ID_TYPES = ['user_id', 'email', 'phone', 'anonymous_id', 'zalo_id', 'messenger_psid', 'loyalty_card', 'device_id'] as const;
type KnownIdType = (typeof ID_TYPES)[number];
const isKnownIdType = (t: string): t is KnownIdType => (ID_TYPES as readonly string[]).includes(t);

export function useIdTypeLabel(): (type: string) => string {
  const t = useT(customersMessages);
  return (type) => (isKnownIdType(type) ? t(`idType_${type}`) : type);
}

export function ChannelsCard({ profile }: { profile: Profile }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const channelName = useChannelName();
  const entries = Object.entries(profile.channels).sort((a, b) => b[1].last.localeCompare(a[1].last));
  return (
    <SectionCard title={t('channelsUsed')}>
      {entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('noChannels')}
        </Text>
      ) : (
        <Stack gap="sm" data-testid="profile-channels">
          {entries.map(([key, use]) => (
            <Group key={key} gap="sm" wrap="nowrap" justify="space-between" data-testid="profile-channel" data-channel={key}>
              <Group gap="sm" wrap="nowrap">
                <ChannelIcon type={key} size={30} label={channelName(key)} />
                <div>
                  <Text size="sm" fw={600}>
                    {channelName(key)}
                  </Text>
                  <Text size="xs" c="dimmed" title={`${f.dateTime(use.first)} → ${f.dateTime(use.last)}`}>
                    {t('chFirst')} {f.date(use.first)} · {t('chLast')} {f.relative(use.last)}
                  </Text>
                </div>
              </Group>
              <Badge variant="light" color="gray" radius="sm" tt="none" title={t('chEvents')} style={{ flexShrink: 0 }}>
                {use.count === 1 ? t('events_one') : t('events', { n: f.number(use.count) })}
              </Badge>
            </Group>
          ))}
        </Stack>
      )}
    </SectionCard>
  );
}

export function IdentifiersCard({ profile }: { profile: Profile }) {
  const t = useT(customersMessages);
  const label = useIdTypeLabel();
  return (
    <SectionCard title={t('identifiers')}>
      <Text size="xs" c="dimmed" mb="sm">
        {t('identifiersHint')}
      </Text>
      <Table verticalSpacing={6} data-testid="profile-identifiers">
        <Table.Tbody>
          {profile.identifiers.map((i) => (
            <Table.Tr key={`${i.type}:${i.value}`}>
              <Table.Td w="40%">
                <Text size="xs" c="dimmed">
                  {label(i.type)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ wordBreak: 'break-all' }}>
                  {i.value}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </SectionCard>
  );
}

function traitValue(v: unknown): ReactNode {
  if (v === null || v === undefined) return <Text span c="dimmed">—</Text>;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return <Code>{JSON.stringify(v)}</Code>;
}

export function TraitsCard({ profile }: { profile: Profile }) {
  const t = useT(customersMessages);
  const entries = Object.entries(profile.traits).sort(([a], [b]) => a.localeCompare(b));
  return (
    <SectionCard title={t('traits')}>
      {entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('noTraits')}
        </Text>
      ) : (
        <Table verticalSpacing={6} data-testid="profile-traits">
          <Table.Tbody>
            {entries.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td w="40%">
                  <Text size="xs" c="dimmed" ff="monospace">
                    {k}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ wordBreak: 'break-word' }}>
                    {traitValue(v)}
                  </Text>
                  {profile.traitSources[k] === 'self_reported' && (
                    <Tooltip label={t('selfReportedHint')} withArrow multiline w={260}>
                      <Badge size="xs" variant="outline" color="gray" data-testid="trait-self-reported">
                        {t('selfReported')}
                      </Badge>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </SectionCard>
  );
}

export function MergesCard({ id }: { id: string }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const label = useIdTypeLabel();
  const merges = useMerges(id);
  return (
    <SectionCard title={t('tabMerges')} testId="profile-merges">
      {merges.isPending ? (
        <Loading />
      ) : merges.isError ? (
        <ErrorBlock error={merges.error} />
      ) : merges.data.data.length === 0 ? (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('mergesEmpty')}
          </Text>
          <Text size="xs" c="dimmed">
            {t('mergesBody')}
          </Text>
        </Stack>
      ) : (
        <Stack gap="md">
          {merges.data.data.map((m) => (
            <Group key={m.id} gap="sm" wrap="nowrap" align="flex-start">
              <IconGitMerge size={18} color="var(--mantine-color-violet-6)" style={{ flexShrink: 0, marginTop: 2 }} />
              <div style={{ minWidth: 0 }}>
                <Text size="sm">
                  {t('mergeFrom', { id: m.fromProfileId })} {t('mergeInto', { id: m.intoProfileId })}
                </Text>
                <Group gap={4} mt={4} wrap="wrap">
                  <Text size="xs" c="dimmed">
                    {t('mergeBecause')}
                  </Text>
                  {m.reason.identifiers.map((i) => (
                    <Badge key={`${i.type}:${i.value}`} size="xs" variant="light" radius="sm" tt="none">
                      {label(i.type)}: {i.value}
                    </Badge>
                  ))}
                </Group>
                <Text size="xs" c="dimmed" mt={2}>
                  {f.dateTime(m.mergedAt)}
                </Text>
              </div>
            </Group>
          ))}
        </Stack>
      )}
    </SectionCard>
  );
}
