import { useState } from 'react';
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title, ThemeIcon } from '@mantine/core';
import { IconCircles } from '@tabler/icons-react';
import { useSignIn } from '../../hooks/api/session';
import { useT } from '../../lib/i18n';
import { shellMessages } from '../../i18n/shell';
import { LanguageSwitch } from '../../components/language-switch';
import { ApiError } from '../../lib/api';

export function SignInPage() {
  const t = useT(shellMessages);
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const failed = signIn.error;
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Stack w={380} gap="lg">
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
          <form
            onSubmit={(e) => {
              e.preventDefault();
              signIn.mutate({ email: email.trim(), password });
            }}
          >
            <Stack>
              <Title order={3}>{t('signInTitle')}</Title>
              {failed && (
                <Alert color="red" variant="light" data-testid="sign-in-error">
                  {failed instanceof ApiError && failed.status === 401 ? t('signInFailed') : failed.message}
                </Alert>
              )}
              <TextInput label={t('email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} name="email" />
              <PasswordInput label={t('password')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} name="password" />
              <Button type="submit" loading={signIn.isPending} fullWidth>
                {t('signIn')}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Stack>
    </Center>
  );
}
