/** Categories: add, rename, delete (only when no product uses it). */
import { useState } from 'react';
import { ActionIcon, Button, Card, Group, Select, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCategory, IconCheck, IconPencil, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { ConfirmModal } from '../../../components/confirm-button';
import { EmptyState, ErrorBlock, Loading, errorMessage } from '../../../components/page';
import { useCategories, useCreateCategory, useDeleteCategory, useUpdateCategory, type Category } from '../../../hooks/api/catalog';
import { useCan } from '../../../hooks/api/session';
import { catalogMessages } from '../../../i18n/catalog';
import { useT } from '../../../lib/i18n';

export function CategoriesPage() {
  const t = useT(catalogMessages);
  const can = useCan();
  const categories = useCategories();
  const create = useCreateCategory();
  const update = useUpdateCategory();
  const remove = useDeleteCategory();
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState<Category | null>(null);
  const list = categories.data ?? [];
  const nameOf = (id: string | null) => (id ? (list.find((c) => c.id === id)?.name ?? id) : '—');

  const add = () =>
    create.mutate(
      { name: name.trim(), ...(parentId ? { parentId } : {}) },
      {
        onSuccess: (c) => {
          notifications.show({ color: 'teal', message: t('categoryCreated', { name: c.name }) });
          setName('');
          setParentId(null);
        },
        onError: (e) => notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) }),
      },
    );

  const saveName = () =>
    renaming &&
    update.mutate(
      { id: renaming.id, name: renaming.name.trim() },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('categorySaved') });
          setRenaming(null);
        },
        onError: (e) => notifications.show({ color: 'red', title: t('saveFailed'), message: errorMessage(e) }),
      },
    );

  return (
    <Stack gap="md" maw={900}>
      {can.catalog && (
        <Card withBorder radius="md">
          <Group align="flex-end" gap="sm">
            <TextInput label={t('newCategory')} placeholder={t('categoryName')} value={name} onChange={(e) => setName(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && name.trim() && add()} style={{ flex: 1 }} />
            <Select label={t('parentCategory')} placeholder={t('noParent')} data={list.map((c) => ({ value: c.id, label: c.name }))} value={parentId} onChange={setParentId} clearable w={240} />
            <Button leftSection={<IconPlus size={16} />} onClick={add} disabled={!name.trim()} loading={create.isPending}>
              {t('add')}
            </Button>
          </Group>
        </Card>
      )}
      {categories.isPending ? (
        <Loading />
      ) : categories.isError ? (
        <ErrorBlock error={categories.error} />
      ) : list.length === 0 ? (
        <EmptyState icon={<IconCategory size={26} />} title={t('noCategoriesTitle')} description={t('noCategoriesText')} />
      ) : (
        <Card withBorder padding={0} radius="md">
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('categoryName')}</Table.Th>
                <Table.Th>{t('colSlug')}</Table.Th>
                <Table.Th>{t('colParent')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    {renaming?.id === c.id ? (
                      <Group gap={4} wrap="nowrap">
                        <TextInput size="xs" value={renaming.name} onChange={(e) => setRenaming({ id: c.id, name: e.currentTarget.value })} onKeyDown={(e) => e.key === 'Enter' && saveName()} autoFocus />
                        <ActionIcon color="teal" variant="subtle" onClick={saveName} loading={update.isPending} disabled={!renaming.name.trim()} aria-label={t('save2')}>
                          <IconCheck size={16} />
                        </ActionIcon>
                        <ActionIcon color="gray" variant="subtle" onClick={() => setRenaming(null)} aria-label={t('cancel')}>
                          <IconX size={16} />
                        </ActionIcon>
                      </Group>
                    ) : (
                      <Text size="sm" fw={500}>
                        {c.name}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed" ff="monospace">
                      {c.slug}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{nameOf(c.parentId)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {can.catalog && (
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Tooltip label={t('rename')} withArrow>
                          <ActionIcon variant="subtle" onClick={() => setRenaming({ id: c.id, name: c.name })} aria-label={t('rename')}>
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('delete')} withArrow>
                          <ActionIcon variant="subtle" color="red" onClick={() => (remove.reset(), setDeleting(c))} aria-label={t('delete')}>
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <ConfirmModal
        opened={!!deleting}
        onClose={() => setDeleting(null)}
        title={t('deleteCategoryTitle', { name: deleting?.name ?? '' })}
        message={t('deleteCategoryText')}
        confirmLabel={t('delete')}
        loading={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: t('categoryDeleted') });
              setDeleting(null);
            },
          })
        }
      />
    </Stack>
  );
}
