import { PageHeader } from '../../../components/page';

export function CustomerPage() {
  return <PageHeader title="Customer" />;
}
