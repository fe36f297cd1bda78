/** Calls to the medlake REST API with the session's bearer token; errors as the server's problem+json detail. */
import type { Session } from './auth/session';

/** A failed API call: `detail` is the problem+json detail (what the user sees in role="alert"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code?: string,
  ) {
    super(detail);
  }
}

let session: Session | null = null;
let onSessionEnd: () => void = () => {};

export function useSession(s: Session, ended: () => void): void {
  session = s;
  onSessionEnd = ended;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

/** One request; retried once after a token refresh when the server says 401. */
export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {};
    const token = session?.accessToken();
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(path, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
    if (res.status === 401 && attempt === 0 && session) {
      if (await session.refresh()) {
        continue;
      }
      onSessionEnd();
    }
    if (!res.ok) {
      throw await problem(res);
    }
    return res;
  }
}

/** JSON of a successful call. */
export async function json<T>(path: string, opts: CallOptions = {}): Promise<T> {
  return (await call(path, opts)).json() as Promise<T>;
}

async function problem(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const p = JSON.parse(text) as { detail?: string; title?: string; code?: string };
    return new ApiError(res.status, p.detail ?? p.title ?? `HTTP ${res.status}`, p.code);
  } catch {
    return new ApiError(res.status, text.trim() || `The server answered HTTP ${res.status} ${res.statusText}.`);
  }
}

/** The message to show for any failure. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) {
    return e.detail;
  }
  if (e instanceof Error) {
    return e.message;
  }
  return String(e);
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

/** Path segment escaping for project, cohort and series names. */
export function seg(s: string): string {
  return encodeURIComponent(s);
}

/** Downloads a response body as a file through a temporary object URL and <a download>. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await call(path);
  const cd = res.headers.get('Content-Disposition') ?? '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  const name = m ? m[1] : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
