import { PageHeader } from '../../components/page';

export function SettingsPage() {
  return <PageHeader title="Settings" />;
}
