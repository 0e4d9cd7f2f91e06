/** /settings/*: workspace, sources & API tokens, users & roles — one tab each, in the URL. */
import { Tabs } from '@mantine/core';
import { IconBuilding, IconPlugConnected, IconUsers } from '@tabler/icons-react';
import { useNavigate, useParams } from 'react-router-dom';
import { PageHeader } from '../../components/page';
import { useT } from '../../lib/i18n';
import { settingsMessages } from '../../i18n/settings';
import { WorkspaceTab } from './workspace/workspace-tab';
import { SourcesTab } from './sources/sources-tab';
import { UsersTab } from './users/users-tab';

const TABS = ['workspace', 'sources', 'users'] as const;
type Tab = (typeof TABS)[number];

export function SettingsPage() {
  const t = useT(settingsMessages);
  const navigate = useNavigate();
  const rest = useParams()['*'] ?? '';
  const first = rest.split('/')[0] as Tab;
  const tab: Tab = TABS.includes(first) ? first : 'workspace';
  return (
    <>
      <PageHeader title={t('title')} description={t('subtitle')} />
      <Tabs value={tab} onChange={(v) => v && navigate(`/settings/${v}`)} data-testid="settings-tabs" keepMounted={false}>
        <Tabs.List mb="lg">
          <Tabs.Tab value="workspace" leftSection={<IconBuilding size={16} />} data-testid="settings-tab-workspace">
            {t('tabWorkspace')}
          </Tabs.Tab>
          <Tabs.Tab value="sources" leftSection={<IconPlugConnected size={16} />} data-testid="settings-tab-sources">
            {t('tabSources')}
          </Tabs.Tab>
          <Tabs.Tab value="users" leftSection={<IconUsers size={16} />} data-testid="settings-tab-users">
            {t('tabUsers')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="workspace">
          <WorkspaceTab />
        </Tabs.Panel>
        <Tabs.Panel value="sources">
          <SourcesTab />
        </Tabs.Panel>
        <Tabs.Panel value="users">
          <UsersTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
