/** What the customer gets: one editor per kind of reward the engine knows. */
import { ActionIcon, Button, Checkbox, Group, NumberInput, Paper, SegmentedControl, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { REWARD_TYPES, type RewardType } from '../../../hooks/api/promotions';
import { useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { KindIcon, KIND_COLOR } from '../shared/look';
import { CategoryMultiSelect, MoneyInput, ProductMultiSelect, VariantMultiSelect, VariantSelect } from './pickers';
import { nextKey, type ItemSetDraft, type Num, type RewardDraft, type TargetDraft } from './draft';

type ErrorFor = (field: string) => string | undefined;

const numChange = (set: (v: Num) => void) => (v: string | number) => set(v === '' ? '' : Number(v));

export function KindPicker({ value, onChange }: { value: RewardType; onChange: (t: RewardType) => void }) {
  const t = useT(promotionsMessages);
  return (
    <SimpleGrid cols={{ base: 2, md: 3 }} spacing="sm">
      {REWARD_TYPES.map((type) => {
        const selected = type === value;
        return (
          <UnstyledButton key={type} onClick={() => onChange(type)} data-testid={`reward-type-${type}`} aria-pressed={selected}>
            <Paper
              withBorder
              radius="md"
              p="sm"
              h="100%"
              style={{
                borderColor: selected ? `var(--mantine-color-${KIND_COLOR[type]}-6)` : undefined,
                background: selected ? `var(--mantine-color-${KIND_COLOR[type]}-0)` : undefined,
                borderWidth: selected ? 2 : 1,
              }}
            >
              <Group gap="sm" wrap="nowrap" align="flex-start">
                <KindIcon type={type} size={30} />
                <div>
                  <Text fw={600} size="sm">
                    {t(`kind_${type}`)}
                  </Text>
                  <Text size="xs" c="dimmed" lh={1.3}>
                    {t(`kindHint_${type}`)}
                  </Text>
                </div>
              </Group>
            </Paper>
          </UnstyledButton>
        );
      })}
    </SimpleGrid>
  );
}

export function TargetPicker({ value, onChange, errorFor, field, allowOrderLabel }: { value: TargetDraft; onChange: (t: TargetDraft) => void; errorFor: ErrorFor; field: string; allowOrderLabel?: string }) {
  const t = useT(promotionsMessages);
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        {t('appliesTo')}
      </Text>
      <SegmentedControl
        value={value.scope}
        onChange={(scope) => onChange({ ...value, scope: scope as TargetDraft['scope'] })}
        data={[
          { value: 'order', label: allowOrderLabel ?? t('scope_order') },
          { value: 'products', label: t('scope_products') },
          { value: 'categories', label: t('scope_categories') },
        ]}
        data-testid={`${field}-scope`}
      />
      {value.scope === 'products' && (
        <ProductMultiSelect value={value.productIds} onChange={(productIds) => onChange({ ...value, productIds })} error={errorFor(`${field}.productIds`)} testId={`${field}-products`} />
      )}
      {value.scope === 'categories' && (
        <CategoryMultiSelect value={value.categoryIds} onChange={(categoryIds) => onChange({ ...value, categoryIds })} error={errorFor(`${field}.categoryIds`)} testId={`${field}-categories`} />
      )}
      {errorFor(`${field}.scope`) && (
        <Text c="red" size="xs">
          {errorFor(`${field}.scope`)}
        </Text>
      )}
    </Stack>
  );
}

function ItemSetPicker({ value, onChange, errorFor, field, label }: { value: ItemSetDraft; onChange: (s: ItemSetDraft) => void; errorFor: ErrorFor; field: string; label: string }) {
  const t = useT(promotionsMessages);
  const idsField = value.scope === 'products' ? 'productIds' : value.scope === 'categories' ? 'categoryIds' : 'variantIds';
  const error = errorFor(`${field}.${idsField}`) ?? errorFor(`${field}.scope`) ?? errorFor(field);
  const set = (ids: string[]) => onChange({ ...value, ids });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <SegmentedControl
          size="xs"
          value={value.scope}
          onChange={(scope) => onChange({ scope: scope as ItemSetDraft['scope'], ids: [] })}
          data={[
            { value: 'products', label: t('scope_products') },
            { value: 'categories', label: t('scope_categories') },
            { value: 'variants', label: t('scope_variants') },
          ]}
        />
      </Group>
      {value.scope === 'products' && <ProductMultiSelect label="" value={value.ids} onChange={set} error={error} testId={`${field}-products`} />}
      {value.scope === 'categories' && <CategoryMultiSelect label="" value={value.ids} onChange={set} error={error} testId={`${field}-categories`} />}
      {value.scope === 'variants' && <VariantMultiSelect label="" value={value.ids} onChange={set} error={error} testId={`${field}-variants`} />}
    </Stack>
  );
}

