/** One promotion: what it gives and to whom, its lifecycle, codes, report and audit trail. */
import { Anchor, Breadcrumbs, Button, Group, Tabs, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChartBar, IconEdit, IconHistory, IconInfoCircle, IconPlayerPause, IconPlayerPlay, IconPlayerStop, IconTicket } from '@tabler/icons-react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ConfirmButton } from '../../../components/confirm-button';
import { usePromotion, useSetPromotionStatus, type Promotion, type StatusChange } from '../../../hooks/api/promotions';
import { useCan } from '../../../hooks/api/session';
import { ErrorBlock, errorMessage, Loading, PageHeader } from '../../../components/page';
import { useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { KindIcon, StatusBadge } from '../shared/look';
import { OverviewPanel } from './overview-panel';
import { CodesPanel } from './codes-panel';
import { ReportPanel } from './report-panel';
import { AuditPanel } from './audit-panel';

const TABS = ['overview', 'codes', 'report', 'audit'] as const;
type Tab = (typeof TABS)[number];

export function PromotionDetail() {
  const { id = '', tab } = useParams();
  const t = useT(promotionsMessages);
  const navigate = useNavigate();
  const promo = usePromotion(id);
  const can = useCan();
  if (promo.isPending) return <Loading />;
  if (promo.isError) return <ErrorBlock error={promo.error} />;
  const p = promo.data;
  const active: Tab = TABS.includes(tab as Tab) ? (tab as Tab) : 'overview';

  return (
    <>
      <Breadcrumbs mb="xs" fz="sm">
        <Anchor component={Link} to="/promotions">
          {t('title')}
        </Anchor>
        <Text size="sm">{p.name}</Text>
      </Breadcrumbs>
      <PageHeader
        title={
          <Group gap="sm">
            <KindIcon type={p.reward.type} size={32} />
            <span data-testid="promotion-title">{p.name}</span>
            <StatusBadge status={p.status} />
          </Group>
        }
        description={p.description ?? t(`kind_${p.reward.type}`)}
        actions={can.promotions && <Lifecycle p={p} />}
      />
      <Tabs value={active} onChange={(v) => navigate(`/promotions/${p.id}${v && v !== 'overview' ? `/${v}` : ''}`)} keepMounted={false}>
        <Tabs.List mb="lg">
          <Tabs.Tab value="overview" leftSection={<IconInfoCircle size={16} />}>
            {t('tabOverview')}
          </Tabs.Tab>
          <Tabs.Tab value="codes" leftSection={<IconTicket size={16} />} data-testid="tab-codes">
            {t('tabCodes')}
          </Tabs.Tab>
          <Tabs.Tab value="report" leftSection={<IconChartBar size={16} />} data-testid="tab-report">
            {t('tabReport')}
          </Tabs.Tab>
          <Tabs.Tab value="audit" leftSection={<IconHistory size={16} />} data-testid="tab-audit">
            {t('tabAudit')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <OverviewPanel p={p} />
        </Tabs.Panel>
        <Tabs.Panel value="codes">
          <CodesPanel p={p} />
        </Tabs.Panel>
        <Tabs.Panel value="report">
          <ReportPanel p={p} />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditPanel p={p} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

/** The buttons the server's lifecycle allows from the shown status. */
function Lifecycle({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const setStatus = useSetPromotionStatus();
  const change = async (status: StatusChange) => {
    try {
      const after = await setStatus.mutateAsync({ id: p.id, status });
      notifications.show({ color: 'green', message: t(`statusChanged_${status === 'draft' ? 'active' : status}`, { name: after.name }) });
    } catch (e) {
      notifications.show({ color: 'red', title: t('statusChangeFailed'), message: errorMessage(e) });
    }
  };
  const edit = p.status !== 'ended' && (
    <Button variant="default" component={Link} to={`/promotions/${p.id}/edit`} leftSection={<IconEdit size={16} />} data-testid="promotion-edit">
      {t('edit')}
    </Button>
  );
  const end = p.status !== 'ended' && (
    <ConfirmButton
      color="red"
      variant="subtle"
      title={t('confirmEndTitle')}
      message={t('confirmEnd', { name: p.name })}
      confirmLabel={t('actionEnd')}
      onConfirm={() => change('ended')}
      loading={setStatus.isPending}
      testId="promotion-end"
      leftSection={<IconPlayerStop size={16} />}
    >
      {t('actionEnd')}
    </ConfirmButton>
  );
  return (
    <>
      {end}
      {edit}
      {(p.status === 'draft' || p.status === 'paused') && (
        <ConfirmButton
          color="green"
          variant="filled"
          title={p.status === 'draft' ? t('confirmActivateTitle') : t('confirmResumeTitle')}
          message={p.startsAt && new Date(p.startsAt) > new Date() ? t('confirmActivateScheduled', { name: p.name }) : t('confirmActivate', { name: p.name })}
          confirmLabel={p.status === 'draft' ? t('actionActivate') : t('actionResume')}
          onConfirm={() => change('active')}
          loading={setStatus.isPending}
          testId="promotion-activate-action"
          leftSection={<IconPlayerPlay size={16} />}
        >
          {p.status === 'draft' ? t('actionActivate') : t('actionResume')}
        </ConfirmButton>
      )}
      {(p.status === 'active' || p.status === 'scheduled') && (
        <ConfirmButton
          color="yellow"
          variant="filled"
          title={t('confirmPauseTitle')}
          message={t('confirmPause', { name: p.name })}
          confirmLabel={t('actionPause')}
          onConfirm={() => change('paused')}
          loading={setStatus.isPending}
          testId="promotion-pause"
          leftSection={<IconPlayerPause size={16} />}
        >
          {t('actionPause')}
        </ConfirmButton>
      )}
    </>
  );
}
