/** The workspace's name, time zone, currency and default country (admins change them). */
import { useMemo, useState } from 'react';
import { Alert, Button, Card, Grid, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconDeviceFloppy } from '@tabler/icons-react';
import { useCan, useWorkspace, type Workspace } from '../../../hooks/api/session';
import { useUpdateWorkspace } from '../../../hooks/api/settings';
import { ErrorBlock, errorMessage, Loading } from '../../../components/page';
import { makeFormatters } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { settingsMessages } from '../../../i18n/settings';

const COMMON_CURRENCIES = ['VND', 'USD', 'EUR', 'SGD', 'THB', 'JPY', 'KRW', 'CNY', 'AUD', 'GBP'];
const COMMON_COUNTRIES = ['VN', 'US', 'SG', 'TH', 'MY', 'ID', 'PH', 'JP', 'KR', 'CN', 'AU', 'GB', 'FR', 'DE'];

function supported(kind: 'timeZone' | 'currency'): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.(kind) ?? [];
  } catch {
    return [];
  }
}

export function WorkspaceTab() {
  const ws = useWorkspace();
  if (ws.isPending) return <Loading />;
  if (ws.isError) return <ErrorBlock error={ws.error} />;
  return <WorkspaceForm key={ws.data.id + ws.data.createdAt} ws={ws.data} />;
}

function WorkspaceForm({ ws }: { ws: Workspace }) {
  const t = useT(settingsMessages);
  const { locale } = useI18n();
  const can = useCan();
  const update = useUpdateWorkspace();
  const [name, setName] = useState(ws.name);
  const [timeZone, setTimeZone] = useState(ws.timeZone);
  const [currency, setCurrency] = useState(ws.currency);
  const [country, setCountry] = useState(ws.defaultCountry);

  const zones = useMemo(() => {
    const all = supported('timeZone');
    return [...new Set(['Asia/Ho_Chi_Minh', ws.timeZone, ...all])];
  }, [ws.timeZone]);
  const currencies = useMemo(() => {
    const names = new Intl.DisplayNames([locale], { type: 'currency' });
    const all = [...new Set([...COMMON_CURRENCIES, ws.currency, ...supported('currency')])];
    return all.map((c) => ({ value: c, label: `${c} — ${names.of(c) ?? c}` }));
  }, [locale, ws.currency]);
  const countries = useMemo(() => {
    const names = new Intl.DisplayNames([locale], { type: 'region' });
    const codes = [...new Set([...COMMON_COUNTRIES, ws.defaultCountry])];
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const n = names.of(code);
        if (n && n !== code && !codes.includes(code)) codes.push(code);
      }
    return codes.map((c) => ({ value: c, label: `${names.of(c) ?? c} (${c})` }));
  }, [locale, ws.defaultCountry]);

  const changed = name.trim() !== ws.name || timeZone !== ws.timeZone || currency !== ws.currency || country !== ws.defaultCountry;
  const preview = useMemo(() => makeFormatters(locale, timeZone, currency), [locale, timeZone, currency]);
  const readOnly = !can.settings;

  const save = async () => {
    try {
      await update.mutateAsync({
        ...(name.trim() !== ws.name ? { name: name.trim() } : {}),
        ...(timeZone !== ws.timeZone ? { timeZone } : {}),
        ...(currency !== ws.currency ? { currency } : {}),
        ...(country !== ws.defaultCountry ? { defaultCountry: country } : {}),
      });
      notifications.show({ color: 'green', message: t('workspaceSaved') });
    } catch (e) {
      notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) });
    }
  };

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Card withBorder radius="md" padding="lg">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
            data-testid="workspace-form"
          >
            <Stack>
              <Title order={4}>{t('workspaceSection')}</Title>
              {readOnly && (
                <Alert color="yellow" variant="light">
                  {t('adminOnly')}
                </Alert>
              )}
              <TextInput label={t('workspaceName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required disabled={readOnly} data-testid="workspace-name-input" />
              <Select label={t('timeZone')} description={t('timeZoneHint')} data={zones} value={timeZone} onChange={(v) => v && setTimeZone(v)} searchable allowDeselect={false} disabled={readOnly} data-testid="workspace-timezone" />
              <Select label={t('currency')} data={currencies} value={currency} onChange={(v) => v && setCurrency(v)} searchable allowDeselect={false} disabled={readOnly} />
              {currency !== ws.currency && (
                <Alert color="orange" variant="light" icon={<IconAlertTriangle size={16} />}>
                  {t('currencyWarning')}
                </Alert>
              )}
              <Select label={t('defaultCountry')} description={t('defaultCountryHint')} data={countries} value={country} onChange={(v) => v && setCountry(v)} searchable allowDeselect={false} disabled={readOnly} />
              {update.error && <ErrorBlock error={update.error} />}
              <Group justify="flex-end">
                {changed && (
                  <Button
                    variant="default"
                    onClick={() => {
                      setName(ws.name);
                      setTimeZone(ws.timeZone);
                      setCurrency(ws.currency);
                      setCountry(ws.defaultCountry);
                    }}
                  >
                    {t('reset')}
                  </Button>
                )}
                {!readOnly && (
                  <Button type="submit" disabled={!changed || !name.trim()} loading={update.isPending} leftSection={<IconDeviceFloppy size={16} />} data-testid="workspace-save">
                    {t('save')}
                  </Button>
                )}
              </Group>
            </Stack>
          </form>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Card withBorder radius="md" padding="lg">
          <Stack gap="xs">
            <Title order={5}>{t('previewSection')}</Title>
            <Text size="sm" c="dimmed">
              {t('previewHint')}
            </Text>
            <Group justify="space-between">
              <Text size="sm">{t('previewMoney')}</Text>
              <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                {preview.money(currency === 'VND' ? 1250000 : 125000)}
              </Text>
            </Group>
            <Group justify="space-between">
              <Text size="sm">{t('previewNow')}</Text>
              <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                {preview.dateTime(new Date())}
              </Text>
            </Group>
            <Group justify="space-between">
              <Text size="sm">{t('workspaceId')}</Text>
              <Text size="xs" ff="monospace" c="dimmed">
                {ws.id}
              </Text>
            </Group>
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
