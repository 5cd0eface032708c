import { useEffect, useMemo, useState } from 'preact/hooks';
import { type Api, ApiContext, createApi } from './api/api.ts';
import { savedToken, saveToken } from './api/session.ts';
import { Shell } from './shell.tsx';
import { SignIn } from './views/sign-in.tsx';

/** Signed out: the sign-in form. Signed in: the API for this token and the views over it. */
export function App() {
  const [token, setToken] = useState(savedToken);
  const [notice, setNotice] = useState<string | null>(null);
  const api = useMemo<Api | null>(
    () =>
      token
        ? createApi(token, (reason) => {
            saveToken(null);
            setNotice(reason);
            setToken(null);
          })
        : null,
    [token],
  );
  useEffect(() => () => api?.close(), [api]);

  if (!api) {
    return (
      <SignIn
        notice={notice}
        signedIn={(accepted) => {
          saveToken(accepted);
          setNotice(null);
          setToken(accepted);
        }}
      />
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <Shell
        signOut={() => {
          saveToken(null);
          setNotice('Signed out.');
          setToken(null);
        }}
      />
    </ApiContext.Provider>
  );
}
