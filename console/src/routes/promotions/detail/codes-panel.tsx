/** Codes of a promotion: one shared code or a batch of unique single-use codes; list and CSV export. */
import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Card, Code, CopyButton, Grid, Group, Modal, NumberInput, Pagination, Paper, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconSearch, IconTicket } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { codesCsvUrl, useCreateCodes, usePromotionCodes, type Promotion } from '../../../hooks/api/promotions';
import { useCan } from '../../../hooks/api/session';
import { EmptyState, ErrorBlock, Loading } from '../../../components/page';
import { useFormat } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { fieldOf, localizedReason } from '../form/draft';

const PAGE = 50;

export function CodesPanel({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const can = useCan();
  if (!p.requiresCode) {
    return (
      <EmptyState
        icon={<IconTicket size={26} />}
        title={t('codesAutomaticTitle')}
        description={t('codesAutomatic')}
        action={
          can.promotions &&
          p.status !== 'ended' && (
            <Button component={Link} to={`/promotions/${p.id}/edit`} variant="light">
              {t('edit')}
            </Button>
          )
        }
      />
    );
  }
  return (
    <Grid gap="lg">
      {can.promotions && p.status !== 'ended' && (
        <Grid.Col span={{ base: 12, md: 4 }}>
          <CreateCodes p={p} />
        </Grid.Col>
      )}
      <Grid.Col span={{ base: 12, md: can.promotions && p.status !== 'ended' ? 8 : 12 }}>
        <CodeList p={p} />
      </Grid.Col>
    </Grid>
  );
}

function CreateCodes({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const can = useCan();
  const { lang } = useI18n();
  const f = useFormat();
  const create = useCreateCodes(p.id);
  const [mode, setMode] = useState<'shared' | 'batch'>('shared');
  const [code, setCode] = useState('');
  const [count, setCount] = useState<number | ''>(100);
  const [prefix, setPrefix] = useState('');
  const [length, setLength] = useState<number | ''>(8);
  const [maxUses, setMaxUses] = useState<number | ''>('');
  const [made, setMade] = useState<{ batchId: string | null; codes: string[] } | null>(null);
  const field = fieldOf(create.error);
  const err = (name: string) => (create.error && field === name ? localizedReason(create.error, lang) : undefined);

  const submit = async () => {
    try {
      const body =
        mode === 'shared'
          ? { code: code.trim(), ...(maxUses !== '' ? { maxUses } : {}) }
          : { count: count === '' ? 0 : count, ...(prefix.trim() ? { prefix: prefix.trim() } : {}), ...(length !== '' ? { length } : {}), ...(maxUses !== '' ? { maxUses } : {}) };
      const res = await create.mutateAsync(body);
      if (mode === 'shared') {
        notifications.show({ color: 'green', message: t('codeCreated', { code: res.codes[0] ?? code }) });
        setCode('');
      } else setMade(res);
    } catch {
      /* shown under the form */
    }
  };

  return (
    <Card withBorder radius="md" padding="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        data-testid="codes-form"
      >
        <Stack>
          <Title order={5}>{t('addCodes')}</Title>
          <SegmentedControl
            fullWidth
            value={mode}
            onChange={(v) => {
              setMode(v as 'shared' | 'batch');
              setMaxUses('');
              create.reset();
            }}
            data={[
              { value: 'shared', label: t('sharedCode') },
              { value: 'batch', label: t('uniqueCodes') },
            ]}
            data-testid="codes-mode"
          />
          <Text size="xs" c="dimmed">
            {mode === 'shared' ? t('sharedCodeHint') : t('uniqueCodesHint')}
          </Text>
          {mode === 'shared' ? (
            <TextInput label={t('code')} placeholder="TET2027" value={code} onChange={(e) => setCode(e.currentTarget.value.toUpperCase())} required error={err('code')} data-testid="code-input" />
          ) : (
            <>
              <NumberInput label={t('codeCount')} value={count} onChange={(v) => setCount(v === '' ? '' : Number(v))} min={1} max={100000} allowDecimal={false} required error={err('count')} data-testid="code-count" />
              <Group grow>
                <TextInput label={t('codePrefix')} placeholder="VIP-" value={prefix} onChange={(e) => setPrefix(e.currentTarget.value.toUpperCase())} error={err('prefix')} />
                <NumberInput label={t('codeLength')} value={length} onChange={(v) => setLength(v === '' ? '' : Number(v))} min={6} max={24} allowDecimal={false} error={err('length')} />
              </Group>
            </>
          )}
          <NumberInput
            label={t('maxUsesPerCode')}
            description={mode === 'shared' ? t('maxUsesSharedHint') : t('maxUsesBatchHint')}
            value={maxUses}
            onChange={(v) => setMaxUses(v === '' ? '' : Number(v))}
            min={1}
            allowDecimal={false}
            error={err('maxUses')}
          />
          {create.error && !field && (
            <Alert color="red" variant="light">
              {localizedReason(create.error, lang)}
            </Alert>
          )}
          {create.error && field && !['code', 'count', 'prefix', 'length', 'maxUses'].includes(field) && (
            <Alert color="red" variant="light">
              {localizedReason(create.error, lang)}
            </Alert>
          )}
          <Button type="submit" loading={create.isPending} data-testid="codes-create">
            {mode === 'shared' ? t('createCode') : t('generateCodes', { n: f.number(count === '' ? 0 : count) })}
          </Button>
        </Stack>
      </form>
      <Modal opened={made !== null} onClose={() => setMade(null)} title={<Text fw={600}>{t('batchReady', { n: f.number(made?.codes.length ?? 0) })}</Text>} size="lg" centered>
        {made && (
          <Stack>
            <Text size="sm">{t('batchReadyHint')}</Text>
            <Code block style={{ maxHeight: 220, overflow: 'auto' }} data-testid="batch-codes">
              {made.codes.slice(0, 30).join('\n')}
              {made.codes.length > 30 ? `\n… (+${f.number(made.codes.length - 30)})` : ''}
            </Code>
            <Group justify="flex-end">
              <CopyButton value={made.codes.join('\n')}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy} color={copied ? 'teal' : undefined}>
                    {copied ? t('copied') : t('copyAll')}
                  </Button>
                )}
              </CopyButton>
              {can.exportCodes && (
                <Button component="a" href={codesCsvUrl(p.id, made.batchId)} download leftSection={<IconDownload size={16} />}>
                  {t('downloadCsv')}
                </Button>
              )}
            </Group>
          </Stack>
        )}
      </Modal>
    </Card>
  );
}

