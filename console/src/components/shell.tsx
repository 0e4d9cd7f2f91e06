/** The signed-in frame: navigation, workspace name, language, user menu. */
import type { ReactNode } from 'react';
import { AppShell, Avatar, Badge, Burger, Group, Menu, NavLink, ScrollArea, Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBuildingStore,
  IconChartBar,
  IconCircles,
  IconDiscount,
  IconLogout,
  IconPackage,
  IconReceipt,
  IconSettings,
  IconShoppingCart,
  IconUsers,
} from '@tabler/icons-react';
import { Link, useLocation } from 'react-router-dom';
import { useSession, useSignOut, useWorkspace } from '../hooks/api/session';
import { useT } from '../lib/i18n';
import { shellMessages } from '../i18n/shell';
import { LanguageSwitch } from './language-switch';

const NAV = [
  { to: '/', key: 'dashboard', icon: IconChartBar, exact: true },
  { to: '/customers', key: 'customers', icon: IconUsers },
  { to: '/catalog', key: 'catalog', icon: IconPackage },
  { to: '/orders', key: 'orders', icon: IconReceipt },
  { to: '/promotions', key: 'promotions', icon: IconDiscount },
  { to: '/settings', key: 'settings', icon: IconSettings },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const t = useT(shellMessages);
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const session = useSession().data;
  const ws = useWorkspace().data;
  const signOut = useSignOut();
  const user = session?.user;
  const initials = (user?.name || user?.email || '?')
    .split(/\s+/)
    .map((w) => w[0])
    .slice(-2)
    .join('')
    .toUpperCase();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 236, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" />
            <ThemeIcon size={30} radius="xl">
              <IconCircles size={18} />
            </ThemeIcon>
            <Text fw={700}>Omni</Text>
            {ws && (
              <Text c="dimmed" size="sm" visibleFrom="xs" data-testid="workspace-name">
                · {ws.name}
              </Text>
            )}
          </Group>
          <Group gap="sm">
            <LanguageSwitch />
            {user && (
              <Menu position="bottom-end" shadow="md" width={240}>
                <Menu.Target>
                  <UnstyledButton aria-label={user.email} data-testid="user-menu">
                    <Group gap={8}>
                      <Avatar size={30} radius="xl" color="blue">
                        {initials}
                      </Avatar>
                      <Stack gap={0} visibleFrom="md">
                        <Text size="sm" fw={500} lh={1.2}>
                          {user.name || user.email}
                        </Text>
                        <Text size="xs" c="dimmed" lh={1.2}>
                          {t(`role_${user.role}`)}
                        </Text>
                      </Stack>
                    </Group>
                  </UnstyledButton>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>{user.email}</Menu.Label>
                  <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => signOut.mutate()} data-testid="sign-out">
                    {t('signOut')}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <AppShell.Section grow component={ScrollArea}>
          {NAV.map((item) => {
            const active = 'exact' in item && item.exact ? pathname === item.to : pathname.startsWith(item.to);
            return (
              <NavLink
                key={item.to}
                component={Link}
                to={item.to}
                label={t(item.key)}
                leftSection={<item.icon size={18} stroke={1.7} />}
                active={active}
                onClick={close}
                variant="light"
                style={{ borderRadius: 8 }}
                mb={2}
              />
            );
          })}
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} px="sm" mb={4}>
            Demo
          </Text>
          <NavLink component={Link} to="/demo/pos" label={t('pos')} leftSection={<IconBuildingStore size={18} stroke={1.7} />} active={pathname.startsWith('/demo/pos')} variant="light" style={{ borderRadius: 8 }} />
          <NavLink component="a" href="/demo/store" target="_blank" label={t('demoStore')} leftSection={<IconShoppingCart size={18} stroke={1.7} />} style={{ borderRadius: 8 }} />
          {user && (
            <Badge mt="sm" ml="sm" variant="dot" color={user.role === 'viewer' ? 'gray' : 'blue'}>
              {t(`role_${user.role}`)}
            </Badge>
          )}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main bg="gray.0">{children}</AppShell.Main>
    </AppShell>
  );
}
