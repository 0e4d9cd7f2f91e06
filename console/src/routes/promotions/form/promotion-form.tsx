/** Create or edit a promotion: every kind of reward, targets, conditions, window, stacking and limits. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Anchor, Badge, Breadcrumbs, Button, Card, Grid, Group, NumberInput, SegmentedControl, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconDeviceFloppy } from '@tabler/icons-react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { REWARD_TYPES, useCreatePromotion, usePromotion, useUpdatePromotion, type Promotion, type RewardType } from '../../../hooks/api/promotions';
import { useCan, useWorkspace } from '../../../hooks/api/session';
import { ErrorBlock, Loading, PageHeader } from '../../../components/page';
import { useI18n, useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { StatusBadge } from '../shared/look';
import { ConditionBuilder } from './condition-builder';
import { KindPicker, RewardEditor } from './reward-editor';
import { MoneyInput } from './pickers';
import { emptyForm, emptyReward, fieldOf, formFromPromotion, inputOf, JsonConditionsError, localizedReason, changedFields, type FormState, type Num } from './draft';

const numChange = (set: (v: Num) => void) => (v: string | number) => set(v === '' ? '' : Number(v));

/** /promotions/new (?kind=gift) and /promotions/:id/edit. */
export function PromotionFormPage() {
  const { id } = useParams();
  const existing = usePromotion(id);
  const ws = useWorkspace();
  const t = useT(promotionsMessages);
  if (id && existing.isPending) return <Loading />;
  if (id && existing.isError) return <ErrorBlock error={existing.error} />;
  if (ws.isPending) return <Loading />;
  if (ws.isError) return <ErrorBlock error={ws.error} />;
  if (existing.data?.status === 'ended') {
    return (
      <Alert color="gray" title={t('endedNoEditTitle')}>
        {t('endedNoEdit')}
      </Alert>
    );
  }
  return <PromotionForm key={id ?? 'new'} existing={existing.data} currency={ws.data.currency} timeZone={ws.data.timeZone} />;
}

