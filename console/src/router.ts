import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes, so the gateway serves one page and a reload keeps the view. Only view names,
 * delivery ids and filters go into the URL — never the token.
 */
export type Route =
  | { view: 'deliveries'; params: URLSearchParams }
  | { view: 'delivery'; id: string }
  | { view: 'link' }
  | { view: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  if (path === '' || path === '/' || path === '/deliveries')
    return { view: 'deliveries', params: new URLSearchParams(query) };
  const delivery = /^\/deliveries\/([^/]+)$/.exec(path);
  if (delivery?.[1]) return { view: 'delivery', id: decodeURIComponent(delivery[1]) };
  if (path === '/link') return { view: 'link' };
  return { view: 'not-found', path };
}

export const hrefs = {
  deliveries: (params?: URLSearchParams) => {
    const query = params?.toString();
    return query ? `#/deliveries?${query}` : '#/deliveries';
  },
  delivery: (id: string) => `#/deliveries/${encodeURIComponent(id)}`,
  link: () => '#/link',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
