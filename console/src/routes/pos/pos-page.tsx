import { PageHeader } from '../../components/page';

export function PosPage() {
  return <PageHeader title="POS" />;
}
