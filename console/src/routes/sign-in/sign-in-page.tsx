import { useState } from 'react';
import { Alert, Button, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useSignIn } from '../../hooks/api/session';
import { useT } from '../../lib/i18n';
import { shellMessages } from '../../i18n/shell';
import { AuthFrame } from '../../components/auth-frame';
import { ApiError } from '../../lib/api';
import { errorMessage } from '../../components/page';

export function SignInPage() {
  const t = useT(shellMessages);
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const failed = signIn.error;
  return (
    <AuthFrame width={380}>
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
              {failed instanceof ApiError && failed.status === 401 ? t('signInFailed') : errorMessage(failed)}
            </Alert>
          )}
          <TextInput label={t('email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} name="email" />
          <PasswordInput label={t('password')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} name="password" />
          <Button type="submit" loading={signIn.isPending} fullWidth>
            {t('signIn')}
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
