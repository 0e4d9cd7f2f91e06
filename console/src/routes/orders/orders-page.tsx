import { PageHeader } from '../../components/page';

export function OrdersPage() {
  return <PageHeader title="Orders" />;
}
