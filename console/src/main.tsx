import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/dates/styles.css';
import 'dayjs/locale/vi'; // month and day names of the date pickers
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router-dom';
import { I18nProvider, useI18n } from './lib/i18n';
import { setUnauthorizedHandler } from './lib/api';
import { sessionKey, useWorkspace } from './hooks/api/session';
import { AppRoutes } from './routes';

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 15_000, retry: 1, refetchOnWindowFocus: true } },
});
// A session that ended elsewhere (signed out, disabled) sends the user back to sign-in.
setUnauthorizedHandler(() => queryClient.setQueryData(sessionKey, null));

const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  fontFamily: 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
});

/** The workspace's country picks the default language until the user chooses one. */
function WorkspaceLanguage() {
  const ws = useWorkspace().data;
  const { setDefaultFromCountry, lang } = useI18n();
  useEffect(() => {
    if (ws) setDefaultFromCountry(ws.defaultCountry);
  }, [ws, setDefaultFromCountry]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return null;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <BrowserRouter>
            <WorkspaceLanguage />
            <AppRoutes />
          </BrowserRouter>
        </I18nProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
