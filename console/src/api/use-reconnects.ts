import { useEffect, useState } from 'preact/hooks';
import { useApi } from './api.ts';

/**
 * Moves each time the live socket connects again after a drop: what was missed meanwhile is
 * then read anew (views put it in the dependencies of their queries).
 */
export function useReconnects(): number {
  const api = useApi();
  const [reconnects, setReconnects] = useState(0);
  useEffect(() => {
    let dropped = false;
    return api.onLive((connected) => {
      if (!connected) dropped = true;
      else if (dropped) {
        dropped = false;
        setReconnects((count) => count + 1);
      }
    });
  }, [api]);
  return reconnects;
}
