/** Console users and roles: invite (link shown once), change role, disable and enable. */
import { useState } from 'react';
import { Alert, Avatar, Badge, Button, Card, Group, Modal, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, TextInput, ThemeIcon, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMail, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { useCan, useSession, type ConsoleUser, type Role } from '../../../hooks/api/session';
import { ROLES, useInviteUser, useUpdateUser, useUsers } from '../../../hooks/api/settings';
import { EmptyState, ErrorBlock, errorMessage, Loading } from '../../../components/page';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { settingsMessages } from '../../../i18n/settings';
import { FormButtons, SecretOnce, ShownOnceModal } from '../shown-once';

const STATUS_COLOR: Record<string, string> = { active: 'green', invited: 'blue', disabled: 'gray' };
const ROLE_COLOR: Record<Role, string> = { admin: 'red', marketer: 'grape', agent: 'teal', viewer: 'gray' };

function initials(u: ConsoleUser): string {
  return (u.name || u.email)
    .split(/\s+/)
    .map((w) => w[0])
    .slice(-2)
    .join('')
    .toUpperCase();
}

export function UsersTab() {
  const t = useT(settingsMessages);
  const f = useFormat();
  const can = useCan();
  const me = useSession().data?.user;
  const users = useUsers();
  const update = useUpdateUser();
  const [inviting, setInviting] = useState(false);
  const [confirm, setConfirm] = useState<{ user: ConsoleUser; status: 'active' | 'disabled' } | null>(null);

  const change = async (u: ConsoleUser, patch: { role?: Role; status?: 'active' | 'disabled' }) => {
    try {
      const after = await update.mutateAsync({ id: u.id, ...patch });
      notifications.show({
        color: 'green',
        message: patch.role ? t('roleChanged', { name: after.name, role: t(`role_${after.role}`) }) : patch.status === 'disabled' ? t('userDisabled', { name: after.name }) : t('userEnabled', { name: after.name }),
      });
    } catch (e) {
      notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) });
    }
  };

  return (
    <Stack gap="lg">
      <Card withBorder radius="md" padding="lg">
        <Group justify="space-between" mb="md">
          <div>
            <Title order={4}>{t('usersSection')}</Title>
            <Text size="sm" c="dimmed">
              {t('usersHint')}
            </Text>
          </div>
          {can.settings && (
            <Button leftSection={<IconUserPlus size={16} />} onClick={() => setInviting(true)} data-testid="invite-user">
              {t('inviteUser')}
            </Button>
          )}
        </Group>
        {users.isPending ? (
          <Loading />
        ) : users.isError ? (
          <ErrorBlock error={users.error} />
        ) : users.data.length === 0 ? (
          <EmptyState icon={<IconUsers size={26} />} title={t('noUsers')} />
        ) : (
          <ScrollArea>
            <Table verticalSpacing="sm" data-testid="users-table" miw={760}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('user')}</Table.Th>
                  <Table.Th>{t('role')}</Table.Th>
                  <Table.Th>{t('status')}</Table.Th>
                  <Table.Th>{t('lastLogin')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.map((u) => {
                  const self = u.id === me?.id;
                  return (
                    <Table.Tr key={u.id} data-testid="user-row" data-email={u.email} style={{ opacity: u.status === 'disabled' ? 0.6 : 1 }}>
                      <Table.Td>
                        <Group gap="sm" wrap="nowrap">
                          <Avatar radius="xl" size={34} color={ROLE_COLOR[u.role]}>
                            {initials(u)}
                          </Avatar>
                          <div>
                            <Text size="sm" fw={600}>
                              {u.name}
                              {self && (
                                <Text span size="xs" c="dimmed">
                                  {' '}
                                  ({t('you')})
                                </Text>
                              )}
                            </Text>
                            <Text size="xs" c="dimmed">
                              {u.email}
                            </Text>
                          </div>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        {can.settings && !self ? (
                          <Select
                            size="xs"
                            w={200}
                            value={u.role}
                            allowDeselect={false}
                            data={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))}
                            onChange={(r) => r && r !== u.role && void change(u, { role: r as Role })}
                            data-testid="role-select"
                            aria-label={t('role')}
                          />
                        ) : (
                          <Badge color={ROLE_COLOR[u.role]} variant="light">
                            {t(`role_${u.role}`)}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLOR[u.status] ?? 'gray'} variant="light">
                          {t(`userStatus_${u.status}` as 'userStatus_active')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{u.lastLoginAt ? f.relative(u.lastLoginAt) : t('never')}</Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        {can.settings && !self && u.status === 'active' && (
                          <Button size="xs" variant="subtle" color="red" onClick={() => setConfirm({ user: u, status: 'disabled' })} data-testid="disable-user">
                            {t('disable')}
                          </Button>
                        )}
                        {can.settings && !self && u.status === 'disabled' && (
                          <Button size="xs" variant="subtle" onClick={() => setConfirm({ user: u, status: 'active' })} data-testid="enable-user">
                            {t('enable')}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
      </Card>
      <RolesExplained />
      {inviting && <InviteModal onClose={() => setInviting(false)} />}
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title={<Text fw={600}>{confirm?.status === 'disabled' ? t('disableTitle') : t('enableTitle')}</Text>} centered>
        {confirm && (
          <Stack>
            <Text size="sm">{confirm.status === 'disabled' ? t('disableConfirm', { name: confirm.user.name }) : t('enableConfirm', { name: confirm.user.name })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirm(null)}>
                {t('cancel')}
              </Button>
              <Button
                color={confirm.status === 'disabled' ? 'red' : 'blue'}
                loading={update.isPending}
                data-testid="user-status-confirm"
                onClick={async () => {
                  await change(confirm.user, { status: confirm.status });
                  setConfirm(null);
                }}
              >
                {confirm.status === 'disabled' ? t('disable') : t('enable')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function RolesExplained() {
  const t = useT(settingsMessages);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
      {ROLES.map((r) => (
        <Paper key={r} withBorder radius="md" p="md">
          <Badge color={ROLE_COLOR[r]} variant="light" mb={6}>
            {t(`role_${r}`)}
          </Badge>
          <Text size="xs" c="dimmed">
            {t(`roleHint_${r}`)}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

function InviteModal({ onClose }: { onClose: () => void }) {
  const t = useT(settingsMessages);
  const invite = useInviteUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('marketer');
  const made = invite.data;
  const link = made ? `${window.location.origin}/invite?token=${encodeURIComponent(made.inviteToken)}` : '';
  return (
    <ShownOnceModal
      title={made ? t('invited', { name: made.user.name }) : t('inviteUser')}
      shown={
        made ? (
          <>
            <Group gap="sm">
              <ThemeIcon variant="light" radius="xl">
                <IconMail size={16} />
              </ThemeIcon>
              <Text size="sm">{t('inviteLinkHint', { email: made.user.email })}</Text>
            </Group>
            <SecretOnce value={link} testId="invite-link" />
          </>
        ) : null
      }
      shownSize="lg"
      onClose={onClose}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate({ email: email.trim(), name: name.trim(), role });
        }}
        data-testid="invite-form"
      >
        <Stack>
          <TextInput label={t('email')} type="email" placeholder="nhanvien@cuahang.vn" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required data-autofocus data-testid="invite-email" />
          <TextInput label={t('name')} placeholder={t('namePlaceholder')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-testid="invite-name" />
          <Select
            label={t('role')}
            data={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))}
            value={role}
            onChange={(v) => v && setRole(v as Role)}
            allowDeselect={false}
            description={t(`roleHint_${role}`)}
            data-testid="invite-role"
          />
          {invite.error && (
            <Alert color="red" variant="light">
              {errorMessage(invite.error)}
            </Alert>
          )}
          <FormButtons onCancel={onClose} label={t('sendInvite')} loading={invite.isPending} disabled={!email.trim() || !name.trim()} testId="invite-submit" />
        </Stack>
      </form>
    </ShownOnceModal>
  );
}
