import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'pt_';

/** A new API token: 256 random bits, URL-safe. Only its hash is ever stored. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Tokens carry 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The first characters of a token, kept in clear so an admin can tell keys apart. */
export function tokenPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
