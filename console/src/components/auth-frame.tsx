/** The frame of the signed-out pages (sign-in, invite acceptance): logo, tagline, language switch, and the page's card. */
import type { ReactNode } from 'react';
import { Center, Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconCircles } from '@tabler/icons-react';
import { shellMessages } from '../i18n/shell';
import { useT } from '../lib/i18n';
import { LanguageSwitch } from './language-switch';

export function AuthFrame({ width, children }: { width: number; children: ReactNode }) {
  const t = useT(shellMessages);
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Stack w={width} gap="lg">
        <Group justify="space-between">
          <Group gap="xs">
            <ThemeIcon size={34} radius="xl">
              <IconCircles size={20} />
            </ThemeIcon>
            <div>
              <Text fw={700} size="lg" lh={1}>
                Omni
              </Text>
              <Text size="xs" c="dimmed">
                {t('tagline')}
              </Text>
            </div>
          </Group>
          <LanguageSwitch />
        </Group>
        <Paper withBorder shadow="sm" radius="md" p="xl">
          {children}
        </Paper>
      </Stack>
    </Center>
  );
}
