import type { AttemptDetailFragment } from '../../generated/graphql.ts';
import { clock } from '../parts/time.ts';

/** Every POST of one delivery: when, how long, what came back. */
export function AttemptList({ attempts }: { attempts: AttemptDetailFragment[] }) {
  if (attempts.length === 0) return <p class="empty">No attempt yet.</p>;
  return (
    <ol class="attempts">
      {attempts.map((attempt) => (
        <li key={attempt.number}>
          <h3>
            Attempt {attempt.number}:{' '}
            {attempt.httpStatus !== null
              ? `HTTP ${attempt.httpStatus}`
              : `no response (${attempt.errorKind ?? 'error'})`}
          </h3>
          <dl class="facts">
            <dt>Started</dt>
            <dd>
              <time dateTime={attempt.startedAt}>{clock(attempt.startedAt)}</time>
            </dd>
            <dt>Duration</dt>
            <dd>{attempt.durationMs} ms</dd>
            <dt>Status</dt>
            <dd>{attempt.httpStatus ?? '—'}</dd>
            {attempt.errorKind && (
              <>
                <dt>Error</dt>
                <dd>
                  {attempt.errorKind}
                  {attempt.errorText ? `: ${attempt.errorText}` : ''}
                </dd>
              </>
            )}
          </dl>
          {attempt.responseExcerpt ? (
            <>
              <h4>Response{attempt.responseTruncated ? ' (start only)' : ''}</h4>
              <pre class="code" tabIndex={0} aria-label={`Response of attempt ${attempt.number}`}>
                {attempt.responseExcerpt}
              </pre>
            </>
          ) : (
            <p class="hint">Empty response body.</p>
          )}
        </li>
      ))}
    </ol>
  );
}
