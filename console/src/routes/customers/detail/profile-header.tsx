/** The 360 header: avatar, name, tier, key identifiers, activity; export and erase. */
import { useState } from 'react';
import { Button, Card, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconId, IconMail, IconMapPin, IconPhone, IconTrash } from '@tabler/icons-react';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../../../components/page';
import { useCan } from '../../../hooks/api/session';
import { displayName, useDeleteProfile, useExportProfile, type Profile } from '../../../hooks/api/customers';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { customersMessages } from '../../../i18n/customers';
import { CustomerAvatar, TierBadge, traitText } from '../customer-bits';

/** Case- and accent-insensitive: "xoa" matches "XOÁ". */
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .trim()
    .toUpperCase();

function fileSlug(name: string): string {
  return fold(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'customer';
}

export function ProfileHeader({ profile }: { profile: Profile }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const can = useCan();
  const name = displayName(profile);
  const exporter = useExportProfile();
  const [confirming, setConfirming] = useState(false);

  const firstOf = (type: string) => profile.identifiers.find((i) => i.type === type)?.value;
  const email = traitText(profile.traits.email) ?? firstOf('email');
  const phone = traitText(profile.traits.phone) ?? firstOf('phone');
  const userId = firstOf('user_id');
  const city = traitText(profile.traits.city);
  const facts = [
    email && { icon: IconMail, text: email },
    phone && { icon: IconPhone, text: phone },
    userId && { icon: IconId, text: userId },
    city && { icon: IconMapPin, text: city },
  ].filter((x): x is { icon: typeof IconMail; text: string } => !!x);

  const doExport = () =>
    exporter.mutate(
      { id: profile.id, filename: `omni-${fileSlug(name)}-${new Date().toISOString().slice(0, 10)}.json` },
      {
        onSuccess: () => notifications.show({ color: 'teal', message: t('exportDone') }),
        onError: (e) => notifications.show({ color: 'red', title: t('exportFailed'), message: errorMessage(e) }),
      },
    );

  return (
    <Card withBorder radius="md" p="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
        <Group gap="md" wrap="nowrap" align="flex-start">
          <CustomerAvatar name={name} id={profile.id} size={64} />
          <Stack gap={6}>
            <Group gap="sm" align="center">
              <Title order={2} fw={650} data-testid="profile-name">
                {name}
              </Title>
              <TierBadge tier={profile.traits.tier} size="md" />
            </Group>
            {facts.length > 0 && (
              <Group gap="lg" wrap="wrap">
                {facts.map(({ icon: I, text }) => (
                  <Group key={text} gap={6} wrap="nowrap">
                    <I size={15} color="var(--mantine-color-dimmed)" />
                    <Text size="sm">{text}</Text>
                  </Group>
                ))}
              </Group>
            )}
            <Group gap="md" wrap="wrap">
              <Text size="xs" c="dimmed" title={f.dateTime(profile.firstSeenAt)}>
                {t('firstSeen', { when: f.date(profile.firstSeenAt) })}
              </Text>
              <Text size="xs" c="dimmed" title={f.dateTime(profile.lastSeenAt)}>
                {t('lastSeen', { when: f.relative(profile.lastSeenAt) })}
              </Text>
              <Text size="xs" c="dimmed">
                {profile.eventCount === 1 ? t('events_one') : t('events', { n: f.number(profile.eventCount) })}
              </Text>
              {profile.mergedProfileIds.length > 0 && (
                <Text size="xs" c="dimmed">
                  {t('mergedCount', { n: profile.mergedProfileIds.length + 1 })}
                </Text>
              )}
            </Group>
          </Stack>
        </Group>
        <Group gap="xs">
          {can.exportPersonalData && (
            <Button variant="default" leftSection={<IconDownload size={16} />} onClick={doExport} loading={exporter.isPending} data-testid="profile-export">
              {t('export')}
            </Button>
          )}
          {can.erase && (
            <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setConfirming(true)} data-testid="profile-delete">
              {t('delete')}
            </Button>
          )}
        </Group>
      </Group>
      {can.erase && <DeleteModal opened={confirming} onClose={() => setConfirming(false)} id={profile.id} name={name} />}
    </Card>
  );
}

function DeleteModal({ opened, onClose, id, name }: { opened: boolean; onClose: () => void; id: string; name: string }) {
  const t = useT(customersMessages);
  const navigate = useNavigate();
  const erase = useDeleteProfile();
  const [typed, setTyped] = useState('');
  const word = t('deleteWord');
  const ok = fold(typed) === fold(word);
  const close = () => {
    setTyped('');
    onClose();
  };
  const submit = () => {
    if (!ok) return;
    erase.mutate(id, {
      onSuccess: (r) => {
        notifications.show({ color: 'teal', message: t('deleted', { name, events: r.events }) });
        close();
        navigate('/customers');
      },
      onError: (e) => notifications.show({ color: 'red', title: t('deleteFailed'), message: errorMessage(e) }),
    });
  };
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={650}>{t('deleteTitle')}</Text>} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          <Text size="sm">{t('deleteBody', { name })}</Text>
          <TextInput
            label={t('deleteConfirmLabel', { word })}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            data-testid="profile-delete-confirm-input"
            autoComplete="off"
            data-autofocus
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              {t('cancel')}
            </Button>
            <Button type="submit" color="red" disabled={!ok} loading={erase.isPending} data-testid="profile-delete-confirm">
              {t('deleteConfirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