function CodeList({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const f = useFormat();
  const can = useCan();
  const codes = usePromotionCodes(p.id);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const filtered = useMemo(() => {
    const needle = q.trim().toUpperCase();
    return (codes.data ?? []).filter((c) => !needle || c.code.includes(needle));
  }, [codes.data, q]);
  if (codes.isPending) return <Loading />;
  if (codes.isError) return <ErrorBlock error={codes.error} />;
  if (codes.data.length === 0) {
    return <EmptyState icon={<IconTicket size={26} />} title={t('noCodesTitle')} description={t('noCodes')} />;
  }
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE));
  const shown = filtered.slice((page - 1) * PAGE, page * PAGE);
  const batches = new Set(codes.data.map((c) => c.batchId).filter(Boolean)).size;
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            {t('codesSummary', { n: f.number(codes.data.length), batches: f.number(batches) })}
          </Text>
        </Group>
        <Group gap="xs">
          <TextInput
            size="xs"
            leftSection={<IconSearch size={14} />}
            placeholder={t('searchCode')}
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              setPage(1);
            }}
          />
          {can.exportCodes && (
            <Button size="xs" variant="light" component="a" href={codesCsvUrl(p.id)} download leftSection={<IconDownload size={14} />} data-testid="codes-export">
              {t('exportCsv')}
            </Button>
          )}
        </Group>
      </Group>
      {codes.data.some((c) => c.masked) && (
        <Alert color="gray" variant="light" data-testid="codes-masked">
          {t('codesMasked')}
        </Alert>
      )}
      <Paper withBorder radius="md">
        <Table verticalSpacing="xs" horizontalSpacing="md" data-testid="codes-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('code')}</Table.Th>
              <Table.Th>{t('codeKind')}</Table.Th>
              <Table.Th ta="right">{t('codeUses')}</Table.Th>
              <Table.Th>{t('createdAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((c, i) => (
              <Table.Tr key={c.masked ? `${c.code}:${c.createdAt}:${i}` : c.code} data-testid="code-row">
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text ff="monospace" size="sm" fw={600}>
                      {c.code}
                    </Text>
                    {!c.masked && (
                      <CopyButton value={c.code}>
                        {({ copied, copy }) => (
                          <Button size="compact-xs" variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy}>
                            {copied ? t('copied') : t('copy')}
                          </Button>
                        )}
                      </CopyButton>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {c.batchId ? (
                    <Badge variant="light" color="violet" tt="none">
                      {t('batch')} {c.batchId.slice(-6)}
                    </Badge>
                  ) : (
                    <Badge variant="light" color="blue" tt="none">
                      {t('sharedCode')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }} c={c.maxUses !== null && c.uses >= c.maxUses ? 'red' : undefined}>
                    {f.number(c.uses)} / {c.maxUses === null ? '∞' : f.number(c.maxUses)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{f.dateTime(c.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} size="sm" />}
    </Stack>
  );
}
