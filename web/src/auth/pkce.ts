/**
 * OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) for a public client: the pure parts, on WebCrypto.
 * No storage, no navigation: session.ts does those.
 */

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** Base64url without padding (RFC 4648 section 5), as PKCE and JWTs use it. */
export function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) {
    bin += String.fromCharCode(b);
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url (padding optional) to a string of UTF-8 text. */
export function base64urlDecodeText(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** A random string of `length` unreserved characters (43..128 for a code verifier; also used for state and nonce). */
export function randomString(length = 64, random: (n: number) => Uint8Array = randomBytes): string {
  if (length < 1) {
    throw new RangeError('length must be positive');
  }
  // 66 unreserved characters: reject bytes >= 198 (3 * 66) so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of random(length)) {
      if (b < 198 && out.length < length) {
        out += UNRESERVED[b % 66];
      }
    }
  }
  return out;
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface AuthorizeParams {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  challenge: string;
  scope?: string;
}

/** The authorization request URL (response_type=code, code_challenge_method=S256). */
export function authorizeUrl(p: AuthorizeParams): string {
  const url = new URL(p.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', p.scope ?? 'openid profile');
  url.searchParams.set('state', p.state);
  url.searchParams.set('nonce', p.nonce);
  url.searchParams.set('code_challenge', p.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export type CallbackResult =
  | { kind: 'none' }
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; error: string; description: string; state: string | null };

/** What the authorization server sent back in the redirect's query string (or nothing of it). */
export function parseCallback(search: string): CallbackResult {
  const q = new URLSearchParams(search);
  const error = q.get('error');
  if (error) {
    return { kind: 'error', error, description: q.get('error_description') ?? '', state: q.get('state') };
  }
  const code = q.get('code');
  const state = q.get('state');
  if (code && state) {
    return { kind: 'code', code, state };
  }
  return { kind: 'none' };
}

/** The token request body of the code exchange (form-encoded). */
export function codeExchangeBody(code: string, redirectUri: string, clientId: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: clientId,
    code_verifier: verifier,
  });
}

/** The token request body of a refresh. */
export function refreshBody(refreshToken: string, clientId: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
}

/** The claims of a JWT (payload only, not verified: the token came straight from the token endpoint). */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length < 2) {
    throw new Error('not a JWT');
  }
  return JSON.parse(base64urlDecodeText(parts[1])) as Record<string, unknown>;
}

/**
 * When to refresh a token that expires in `expiresInSeconds` (from `now` in ms): 30 s before expiry, or at 3/4 of
 * a short lifetime, never sooner than 5 s from now.
 */
export function refreshAt(now: number, expiresInSeconds: number): number {
  const life = expiresInSeconds * 1000;
  const lead = Math.min(30_000, life / 4);
  return now + Math.max(5_000, life - lead);
}
