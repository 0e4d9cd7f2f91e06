import { SegmentedControl } from '@mantine/core';
import { useI18n, type Lang } from '../lib/i18n';

/** VI | EN: the choice is remembered in this browser. */
export function LanguageSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      value={lang}
      onChange={(v) => setLang(v as Lang)}
      data={[
        { value: 'vi', label: 'VI' },
        { value: 'en', label: 'EN' },
      ]}
      aria-label="Language"
      data-testid="language-switch"
    />
  );
}