export function RewardEditor({ value, onChange, errorFor }: { value: RewardDraft; onChange: (r: RewardDraft) => void; errorFor: ErrorFor }) {
  const t = useT(promotionsMessages);
  const set = <K extends keyof RewardDraft>(key: K, v: RewardDraft[K]) => onChange({ ...value, [key]: v });

  switch (value.type) {
    case 'percentage':
      return (
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label={t('percentOff')}
              value={value.percent}
              onChange={numChange((v) => set('percent', v))}
              min={1}
              max={100}
              suffix="%"
              allowDecimal={false}
              required
              error={errorFor('reward.percent')}
              data-testid="reward-percent"
            />
            <MoneyInput label={t('maxDiscount')} placeholder={t('maxDiscountHint')} value={value.maxDiscount} onChange={(v) => set('maxDiscount', v)} error={errorFor('reward.maxDiscount')} />
          </SimpleGrid>
          <TargetPicker value={value.target} onChange={(v) => set('target', v)} errorFor={errorFor} field="reward.target" />
        </Stack>
      );
    case 'fixed':
      return (
        <Stack>
          <MoneyInput label={t('amountOff')} description={t('amountOffHint')} value={value.amount} onChange={(v) => set('amount', v)} required error={errorFor('reward.amount')} maw={320} data-testid="reward-amount" />
          <TargetPicker value={value.target} onChange={(v) => set('target', v)} errorFor={errorFor} field="reward.target" />
        </Stack>
      );
    case 'buy_x_get_y':
      return (
        <Stack>
          <Paper withBorder p="sm" radius="md">
            <Stack gap="xs">
              <ItemSetPicker label={t('buyItems')} value={value.buy} onChange={(v) => set('buy', v)} errorFor={errorFor} field="reward.buy.items" />
              <NumberInput label={t('buyQuantity')} value={value.buyQuantity} onChange={numChange((v) => set('buyQuantity', v))} min={1} max={1000} allowDecimal={false} maw={200} error={errorFor('reward.buy.quantity')} data-testid="reward-buy-quantity" />
            </Stack>
          </Paper>
          <Paper withBorder p="sm" radius="md">
            <Stack gap="xs">
              <Checkbox label={t('getSameItems')} checked={value.getSame} onChange={(e) => set('getSame', e.currentTarget.checked)} />
              {!value.getSame && <ItemSetPicker label={t('getItems')} value={value.get} onChange={(v) => set('get', v)} errorFor={errorFor} field="reward.get.items" />}
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <NumberInput label={t('getQuantity')} value={value.getQuantity} onChange={numChange((v) => set('getQuantity', v))} min={1} max={1000} allowDecimal={false} error={errorFor('reward.get.quantity')} data-testid="reward-get-quantity" />
                <NumberInput
                  label={t('getPercent')}
                  description={t('getPercentHint')}
                  value={value.getPercent}
                  onChange={numChange((v) => set('getPercent', v))}
                  min={1}
                  max={100}
                  suffix="%"
                  allowDecimal={false}
                  error={errorFor('reward.get.percent')}
                />
              </SimpleGrid>
            </Stack>
          </Paper>
          <NumberInput
            label={t('maxApplications')}
            description={t('maxApplicationsHint')}
            value={value.maxApplications}
            onChange={numChange((v) => set('maxApplications', v))}
            min={1}
            allowDecimal={false}
            maw={320}
            error={errorFor('reward.maxApplications')}
          />
        </Stack>
      );
    case 'tiered_spend':
      return (
        <Stack>
          <Stack gap="xs">
            <Text size="sm" fw={500}>
              {t('tiers')}
            </Text>
            <Text size="xs" c="dimmed">
              {t('tiersHint')}
            </Text>
            {value.tiers.map((tier, i) => {
              const setTier = (patch: Partial<typeof tier>) => set('tiers', value.tiers.map((x) => (x.key === tier.key ? { ...x, ...patch } : x)));
              const rowError = errorFor(`reward.tiers[${i}]`);
              return (
                <Paper key={tier.key} withBorder p="sm" radius="md" data-testid="tier-row">
                  <Group justify="space-between" mb={4}>
                    <Text size="sm" fw={600}>
                      {t('tierN', { n: i + 1 })}
                    </Text>
                    <ActionIcon variant="subtle" color="red" onClick={() => set('tiers', value.tiers.filter((x) => x.key !== tier.key))} disabled={value.tiers.length <= 1} aria-label={t('removeTier')}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Group>
                  <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
                    <MoneyInput label={t('minSpend')} value={tier.minSpend} onChange={(v) => setTier({ minSpend: v })} error={errorFor(`reward.tiers[${i}].minSpend`)} data-testid="tier-min-spend" />
                    <div>
                      <Text size="sm" fw={500} mb={4}>
                        {t('tierDiscountKind')}
                      </Text>
                      <SegmentedControl
                        fullWidth
                        value={tier.kind}
                        onChange={(k) => setTier({ kind: k as 'amount' | 'percent', value: '' })}
                        data={[
                          { value: 'amount', label: t('tierAmount') },
                          { value: 'percent', label: t('tierPercent') },
                        ]}
                      />
                    </div>
                    {tier.kind === 'amount' ? (
                      <MoneyInput label={t('amountOff')} value={tier.value} onChange={(v) => setTier({ value: v })} error={errorFor(`reward.tiers[${i}].amountOff`)} data-testid="tier-value" />
                    ) : (
                      <NumberInput
                        label={t('percentOff')}
                        value={tier.value}
                        onChange={numChange((v) => setTier({ value: v }))}
                        min={1}
                        max={100}
                        suffix="%"
                        allowDecimal={false}
                        error={errorFor(`reward.tiers[${i}].percentOff`)}
                        data-testid="tier-value"
                      />
                    )}
                  </SimpleGrid>
                  {rowError && (
                    <Text c="red" size="xs" mt={4}>
                      {rowError}
                    </Text>
                  )}
                </Paper>
              );
            })}
            {errorFor('reward.tiers') && (
              <Text c="red" size="xs">
                {errorFor('reward.tiers')}
              </Text>
            )}
            <Button
              variant="light"
              leftSection={<IconPlus size={14} />}
              w="fit-content"
              size="xs"
              disabled={value.tiers.length >= 20}
              onClick={() => set('tiers', [...value.tiers, { key: nextKey(), minSpend: '', kind: value.tiers.at(-1)?.kind ?? 'amount', value: '' }])}
            >
              {t('addTier')}
            </Button>
          </Stack>
          <TargetPicker value={value.target} onChange={(v) => set('target', v)} errorFor={errorFor} field="reward.target" allowOrderLabel={t('scope_orderDefault')} />
        </Stack>
      );
    case 'free_shipping':
      return (
        <Stack>
          <MoneyInput label={t('shippingMax')} description={t('shippingMaxHint')} value={value.shippingMax} onChange={(v) => set('shippingMax', v)} error={errorFor('reward.maxAmount')} maw={320} />
        </Stack>
      );
    case 'gift':
      return (
        <Stack>
          <Text size="sm" c="dimmed">
            {t('giftHint')}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <div style={{ gridColumn: 'span 2' }}>
              <VariantSelect label={t('giftVariant')} value={value.giftVariantId} onChange={(v) => set('giftVariantId', v)} error={errorFor('reward.variantId')} testId="reward-gift-variant" />
            </div>
            <NumberInput label={t('giftQuantity')} value={value.giftQuantity} onChange={numChange((v) => set('giftQuantity', v))} min={1} max={100} allowDecimal={false} error={errorFor('reward.quantity')} />
          </SimpleGrid>
        </Stack>
      );
    default:
      return null;
  }
}
