/**
 * Catalog & inventory: stock per location and channel (live), products with their variants and
 * channel prices, categories. Owns its nested routes: /catalog (stock), /catalog/products,
 * /catalog/products/new, /catalog/products/:id, /catalog/categories.
 */
import { Tabs } from '@mantine/core';
import { IconBox, IconCategory, IconPackages } from '@tabler/icons-react';
import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { PageHeader } from '../../components/page';
import { catalogMessages } from '../../i18n/catalog';
import { useT } from '../../lib/i18n';
import { CategoriesPage } from './categories/categories-page';
import { ProductPage } from './products/product-page';
import { ProductsPage } from './products/products-page';
import { StockPage } from './stock/stock-page';

export function CatalogPage() {
  const t = useT(catalogMessages);
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const tab = pathname.startsWith('/catalog/products') ? 'products' : pathname.startsWith('/catalog/categories') ? 'categories' : 'stock';
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Tabs value={tab} onChange={(v) => navigate(v === 'stock' ? '/catalog' : `/catalog/${v}`)} mb="md">
        <Tabs.List>
          <Tabs.Tab value="stock" leftSection={<IconPackages size={16} />}>
            {t('tabStock')}
          </Tabs.Tab>
          <Tabs.Tab value="products" leftSection={<IconBox size={16} />}>
            {t('tabProducts')}
          </Tabs.Tab>
          <Tabs.Tab value="categories" leftSection={<IconCategory size={16} />}>
            {t('tabCategories')}
          </Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<StockPage />} />
        <Route path="stock" element={<StockPage />} />
        <Route path="products" element={<ProductsPage />} />
        <Route path="products/new" element={<ProductPage />} />
        <Route path="products/:id" element={<ProductPage />} />
        <Route path="categories" element={<CategoriesPage />} />
        <Route path="*" element={<StockPage />} />
      </Routes>
    </>
  );
}
