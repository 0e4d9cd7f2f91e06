/** Change the stock of one SKU at one location: add/remove units or set a counted number, with a reason. */
import { useEffect, useState } from 'react';
import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ADJUST_REASONS, useAdjustStock, useAvailability } from '../../../hooks/api/inventory';
import { catalogMessages } from '../../../i18n/catalog';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { errorMessage } from '../../../components/page';

type Mode = 'delta' | 'count';

export function AdjustStockModal({
  target,
  locations,
  threshold,
  onClose,
}: {
  target: { sku: string; locationId?: string } | null;
  locations: { id: string; name: string }[];
  threshold: number;
  onClose: () => void;
}) {
  const t = useT(catalogMessages);
  const f = useFormat();
  const availability = useAvailability(target?.sku);
  const adjust = useAdjustStock();
  const [locationId, setLocationId] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('delta');
  const [quantity, setQuantity] = useState<number | string>('');
  const [reason, setReason] = useState<string>('received');
  const [reasonTouched, setReasonTouched] = useState(false);
  const [note, setNote] = useState('');
  const [lowAt, setLowAt] = useState<number | string>('');

  useEffect(() => {
    if (!target) return;
    setLocationId(target.locationId ?? locations[0]?.id ?? null);
    setMode('delta');
    setQuantity('');
    setReason('received');
    setReasonTouched(false);
    setNote('');
    adjust.reset();
  }, [target]); // a new target starts a fresh form

  const level = availability.data?.locations.find((l) => l.locationId === locationId);
  useEffect(() => setLowAt(level?.lowStockThreshold ?? ''), [level?.lowStockThreshold, locationId]);

  const n = typeof quantity === 'number' ? quantity : NaN;
  const onHand = level?.onHand ?? 0;
  const after = Number.isFinite(n) ? (mode === 'count' ? n : onHand + n) : undefined;
  const newThreshold = lowAt === '' ? null : Number(lowAt);
  const thresholdChanged = newThreshold !== (level?.lowStockThreshold ?? null);
  const valid = !!locationId && ((Number.isFinite(n) && (mode === 'count' || n !== 0)) || (quantity === '' && thresholdChanged));

  const submit = () => {
    if (!target || !locationId) return;
    adjust.mutate(
      {
        sku: target.sku,
        locationId,
        ...(Number.isFinite(n) ? (mode === 'count' ? { count: n } : { delta: n }) : {}),
        reason: mode === 'count' && Number.isFinite(n) ? 'stock_take' : reason,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(thresholdChanged ? { lowStockThreshold: newThreshold } : {}),
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('adjusted', { sku: target.sku }) });
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened={!!target} onClose={onClose} title={<Text fw={600}>{t('adjustTitle', { sku: target?.sku ?? '' })}</Text>} size="md" centered>
      <Stack gap="sm">
        <Select label={t('location')} data={locations.map((l) => ({ value: l.id, label: l.name }))} value={locationId} onChange={setLocationId} allowDeselect={false} />
        {locationId && (
          <Text size="sm" c="dimmed">
            {t('currentAt', { onHand: f.number(level?.onHand ?? 0), reserved: f.number(level?.reserved ?? 0), available: f.number(level?.available ?? 0) })}
          </Text>
        )}
        <SegmentedControl
          fullWidth
          value={mode}
          onChange={(v) => {
            setMode(v as Mode);
            if (v === 'count') setReason('stock_take');
          }}
          data={[
            { value: 'delta', label: t('modeDelta') },
            { value: 'count', label: t('modeCount') },
          ]}
        />
        <NumberInput
          label={mode === 'count' ? t('count') : t('delta')}
          description={mode === 'delta' ? t('deltaHint') : undefined}
          value={quantity}
          onChange={(v) => {
            setQuantity(v);
            // Until the user picks a reason: receiving for additions, a correction for removals.
            if (mode === 'delta' && !reasonTouched && typeof v === 'number') setReason(v < 0 ? 'correction' : 'received');
          }}
          allowDecimal={false}
          min={mode === 'count' ? 0 : undefined}
          thousandSeparator="."
          decimalSeparator=","
          data-autofocus
        />
        {after !== undefined && (
          <Text size="sm" c={after < 0 ? 'red' : 'dimmed'}>
            {t('after', { n: f.number(after) })}
          </Text>
        )}
        <Select
          label={t('reason')}
          data={ADJUST_REASONS.map((r) => ({ value: r, label: t(`reason_${r}`) }))}
          value={reason}
          onChange={(v) => {
            setReason(v ?? 'correction');
            setReasonTouched(true);
          }}
          allowDeselect={false}
          disabled={mode === 'count'}
        />
        <Textarea label={t('note')} placeholder={t('notePlaceholder')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} maxLength={2000} />
        <NumberInput label={t('threshold')} description={t('thresholdHint', { n: threshold })} value={lowAt} onChange={setLowAt} min={0} allowDecimal={false} />
        {adjust.isError && (
          <Alert color="red" title={t('adjustFailed')}>
            {errorMessage(adjust.error)}
          </Alert>
        )}
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button onClick={submit} disabled={!valid} loading={adjust.isPending}>
            {t('save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
