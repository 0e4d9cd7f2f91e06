/** A list page's filters kept in the URL (shareable, kept on reload), and its search box over the URL's `q`. */
import { useEffect, useState } from 'react';
import { useDebouncedValue } from '@mantine/hooks';
import { useSearchParams } from 'react-router-dom';

/**
 * `setParam(name, value)` sets one filter, an empty value removes it; `setParamsOf({ a, b })` sets
 * several at once (two setParam calls in one event would lose the first); `clearParams()` removes
 * them all. The history entry is replaced, not added.
 */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const setParamsOf = (values: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [name, value] of Object.entries(values)) {
          if (value) next.set(name, value);
          else next.delete(name);
        }
        return next;
      },
      { replace: true },
    );
  const setParam = (name: string, value: string | null) => setParamsOf({ [name]: value });
  const clearParams = () => setParams({}, { replace: true });
  return { params, setParam, setParamsOf, clearParams };
}

/** The box updates at once; `q` (and so the request) after a short pause. The box follows `q` when it changes from elsewhere (back button, clear). */
export function useSearchText(q: string, setQ: (q: string | null) => void): [string, (text: string) => void] {
  const [text, setText] = useState(q);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    if (debounced.trim() !== q) setQ(debounced.trim() || null);
  }, [debounced]); // only when the typed text settles
  return [text, setText];
}
