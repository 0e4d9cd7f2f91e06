/**
 * Who and when: a list of conditions joined by "all" or "any", each of which may be negated.
 * Trees the list cannot show (groups inside groups, made through the API) are edited as JSON.
 */
import { ActionIcon, Alert, Button, Chip, Group, Menu, NumberInput, Paper, SegmentedControl, Select, Stack, Switch, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { IconCode, IconPlus, IconTrash } from '@tabler/icons-react';
import { TRAIT_OPS, type TraitOp } from '../../../hooks/api/promotions';
import { useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { CategoryMultiSelect, ChannelMultiSelect, ChannelTypeMultiSelect, MoneyInput, StoreMultiSelect } from './pickers';
import { emptyRow, LEAF_KINDS, type ConditionRow, type ConditionsDraft, type LeafKind, type Num } from './draft';

type ErrorFor = (field: string) => string | undefined;

const numChange = (set: (v: Num) => void) => (v: string | number) => set(v === '' ? '' : Number(v));

/** Monday first, as calendars in Vietnam are; values are the engine's 0 (Sunday) … 6. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

export function ConditionBuilder({ value, onChange, errorFor, timeZone }: { value: ConditionsDraft; onChange: (d: ConditionsDraft) => void; errorFor: ErrorFor; timeZone: string }) {
  const t = useT(promotionsMessages);
  const setRow = (key: number, patch: Partial<ConditionRow>) => onChange({ ...value, rows: value.rows.map((r) => (r.key === key ? { ...r, ...patch } : r)) });
  const add = (kind: LeafKind) => onChange({ ...value, rows: [...value.rows, emptyRow(kind)] });
  const rootError = errorFor('conditions');

  if (value.json !== null) {
    return (
      <Stack gap="xs">
        <Alert color="blue" variant="light" icon={<IconCode size={16} />}>
          {t('conditionsJsonHint')}
        </Alert>
        <Textarea
          value={value.json}
          onChange={(e) => onChange({ ...value, json: e.currentTarget.value })}
          autosize
          minRows={6}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
          error={rootError ?? errorFor('conditionsJson')}
        />
        <Button variant="subtle" size="xs" w="fit-content" color="red" onClick={() => onChange({ mode: 'all', rows: [], json: null })}>
          {t('conditionsReset')}
        </Button>
      </Stack>
    );
  }

  const addMenu = (
    <Menu shadow="md" width={280} position="bottom-start">
      <Menu.Target>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} w="fit-content" data-testid="add-condition">
          {t('addCondition')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {LEAF_KINDS.map((k) => (
          <Menu.Item key={k} onClick={() => add(k)} data-testid={`add-condition-${k}`}>
            <Text size="sm">{t(`cond_${k}`)}</Text>
            <Text size="xs" c="dimmed">
              {t(`condHint_${k}`)}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );

  return (
    <Stack gap="sm">
      {value.rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('noConditions')}
        </Text>
      ) : (
        value.rows.length > 1 && (
          <Group gap="xs">
            <Text size="sm">{t('matchPrefix')}</Text>
            <SegmentedControl
              size="xs"
              value={value.mode}
              onChange={(mode) => onChange({ ...value, mode: mode as 'all' | 'any' })}
              data={[
                { value: 'all', label: t('matchAll') },
                { value: 'any', label: t('matchAny') },
              ]}
              data-testid="conditions-mode"
            />
            <Text size="sm">{t('matchSuffix')}</Text>
          </Group>
        )
      )}
      {value.rows.map((row, i) => {
        const base = `conditions.${value.mode}[${i}]${row.negate ? '.not' : ''}.${row.kind}`;
        const rowError = errorFor(`conditions.${value.mode}[${i}]`);
        return (
          <Paper key={row.key} withBorder radius="md" p="sm" data-testid="condition-row" data-kind={row.kind}>
            <Group justify="space-between" align="center" mb={needsEditor(row.kind) ? 'xs' : 0} wrap="nowrap">
              <Group gap="xs">
                {i > 0 && (
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase">
                    {value.mode === 'all' ? t('and') : t('or')}
                  </Text>
                )}
                <Select
                  size="xs"
                  w={240}
                  value={row.kind}
                  allowDeselect={false}
                  data={LEAF_KINDS.map((k) => ({ value: k, label: t(`cond_${k}`) }))}
                  onChange={(k) => k && setRow(row.key, { ...emptyRow(k as LeafKind), key: row.key, negate: row.negate })}
                />
              </Group>
              <Group gap="xs" wrap="nowrap">
                <Switch size="xs" label={t('negate')} checked={row.negate} onChange={(e) => setRow(row.key, { negate: e.currentTarget.checked })} />
                <ActionIcon variant="subtle" color="red" onClick={() => onChange({ ...value, rows: value.rows.filter((r) => r.key !== row.key) })} aria-label={t('removeCondition')}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            </Group>
            <RowEditor row={row} set={(patch) => setRow(row.key, patch)} errorFor={(suffix) => errorFor(`${base}${suffix}`)} timeZone={timeZone} />
            {rowError && (
              <Text c="red" size="xs" mt={4}>
                {rowError}
              </Text>
            )}
          </Paper>
        );
      })}
      {rootError && (
        <Text c="red" size="xs">
          {rootError}
        </Text>
      )}
      {addMenu}
    </Stack>
  );
}

const needsEditor = (k: LeafKind) => k !== 'firstOrder' && k !== 'birthdayMonth';

function RowEditor({ row, set, errorFor, timeZone }: { row: ConditionRow; set: (p: Partial<ConditionRow>) => void; errorFor: (suffix: string) => string | undefined; timeZone: string }) {
  const t = useT(promotionsMessages);
  switch (row.kind) {
    case 'channel':
      return <ChannelMultiSelect value={row.ids} onChange={(ids) => set({ ids })} error={errorFor('.in')} />;
    case 'channelType':
      return <ChannelTypeMultiSelect value={row.ids} onChange={(ids) => set({ ids })} error={errorFor('.in')} />;
    case 'schedule':
      return (
        <Stack gap="xs">
          <Chip.Group multiple value={row.days.map(String)} onChange={(v) => set({ days: v.map(Number) })}>
            <Group gap={6}>
              {WEEK.map((d) => (
                <Chip key={d} value={String(d)} size="xs">
                  {t(`day_${d}` as 'day_0')}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          <Group gap="sm" align="flex-start">
            <NumberInput size="xs" label={t('fromHour')} value={row.fromHour} onChange={numChange((v) => set({ fromHour: v }))} min={0} max={23} allowDecimal={false} suffix=":00" w={120} error={errorFor('.fromHour')} />
            <NumberInput size="xs" label={t('toHour')} value={row.toHour} onChange={numChange((v) => set({ toHour: v }))} min={1} max={24} allowDecimal={false} suffix=":00" w={120} error={errorFor('.toHour')} />
          </Group>
          <Text size="xs" c="dimmed">
            {t('scheduleHint', { tz: timeZone })}
          </Text>
          {errorFor('.daysOfWeek') && (
            <Text c="red" size="xs">
              {errorFor('.daysOfWeek')}
            </Text>
          )}
        </Stack>
      );
    case 'tier':
      return <TagsInput size="xs" placeholder={t('tierPlaceholder')} value={row.list} onChange={(list) => set({ list })} data={['silver', 'gold', 'platinum', 'vip']} error={errorFor('.in')} />;
    case 'firstOrder':
    case 'birthdayMonth':
      return null;
    case 'boughtCategory':
      return (
        <Group align="flex-start" grow>
          <CategoryMultiSelect label="" value={row.ids} onChange={(ids) => set({ ids })} error={errorFor('.categoryIds')} />
          <NumberInput size="sm" placeholder={t('withinDays')} value={row.withinDays} onChange={numChange((v) => set({ withinDays: v }))} min={1} max={3650} allowDecimal={false} suffix={` ${t('days')}`} maw={180} error={errorFor('.withinDays')} />
        </Group>
      );
    case 'totalSpent':
    case 'cartSubtotal':
      return <MoneyInput size="xs" placeholder={t('atLeast')} leftSection={<Text size="xs">≥</Text>} value={row.amount} onChange={(amount) => set({ amount })} maw={260} error={errorFor('.gte')} />;
    case 'orderCount':
      return <NumberInput size="xs" leftSection={<Text size="xs">≥</Text>} value={row.amount} onChange={numChange((amount) => set({ amount }))} min={0} allowDecimal={false} suffix={` ${t('ordersUnit')}`} maw={200} error={errorFor('.gte')} />;
    case 'lastStore':
      return <StoreMultiSelect value={row.ids} onChange={(ids) => set({ ids })} error={errorFor('.in')} />;
    case 'trait':
      return (
        <Group align="flex-start" gap="xs" wrap="wrap">
          <TextInput size="xs" placeholder={t('traitKey')} value={row.traitKey} onChange={(e) => set({ traitKey: e.currentTarget.value })} w={180} error={errorFor('.key')} />
          <Select size="xs" w={160} value={row.op} allowDeselect={false} data={TRAIT_OPS.map((op) => ({ value: op, label: t(`op_${op}`) }))} onChange={(op) => op && set({ op: op as TraitOp })} error={errorFor('.op')} />
          {row.op === 'in' || row.op === 'not_in' ? (
            <TagsInput size="xs" placeholder={t('traitValues')} value={row.list} onChange={(list) => set({ list })} miw={220} style={{ flex: 1 }} error={errorFor('.value')} />
          ) : row.op === 'exists' ? null : (
            <TextInput size="xs" placeholder={t('traitValue')} value={row.text} onChange={(e) => set({ text: e.currentTarget.value })} miw={200} style={{ flex: 1 }} error={errorFor('.value')} />
          )}
        </Group>
      );
    default:
      return null;
  }
}
