/**
 * Vietnamese and English. Each area of the console keeps its own dictionary
 * (`defineMessages({ vi: {...}, en: {...} })`, English keys must match Vietnamese ones), so screens
 * are translated beside their code. `useT(dict)` returns `t(key, vars)`; `{name}` placeholders.
 * Numbers, money and dates are formatted for the chosen locale (vi-VN or en-US).
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'vi' | 'en';
export const LANGS: Lang[] = ['vi', 'en'];
const STORAGE_KEY = 'omni.lang';

export type Messages<K extends string> = { vi: Record<K, string>; en: Record<K, string> };

/** Declare an area's messages: the English table must have exactly the Vietnamese keys. */
export function defineMessages<K extends string>(m: { vi: Record<K, string>; en: Record<NoInfer<K>, string> }): Messages<K> {
  return m;
}

interface I18nState {
  lang: Lang;
  locale: string;
  /** True when the user chose a language (it then wins over the workspace default). */
  chosen: boolean;
  setLang: (lang: Lang) => void;
  /** The workspace's default, used until the user picks one: Vietnamese for VN workspaces. */
  setDefaultFromCountry: (country: string) => void;
}

const I18nContext = createContext<I18nState | undefined>(undefined);

/** The language in use, for code outside React (error texts in notifications). */
let activeLang: Lang = 'vi';
export function currentLang(): Lang {
  return activeLang;
}

function storedLang(): Lang | undefined {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'vi' || v === 'en' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [chosenLang, setChosenLang] = useState<Lang | undefined>(storedLang);
  const [defaultLang, setDefaultLang] = useState<Lang>('vi');
  const lang = chosenLang ?? defaultLang;
  activeLang = lang;
  const setLang = useCallback((l: Lang) => {
    setChosenLang(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* private mode: the choice lasts this page */
    }
    document.documentElement.lang = l;
  }, []);
  const setDefaultFromCountry = useCallback((country: string) => setDefaultLang(country === 'VN' ? 'vi' : 'en'), []);
  const value = useMemo(
    () => ({ lang, locale: lang === 'vi' ? 'vi-VN' : 'en-US', chosen: chosenLang !== undefined, setLang, setDefaultFromCountry }),
    [lang, chosenLang, setLang, setDefaultFromCountry],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nState {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export type Vars = Record<string, string | number>;

export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** `t('key', { n: 3 })` for the current language. */
export function useT<K extends string>(messages: Messages<K>): (key: K, vars?: Vars) => string {
  const { lang } = useI18n();
  return useCallback((key: K, vars?: Vars) => interpolate(messages[lang][key] ?? key, vars), [lang, messages]);
}
