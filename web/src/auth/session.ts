/**
 * The signed-in session: OIDC discovery, login redirect, code exchange, refresh and sign-out against Keycloak.
 * Tokens live in memory and sessionStorage (per tab, gone when the tab closes); nothing goes to localStorage.
 */
import {
  authorizeUrl,
  codeChallenge,
  codeExchangeBody,
  jwtClaims,
  parseCallback,
  randomString,
  refreshAt,
  refreshBody,
} from './pkce';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  /** Epoch ms at which to refresh. */
  refresh_at: number;
}

const TOKENS = 'medlake.tokens';
const PENDING = 'medlake.login';
const SIGNED_OUT = 'medlake.signedOut';

export class AuthError extends Error {}

export class Session {
  private tokens: Tokens | null = null;
  private timer: number | undefined;
  private refreshing: Promise<boolean> | null = null;

  private constructor(
    readonly clientId: string,
    private readonly discovery: Discovery,
  ) {}

  /** Reads the server's config and the issuer's discovery document. */
  static async load(): Promise<Session> {
    const cfgRes = await fetch('/api/v1/config');
    if (!cfgRes.ok) {
      throw new AuthError(`The server's login configuration (GET /api/v1/config) answered ${cfgRes.status}.`);
    }
    const cfg = (await cfgRes.json()) as { issuer: string; client_id: string };
    const issuer = cfg.issuer.replace(/\/$/, '');
    let disc: Discovery;
    try {
      const d = await fetch(`${issuer}/.well-known/openid-configuration`);
      if (!d.ok) {
        throw new Error(`HTTP ${d.status}`);
      }
      disc = (await d.json()) as Discovery;
    } catch (e) {
      throw new AuthError(`The identity provider ${issuer} cannot be reached (${(e as Error).message}).`);
    }
    return new Session(cfg.client_id, disc);
  }

  static redirectUri(): string {
    return location.origin + location.pathname;
  }

  /** True when the user signed out in this tab (show a Sign in button instead of redirecting at once). */
  static signedOut(): boolean {
    return sessionStorage.getItem(SIGNED_OUT) === '1';
  }

  /**
   * Completes a login redirect if the URL carries one, else restores the tab's tokens.
   * @returns true when signed in
   */
  async start(): Promise<boolean> {
    const cb = parseCallback(location.search);
    if (cb.kind !== 'none') {
      const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as
        | { state: string; verifier: string; nonce: string; hash: string }
        | null;
      sessionStorage.removeItem(PENDING);
      history.replaceState(null, '', Session.redirectUri() + (pending?.hash ?? ''));
      if (cb.kind === 'error') {
        throw new AuthError(`Sign-in failed: ${cb.error}${cb.description ? ' – ' + cb.description : ''}.`);
      }
      if (!pending || pending.state !== cb.state) {
        // A stale or forged redirect: start over rather than trust it.
        return false;
      }
      const res = await fetch(this.discovery.token_endpoint, {
        method: 'POST',
        body: codeExchangeBody(cb.code, Session.redirectUri(), this.clientId, pending.verifier),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        throw new AuthError(`Sign-in failed at the token endpoint: ${body.error_description ?? body.error ?? res.status}.`);
      }
      if (body.id_token && jwtClaims(body.id_token).nonce !== pending.nonce) {
        throw new AuthError('Sign-in failed: the ID token does not answer this login (nonce mismatch).');
      }
      this.store(body);
      return true;
    }
    const saved = sessionStorage.getItem(TOKENS);
    if (saved) {
      this.tokens = JSON.parse(saved) as Tokens;
      if (Date.now() >= this.tokens.refresh_at) {
        return this.refresh();
      }
      this.schedule();
      return true;
    }
    return false;
  }

  /** Sends the browser to the login page; comes back to the current hash route. */
  async login(): Promise<never> {
    const verifier = randomString(64);
    const state = randomString(32);
    const nonce = randomString(32);
    sessionStorage.removeItem(SIGNED_OUT);
    sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, nonce, hash: location.hash }));
    location.assign(
      authorizeUrl({
        authorizationEndpoint: this.discovery.authorization_endpoint,
        clientId: this.clientId,
        redirectUri: Session.redirectUri(),
        state,
        nonce,
        challenge: await codeChallenge(verifier),
      }),
    );
    return new Promise<never>(() => {});
  }

  /** Ends the Keycloak session too (end_session_endpoint), then comes back signed out. */
  logout(): void {
    const idToken = this.tokens?.id_token;
    this.clear();
    sessionStorage.setItem(SIGNED_OUT, '1');
    const end = this.discovery.end_session_endpoint;
    if (!end) {
      location.assign(Session.redirectUri());
      return;
    }
    const url = new URL(end);
    url.searchParams.set('client_id', this.clientId);
    url.searchParams.set('post_logout_redirect_uri', Session.redirectUri());
    if (idToken) {
      url.searchParams.set('id_token_hint', idToken);
    }
    location.assign(url.toString());
  }

  accessToken(): string | null {
    return this.tokens?.access_token ?? null;
  }

  /** Claims of the access token (for the user name before /me answers). */
  claims(): Record<string, unknown> {
    return this.tokens ? jwtClaims(this.tokens.access_token) : {};
  }

  /** Refreshes the tokens now (one refresh at a time). @returns false when the session is over. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const rt = this.tokens?.refresh_token;
    if (!rt) {
      this.clear();
      return false;
    }
    try {
      const res = await fetch(this.discovery.token_endpoint, { method: 'POST', body: refreshBody(rt, this.clientId) });
      if (!res.ok) {
        this.clear();
        return false;
      }
      this.store(await res.json());
      return true;
    } catch {
      // Network trouble: keep the tokens, try again shortly.
      this.timer = window.setTimeout(() => void this.refresh(), 10_000);
      return this.tokens !== null;
    }
  }

  private store(body: { access_token: string; refresh_token?: string; id_token?: string; expires_in?: number }): void {
    this.tokens = {
      access_token: body.access_token,
      refresh_token: body.refresh_token ?? this.tokens?.refresh_token,
      id_token: body.id_token ?? this.tokens?.id_token,
      refresh_at: refreshAt(Date.now(), body.expires_in ?? 300),
    };
    sessionStorage.setItem(TOKENS, JSON.stringify(this.tokens));
    this.schedule();
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    if (this.tokens) {
      this.timer = window.setTimeout(() => void this.refresh(), Math.max(0, this.tokens.refresh_at - Date.now()));
    }
  }

  private clear(): void {
    window.clearTimeout(this.timer);
    this.tokens = null;
    sessionStorage.removeItem(TOKENS);
  }
}
