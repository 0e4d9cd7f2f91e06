import { PageHeader } from '../../components/page';

export function PromotionsPage() {
  return <PageHeader title="Promotions" />;
}
