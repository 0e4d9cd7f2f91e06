import { PageHeader } from '../../components/page';

export function DashboardPage() {
  return <PageHeader title="Dashboard" />;
}
