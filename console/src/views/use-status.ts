import { useEffect, useState } from 'preact/hooks';
import { LinkStatusDocument, type LinkStatusQuery } from '../../generated/graphql.ts';
import { useApi } from '../api/api.ts';

/**
 * `status`, read every second, and the rates the charts draw from its counters: stanzas per
 * second in and out (the last minute), webhook outcomes per minute (the last 15 minutes). They
 * start when the view opens; a counter that goes back (the gateway restarted) starts them anew.
 */
export type Status = LinkStatusQuery['status'];

export interface PerSecond {
  at: number;
  in: number;
  out: number;
}

export interface PerMinute {
  minute: number;
  delivered: number;
  failed: number;
  retries: number;
}

interface Sample {
  at: number;
  startedAt: string;
  in: number;
  out: number;
  delivered: number;
  failed: number;
  retries: number;
}

const SECONDS_KEPT = 60;
const MINUTES_KEPT = 15;

function sampleOf(status: Status, at: number): Sample {
  const deliveries = status.webhooks?.deliveries;
  return {
    at,
    startedAt: status.startedAt,
    in: status.stanzasIn.total,
    out: status.stanzasOut.total,
    delivered: deliveries?.delivered ?? 0,
    failed: deliveries?.failed ?? 0,
    retries: deliveries?.retries ?? 0,
  };
}

export function addMinute(minutes: PerMinute[], minute: number, delta: Omit<PerMinute, 'minute'>): PerMinute[] {
  const last = minutes.at(-1);
  const current = last?.minute === minute ? last : { minute, delivered: 0, failed: 0, retries: 0 };
  const updated = {
    minute,
    delivered: current.delivered + delta.delivered,
    failed: current.failed + delta.failed,
    retries: current.retries + delta.retries,
  };
  const kept = last?.minute === minute ? minutes.slice(0, -1) : minutes;
  return [...kept, updated].slice(-MINUTES_KEPT);
}

export function useStatus(intervalMs = 1000) {
  const api = useApi();
  const [state, setState] = useState<{
    status: Status | null;
    error: string | null;
    perSecond: PerSecond[];
    perMinute: PerMinute[];
    last: Sample | null;
  }>({ status: null, error: null, perSecond: [], perMinute: [], last: null });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { status } = await api.query(LinkStatusDocument, {});
        const at = Date.now();
        if (stopped) return;
        setState((previous) => {
          const sample = sampleOf(status, at);
          const last = previous.last;
          if (!last || last.startedAt !== sample.startedAt || sample.in < last.in)
            return { status, error: null, perSecond: [], perMinute: [], last: sample };
          const seconds = Math.max(0.001, (at - last.at) / 1000);
          const perSecond = [
            ...previous.perSecond,
            { at, in: (sample.in - last.in) / seconds, out: (sample.out - last.out) / seconds },
          ].slice(-SECONDS_KEPT);
          const perMinute = addMinute(previous.perMinute, Math.floor(at / 60_000), {
            delivered: sample.delivered - last.delivered,
            failed: sample.failed - last.failed,
            retries: sample.retries - last.retries,
          });
          return { status, error: null, perSecond, perMinute, last: sample };
        });
      } catch (failure) {
        if (!stopped)
          setState((previous) => ({
            ...previous,
            error: failure instanceof Error ? failure.message : String(failure),
          }));
      }
      if (!stopped) timer = setTimeout(() => void poll(), intervalMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, intervalMs]);
  return state;
}
