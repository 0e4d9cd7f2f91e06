/**
 * The console's routes. Each screen lives in routes/<entity>/<screen>/ and owns its messages;
 * each screen adds its own sub-routes here (one line each).
 */
import { lazy, Suspense } from 'react';
import { Button, Center, Stack, Title } from '@mantine/core';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from '../hooks/api/session';
import { useT } from '../lib/i18n';
import { shellMessages } from '../i18n/shell';
import { Shell } from '../components/shell';
import { ErrorBlock, Loading } from '../components/page';
import { SignInPage } from './sign-in/sign-in-page';

// Each screen is its own chunk, loaded on first visit (charts only where they are drawn).
const InvitePage = lazy(() => import('./invite/invite-page').then((m) => ({ default: m.InvitePage })));
const DashboardPage = lazy(() => import('./dashboard/dashboard-page').then((m) => ({ default: m.DashboardPage })));
const CustomersPage = lazy(() => import('./customers/list/customers-page').then((m) => ({ default: m.CustomersPage })));
const CustomerPage = lazy(() => import('./customers/detail/customer-page').then((m) => ({ default: m.CustomerPage })));
const CatalogPage = lazy(() => import('./catalog/catalog-page').then((m) => ({ default: m.CatalogPage })));
const OrdersPage = lazy(() => import('./orders/orders-page').then((m) => ({ default: m.OrdersPage })));
const PromotionsPage = lazy(() => import('./promotions/promotions-page').then((m) => ({ default: m.PromotionsPage })));
const SettingsPage = lazy(() => import('./settings/settings-page').then((m) => ({ default: m.SettingsPage })));
const PosPage = lazy(() => import('./pos/pos-page').then((m) => ({ default: m.PosPage })));

function NotFound() {
  const t = useT(shellMessages);
  return (
    <Center py={80}>
      <Stack align="center">
        <Title order={3}>{t('notFound')}</Title>
        <Button component={Link} to="/" variant="light">
          {t('backHome')}
        </Button>
      </Stack>
    </Center>
  );
}

export function AppRoutes() {
  const session = useSession();
  const { pathname } = useLocation();
  if (pathname.startsWith('/invite')) {
    return (
      <Suspense fallback={<Loading />}>
        <InvitePage />
      </Suspense>
    );
  }
  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorBlock error={session.error} />;
  if (!session.data) return <SignInPage />;
  return (
    <Shell>
      <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<DashboardPage />} />
        <Route path="/customers" element={<CustomersPage />} />
        <Route path="/customers/:id" element={<CustomerPage />} />
        <Route path="/catalog/*" element={<CatalogPage />} />
        <Route path="/orders/*" element={<OrdersPage />} />
        <Route path="/promotions/*" element={<PromotionsPage />} />
        <Route path="/settings/*" element={<SettingsPage />} />
        <Route path="/demo/pos" element={<PosPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
      </Suspense>
    </Shell>
  );
}
