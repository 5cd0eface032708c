import { useEffect, useRef, useState } from 'preact/hooks';
import { type StanzaFilter, type StanzaKind, TailDocument, type TailSubscription } from '../../generated/graphql.ts';
import { useApi } from '../api/api.ts';
import { XmlBlock } from '../parts/xml-block.tsx';

/**
 * Inbound stanzas as they arrive (`stanzas(observe: true)`: watching never holds up an iq).
 * The filter is the subscription's own. Paused, arrivals wait (counted) and join on resume.
 */
type Stanza = TailSubscription['stanzas'];
interface Entry {
  key: number;
  at: string;
  stanza: Stanza;
}

const KEPT = 100;
const KINDS: StanzaKind[] = ['MESSAGE', 'PRESENCE', 'IQ'];

function summary(stanza: Stanza): string {
  switch (stanza.__typename) {
    case 'Message':
      return [stanza.messageType.toLowerCase(), stanza.body].filter(Boolean).join(': ');
    case 'Presence':
      return [stanza.presenceType?.toLowerCase(), stanza.status].filter(Boolean).join(': ');
    case 'Iq':
      return [
        stanza.iqType?.toLowerCase(),
        stanza.payload ? `${stanza.payload.name} (${stanza.payload.xmlns ?? ''})` : '',
      ]
        .filter(Boolean)
        .join(': ');
  }
}

const list = (value: FormDataEntryValue | null) =>
  typeof value === 'string'
    ? value
        .split(/[\s,]+/)
        .map((item) => item.trim())
        .filter(Boolean)
    : [];

export function LiveTail() {
  const api = useApi();
  const [filter, setFilter] = useState<StanzaFilter>({});
  const [entries, setEntries] = useState<Entry[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<Entry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const counter = useRef(0);

  useEffect(() => {
    setError(null);
    return api.subscribe(
      TailDocument,
      { filter },
      {
        next: ({ stanzas }) => {
          counter.current += 1;
          const entry = { key: counter.current, at: new Date().toISOString(), stanza: stanzas };
          if (pausedRef.current) setHeld((waiting) => [entry, ...waiting].slice(0, KEPT));
          else setEntries((shown) => [entry, ...shown].slice(0, KEPT));
        },
        error: (message) => setError(`The live tail stopped: ${message}`),
      },
    );
  }, [api, filter]);

  const togglePause = () => {
    if (paused) {
      setEntries((shown) => [...held, ...shown].slice(0, KEPT));
      setHeld([]);
    }
    setPaused(!paused);
  };

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setFilter({
      kinds: KINDS.filter((kind) => form.get(`kind-${kind}`) === 'on'),
      from: list(form.get('from')),
      to: list(form.get('to')),
      xmlns: list(form.get('xmlns')),
    });
  };

  return (
    <section aria-labelledby="tail-heading" class="panel">
      <h2 id="tail-heading">Live tail of inbound stanzas</h2>
      <form class="filters" onSubmit={apply} aria-label="Filter the live tail">
        <fieldset>
          <legend>Kinds (none checked: all)</legend>
          {KINDS.map((kind) => (
            <label key={kind} class="check">
              <input type="checkbox" name={`kind-${kind}`} /> {kind.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <div>
          <label for="tail-from">From</label>
          <input id="tail-from" name="from" type="text" placeholder="alice@example.net" />
        </div>
        <div>
          <label for="tail-to">To</label>
          <input id="tail-to" name="to" type="text" placeholder="bot@rest.example.net" />
        </div>
        <div>
          <label for="tail-xmlns">Payload namespace</label>
          <input id="tail-xmlns" name="xmlns" type="text" placeholder="urn:xmpp:ping" />
        </div>
        <div class="actions">
          <button type="submit">Apply filter</button>
        </div>
      </form>
      <div class="tail-controls">
        <button type="button" aria-pressed={paused} onClick={togglePause}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => setEntries([])}>
          Clear
        </button>
        <span role="status">
          {paused ? `Paused: ${held.length} waiting` : `${entries.length} shown (newest first)`}
        </span>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ol class="tail" aria-label="Inbound stanzas, newest first">
        {entries.map(({ key, at, stanza }) => (
          <li key={key}>
            <details>
              <summary>
                <time dateTime={at}>{new Date(at).toLocaleTimeString()}</time>{' '}
                <strong>{stanza.kind.toLowerCase()}</strong> <span class="jid">{stanza.from}</span> →{' '}
                <span class="jid">{stanza.to}</span> <span>{summary(stanza)}</span>
              </summary>
              <XmlBlock xml={stanza.xml} label={`The ${stanza.kind.toLowerCase()} from ${stanza.from}`} />
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
