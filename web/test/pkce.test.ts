import { describe, expect, it } from 'vitest';
import {
  authorizeUrl, base64url, base64urlDecodeText, codeChallenge, codeExchangeBody, jwtClaims, parseCallback, randomString,
  refreshAt, refreshBody,
} from '../src/auth/pkce';

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('encodes base64url without padding and decodes it back', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff, 0xfe]))).toBe('-__-');
    expect(base64url(new Uint8Array([1]))).toBe('AQ');
    expect(base64urlDecodeText(base64url(new TextEncoder().encode('héllo ✓')))).toBe('héllo ✓');
  });

  it('makes verifiers of unreserved characters only, of the asked length', () => {
    const v = randomString(128);
    expect(v).toHaveLength(128);
    expect(v).toMatch(/^[A-Za-z0-9\-._~]+$/);
    expect(randomString(43)).not.toBe(randomString(43));
  });

  it('skips biased bytes so every character is equally likely', () => {
    // bytes >= 198 are dropped; 0 and 66 both map to 'A', 65 to '~'
    let calls = 0;
    const source = (n: number) => {
      calls++;
      return Uint8Array.from({ length: n }, (_, i) => (calls === 1 ? [250, 0, 66, 65][i % 4] : 0));
    };
    expect(randomString(4, source)).toBe('AA~A');
  });

  it('builds the authorization request', () => {
    const url = new URL(authorizeUrl({
      authorizationEndpoint: 'http://127.0.0.1:8180/realms/medlake/protocol/openid-connect/auth',
      clientId: 'medlake-web', redirectUri: 'http://127.0.0.1:8080/', state: 's1', nonce: 'n1', challenge: 'c1',
    }));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:8180/realms/medlake/protocol/openid-connect/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code', client_id: 'medlake-web', redirect_uri: 'http://127.0.0.1:8080/', scope: 'openid profile',
      state: 's1', nonce: 'n1', code_challenge: 'c1', code_challenge_method: 'S256',
    });
  });

  it('reads the redirect back', () => {
    expect(parseCallback('')).toEqual({ kind: 'none' });
    expect(parseCallback('?code=abc&state=xyz&session_state=1')).toEqual({ kind: 'code', code: 'abc', state: 'xyz' });
    expect(parseCallback('?error=access_denied&error_description=no&state=xyz'))
      .toEqual({ kind: 'error', error: 'access_denied', description: 'no', state: 'xyz' });
  });

  it('forms the token requests', () => {
    expect(Object.fromEntries(codeExchangeBody('c', 'http://h/', 'medlake-web', 'v'))).toEqual({
      grant_type: 'authorization_code', code: 'c', redirect_uri: 'http://h/', client_id: 'medlake-web', code_verifier: 'v' });
    expect(Object.fromEntries(refreshBody('r', 'medlake-web')))
      .toEqual({ grant_type: 'refresh_token', refresh_token: 'r', client_id: 'medlake-web' });
  });

  it('reads JWT claims', () => {
    const payload = base64url(new TextEncoder().encode(JSON.stringify({ nonce: 'n1', preferred_username: 'alice' })));
    expect(jwtClaims(`e30.${payload}.sig`)).toEqual({ nonce: 'n1', preferred_username: 'alice' });
    expect(() => jwtClaims('nope')).toThrow();
  });

  it('refreshes 30 s before expiry, earlier for short tokens, never within 5 s', () => {
    expect(refreshAt(0, 300)).toBe(270_000);
    expect(refreshAt(0, 60)).toBe(45_000);
    expect(refreshAt(1000, 2)).toBe(6000);
  });
});
