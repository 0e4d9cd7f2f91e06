/**
 * The console's routes. Each screen lives in routes/<entity>/<screen>/ and owns its messages;
 * each screen adds its own sub-routes here (one line each).
 */
import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from '../hooks/api/session';
import { useT } from '../lib/i18n';
import { shellMessages } from '../i18n/shell';
import { Shell } from '../components/shell';
import { Loading } from '../components/page';
import { SignInPage } from './sign-in/sign-in-page';
import { InvitePage } from './invite/invite-page';
import { DashboardPage } from './dashboard/dashboard-page';
import { CustomersPage } from './customers/list/customers-page';
import { CustomerPage } from './customers/detail/customer-page';
import { CatalogPage } from './catalog/catalog-page';
import { OrdersPage } from './orders/orders-page';
import { PromotionsPage } from './promotions/promotions-page';
import { SettingsPage } from './settings/settings-page';
import { PosPage } from './pos/pos-page';

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
  if (pathname.startsWith('/invite')) return <InvitePage />;
  if (session.isPending) return <Loading />;
  if (session.isError) return <Text c="red">{session.error.message}</Text>;
  if (!session.data) return <SignInPage />;
  return (
    <Shell>
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
    </Shell>
  );
}
