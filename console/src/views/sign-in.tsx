import { useState } from 'preact/hooks';
import { SignInDocument } from '../../generated/graphql.ts';
import { AuthError, postGraphql } from '../api/graphql-http.ts';

/**
 * The token is checked with one query before it is kept; a wrong one gets a clear message and
 * is not kept. The form posts nowhere: the token goes only into the Authorization header.
 */
export function SignIn({ notice, signedIn }: { notice: string | null; signedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError('Enter a token: one of the gateway’s API_TOKENS, or a scoped token with the status right.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await postGraphql(candidate, SignInDocument, {});
      signedIn(candidate);
    } catch (failure) {
      setError(
        failure instanceof AuthError
          ? 'Wrong token: the gateway refused it (403). Use one of its API_TOKENS, or a scoped token with the status right.'
          : `Could not sign in: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Stanza Gateway console</h1>
      {notice && !error && <p role="status">{notice}</p>}
      <form method="post" onSubmit={(event) => void submit(event)} aria-describedby="token-help">
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          aria-invalid={error ? true : undefined}
          aria-errormessage={error ? 'token-error' : undefined}
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <p id="token-help" class="hint">
          Kept for this tab only (until it closes), never in a URL.
        </p>
        {error && (
          <p id="token-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
