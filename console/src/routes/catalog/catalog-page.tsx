import { PageHeader } from '../../components/page';

export function CatalogPage() {
  return <PageHeader title="Catalog" />;
}