function PromotionForm({ existing, currency, timeZone }: { existing?: Promotion; currency: string; timeZone: string }) {
  const t = useT(promotionsMessages);
  const { lang } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const kindParam = params.get('kind');
  const initialKind = REWARD_TYPES.includes(kindParam as RewardType) ? (kindParam as RewardType) : 'percentage';
  const [state, setState] = useState<FormState>(() => (existing ? formFromPromotion(existing, currency, timeZone) : emptyForm(initialKind)));
  const [error, setError] = useState<unknown>(null);
  const create = useCreatePromotion();
  const update = useUpdatePromotion(existing?.id ?? '');
  const errorRef = useRef<HTMLDivElement>(null);
  const creating = !existing;

  const field = useMemo(() => fieldOf(error), [error]);
  const errorFor = (f: string) => (field === f ? localizedReason(error, lang) : undefined);
  const set = <K extends keyof FormState>(key: K, v: FormState[K]) => setState((s) => ({ ...s, [key]: v }));

  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }, [error]);

  const save = async () => {
    setError(null);
    let body;
    try {
      body = inputOf(state, currency, timeZone, creating);
    } catch (e) {
      if (e instanceof JsonConditionsError) {
        setError(new Error(`${t('conditionsJsonInvalid')}: ${e.message}`));
        return;
      }
      throw e;
    }
    try {
      let saved: Promotion;
      if (creating) saved = await create.mutateAsync(body);
      else {
        const changes = changedFields(body, existing);
        saved = Object.keys(changes).length > 0 ? await update.mutateAsync(changes) : existing;
      }
      notifications.show({ color: 'green', message: creating ? t('created', { name: saved.name }) : t('saved', { name: saved.name }) });
      navigate(`/promotions/${saved.id}`);
    } catch (e) {
      setError(e);
    }
  };

  const saving = create.isPending || update.isPending;
  const title = creating ? t('newPromotion') : t('editTitle', { name: existing.name });

  return (
    <form
      data-testid="promotion-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Breadcrumbs mb="xs" fz="sm">
        <Anchor component={Link} to="/promotions">
          {t('title')}
        </Anchor>
        {existing && (
          <Anchor component={Link} to={`/promotions/${existing.id}`}>
            {existing.name}
          </Anchor>
        )}
        <Text size="sm">{creating ? t('newPromotion') : t('edit')}</Text>
      </Breadcrumbs>
      <PageHeader
        title={
          <Group gap="sm">
            {title}
            {existing && <StatusBadge status={existing.status} />}
          </Group>
        }
        description={creating ? t('formSubtitle') : undefined}
        actions={
          <>
            <Button variant="default" component={Link} to={existing ? `/promotions/${existing.id}` : '/promotions'}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={saving} disabled={!can.promotions} leftSection={<IconDeviceFloppy size={16} />} data-testid="promotion-save">
              {creating ? (state.activate ? t('createAndActivate') : t('createDraft')) : t('save')}
            </Button>
          </>
        }
      />
      {!can.promotions && (
        <Alert color="yellow" mb="md">
          {t('readOnlyRole')}
        </Alert>
      )}
      <div ref={errorRef}>
        {error !== null && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} mb="md" title={t('saveFailed')} data-testid="promotion-error">
            {field && (
              <Badge variant="light" color="red" mr="xs" ff="monospace" tt="none">
                {field}
              </Badge>
            )}
            {localizedReason(error, lang)}
          </Alert>
        )}
      </div>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="lg">
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <TextInput label={t('name')} placeholder={t('namePlaceholder')} required value={state.name} onChange={(e) => set('name', e.currentTarget.value)} error={errorFor('name')} data-testid="promotion-name" />
                <Textarea label={t('description')} description={t('descriptionHint')} autosize minRows={2} value={state.description} onChange={(e) => set('description', e.currentTarget.value)} error={errorFor('description')} />
              </Stack>
            </Card>
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <div>
                  <Title order={4}>{t('rewardSection')}</Title>
                  <Text size="sm" c="dimmed">
                    {t('rewardSectionHint')}
                  </Text>
                </div>
                <KindPicker value={state.reward.type} onChange={(type) => set('reward', type === state.reward.type ? state.reward : { ...emptyReward(type), target: state.reward.target })} />
                {errorFor('reward.type') && (
                  <Text c="red" size="xs">
                    {errorFor('reward.type')}
                  </Text>
                )}
                <RewardEditor value={state.reward} onChange={(r) => set('reward', r)} errorFor={errorFor} />
              </Stack>
            </Card>
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <div>
                  <Title order={4}>{t('conditionsSection')}</Title>
                  <Text size="sm" c="dimmed">
                    {t('conditionsSectionHint')}
                  </Text>
                </div>
                <ConditionBuilder value={state.conditions} onChange={(c) => set('conditions', c)} errorFor={errorFor} timeZone={timeZone} />
              </Stack>
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="lg">
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <Title order={4}>{t('howSection')}</Title>
                <div>
                  <Text size="sm" fw={500} mb={4}>
                    {t('redemption')}
                  </Text>
                  <SegmentedControl
                    fullWidth
                    value={state.requiresCode ? 'code' : 'auto'}
                    onChange={(v) => set('requiresCode', v === 'code')}
                    data={[
                      { value: 'auto', label: t('automatic') },
                      { value: 'code', label: t('withCode') },
                    ]}
                    data-testid="promotion-requires-code"
                  />
                  <Text size="xs" c="dimmed" mt={4}>
                    {state.requiresCode ? t('withCodeHint') : t('automaticHint')}
                  </Text>
                </div>
                <div>
                  <Text size="sm" fw={500} mb={4}>
                    {t('stacking')}
                  </Text>
                  <SegmentedControl
                    fullWidth
                    value={state.stacking}
                    onChange={(v) => set('stacking', v as FormState['stacking'])}
                    data={[
                      { value: 'combinable', label: t('combinable') },
                      { value: 'exclusive', label: t('exclusive') },
                    ]}
                  />
                  <Text size="xs" c="dimmed" mt={4}>
                    {state.stacking === 'exclusive' ? t('exclusiveHint') : t('combinableHint')}
                  </Text>
                </div>
                <NumberInput label={t('priority')} description={t('priorityHint')} value={state.priority} onChange={numChange((v) => set('priority', v))} min={-1000} max={1000} allowDecimal={false} error={errorFor('priority')} />
              </Stack>
            </Card>
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <div>
                  <Title order={4}>{t('windowSection')}</Title>
                  <Text size="xs" c="dimmed">
                    {t('windowHint', { tz: timeZone })}
                  </Text>
                </div>
                <DateTimePicker
                  label={t('startsAt')}
                  placeholder={t('startsNow')}
                  value={state.startsAt}
                  onChange={(v) => set('startsAt', v)}
                  clearable
                  valueFormat={lang === 'vi' ? 'DD/MM/YYYY HH:mm' : 'MMM D, YYYY h:mm A'}
                  error={errorFor('startsAt')}
                />
                <DateTimePicker
                  label={t('endsAt')}
                  placeholder={t('noEnd')}
                  value={state.endsAt}
                  onChange={(v) => set('endsAt', v)}
                  clearable
                  minDate={state.startsAt ?? undefined}
                  valueFormat={lang === 'vi' ? 'DD/MM/YYYY HH:mm' : 'MMM D, YYYY h:mm A'}
                  error={errorFor('endsAt')}
                />
              </Stack>
            </Card>
            <Card withBorder radius="md" padding="lg">
              <Stack>
                <Title order={4}>{t('limitsSection')}</Title>
                <NumberInput label={t('usageLimit')} description={t('unlimitedWhenBlank')} value={state.usageLimit} onChange={numChange((v) => set('usageLimit', v))} min={1} allowDecimal={false} thousandSeparator={lang === 'vi' ? '.' : ','} decimalSeparator={lang === 'vi' ? ',' : '.'} error={errorFor('usageLimit')} />
                <NumberInput label={t('perCustomerLimit')} description={t('unlimitedWhenBlank')} value={state.perCustomerLimit} onChange={numChange((v) => set('perCustomerLimit', v))} min={1} allowDecimal={false} error={errorFor('perCustomerLimit')} />
                <MoneyInput label={t('budget')} description={t('budgetHint')} value={state.budget} onChange={(v) => set('budget', v)} error={errorFor('budget')} data-testid="promotion-budget" />
              </Stack>
            </Card>
            {creating && (
              <Card withBorder radius="md" padding="lg">
                <Switch
                  checked={state.activate}
                  onChange={(e) => set('activate', e.currentTarget.checked)}
                  label={t('activateNow')}
                  description={t('activateNowHint')}
                  data-testid="promotion-activate"
                />
              </Card>
            )}
            <Button type="submit" loading={saving} disabled={!can.promotions} size="md" leftSection={<IconDeviceFloppy size={18} />}>
              {creating ? (state.activate ? t('createAndActivate') : t('createDraft')) : t('save')}
            </Button>
          </Stack>
        </Grid.Col>
      </Grid>
    </form>
  );
}
