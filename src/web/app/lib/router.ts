import { useEffect, useState } from 'preact/hooks';

/** Where the page is: the path of the hash (`#/repo/abc` → `['repo', 'abc']`) and its query. */
export interface Route {
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

/** Parses a location hash such as `#/compare?metric=commits`. */
export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(search) };
}

/** A link target for a route. */
export function href(parts: readonly string[], query?: Readonly<Record<string, string>>) {
  const search = query === undefined ? '' : new URLSearchParams(query).toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${search === '' ? '' : `?${search}`}`;
}

/** The current route, re-rendering on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
