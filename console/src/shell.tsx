import { useEffect, useRef, useState } from 'preact/hooks';
import { useApi } from './api/api.ts';
import { hrefs, type Route, useRoute } from './router.ts';
import { DeliveriesView } from './views/deliveries.tsx';
import { DeliveryView } from './views/delivery.tsx';
import { LinkView } from './views/link.tsx';

/** The frame around every view: skip link, navigation, the live socket's state, sign out. */
export function Shell({ signOut }: { signOut: () => void }) {
  const api = useApi();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const [live, setLive] = useState<boolean | null>(null);
  useEffect(() => api.onLive(setLive), [api]);
  // A new view takes the focus, as a page load would: keyboard and screen reader users start there.
  const first = useRef(true);
  const key = route.view === 'delivery' ? `delivery:${route.id}` : route.view;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [key]);

  const current = (view: Route['view']) => (route.view === view ? 'page' : undefined);
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => skipTo(event, main.current)}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Stanza Gateway</span>
        <nav aria-label="Views">
          <a href={hrefs.deliveries()} aria-current={current('deliveries') ?? current('delivery')}>
            Deliveries
          </a>
          <a href={hrefs.link()} aria-current={current('link')}>
            Link and traffic
          </a>
        </nav>
        <span class={`live ${live ? 'on' : 'off'}`} role="status">
          {live === null ? 'Live updates: starting' : live ? 'Live updates: on' : 'Live updates: reconnecting'}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main}>
        <View route={route} />
      </main>
    </>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'deliveries':
      return <DeliveriesView params={route.params} />;
    case 'delivery':
      return <DeliveryView key={route.id} id={route.id} />;
    case 'link':
      return <LinkView />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            There is no view at <code>{route.path}</code>. <a href={hrefs.deliveries()}>Go to the deliveries.</a>
          </p>
        </>
      );
  }
}

// The skip link must not change the hash (the hash is the route).
function skipTo(event: Event, target: HTMLElement | null): void {
  event.preventDefault();
  target?.querySelector<HTMLElement>('h1')?.focus();
}
