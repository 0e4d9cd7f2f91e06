/** Pieces of the list pages: the search box and the "load more" footer. */
import { Button, CloseButton, Group, TextInput, type TextInputProps } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';

/** A search box with a clear button (shown while there is text). */
export function SearchInput({ value, onChange, clearLabel, ...rest }: Omit<TextInputProps, 'value' | 'onChange'> & { value: string; onChange: (text: string) => void; clearLabel: string }) {
  return (
    <TextInput
      {...rest}
      leftSection={<IconSearch size={16} />}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      rightSection={value ? <CloseButton size="sm" onClick={() => onChange('')} aria-label={clearLabel} /> : null}
    />
  );
}

/** Below a paged table: loads the next page; nothing when there is none. */
export function LoadMore({ query, label }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> }; label: string }) {
  if (!query.hasNextPage) return null;
  return (
    <Group justify="center" p="sm">
      <Button variant="subtle" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
        {label}
      </Button>
    </Group>
  );
}
