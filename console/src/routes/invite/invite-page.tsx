/** /invite?token=…: the invited person picks their name and password, and is signed in. */
import { errorMessage } from '../../components/page';
import { useState } from 'react';
import { Alert, Button, Group, PasswordInput, Progress, Stack, Text, TextInput, ThemeIcon, Title } from '@mantine/core';
import { IconMailOpened } from '@tabler/icons-react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useAcceptInvite } from '../../hooks/api/settings';
import { ApiError } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { inviteMessages } from '../../i18n/settings';
import { AuthFrame } from '../../components/auth-frame';

const MIN = 10;

export function InvitePage() {
  const t = useT(inviteMessages);
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const accept = useAcceptInvite();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [touched, setTouched] = useState(false);

  const tooShort = password.length < MIN;
  const mismatch = repeat !== password;
  const failed = accept.error;
  const expired = failed instanceof ApiError && failed.status === 401;

  return (
    <AuthFrame width={420}>
      {!token ? (
        <Stack>
          <Title order={3}>{t('noTokenTitle')}</Title>
          <Text size="sm" c="dimmed">
            {t('noToken')}
          </Text>
          <Button variant="light" onClick={() => navigate('/')}>
            {t('goSignIn')}
          </Button>
        </Stack>
      ) : (
        <form
          data-testid="invite-accept-form"
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            if (tooShort || mismatch) return;
            accept.mutate(
              { token, password, ...(name.trim() ? { name: name.trim() } : {}) },
              { onSuccess: () => navigate('/', { replace: true }) },
            );
          }}
        >
          <Stack>
            <Group gap="sm" wrap="nowrap">
              <ThemeIcon size={40} radius="xl" variant="light">
                <IconMailOpened size={22} />
              </ThemeIcon>
              <div>
                <Title order={4}>{t('title')}</Title>
                <Text size="sm" c="dimmed">
                  {t('subtitle')}
                </Text>
              </div>
            </Group>
            {failed && (
              <Alert color="red" variant="light" data-testid="invite-error">
                {expired ? t('expired') : errorMessage(failed)}
              </Alert>
            )}
            <TextInput label={t('name')} description={t('nameHint')} placeholder={t('namePlaceholder')} value={name} onChange={(e) => setName(e.currentTarget.value)} autoComplete="name" name="name" />
            <div>
              <PasswordInput
                label={t('password')}
                withAsterisk
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete="new-password"
                name="password"
                error={touched && tooShort ? t('tooShort', { n: MIN }) : undefined}
                description={t('passwordHint', { n: MIN })}
              />
              <Progress value={Math.min((password.length / MIN) * 100, 100)} color={tooShort ? 'orange' : 'teal'} size={4} mt={6} aria-hidden />
            </div>
            <PasswordInput
              label={t('repeat')}
              withAsterisk
              value={repeat}
              onChange={(e) => setRepeat(e.currentTarget.value)}
              autoComplete="new-password"
              name="repeat"
              error={touched && mismatch ? t('mismatch') : undefined}
            />
            <Button type="submit" loading={accept.isPending} fullWidth data-testid="invite-accept">
              {t('submit')}
            </Button>
          </Stack>
        </form>
      )}
    </AuthFrame>
  );
}
