import { PageHeader } from '../../../components/page';

export function CustomersPage() {
  return <PageHeader title="Customers" />;
}
