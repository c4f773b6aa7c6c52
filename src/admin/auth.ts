// Bearer-token check for the admin API. Both sides are hashed first so the comparison is
// constant-time whatever the lengths, and the token never appears in a message.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ShadowgateError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

export function requireToken(token: string | undefined) {
  const expected = token;
  return (req: Request, res: Response, next: NextFunction) => {
    if (expected === undefined) return next();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match && tokenMatches(expected, match[1]!.trim())) return next();
    const err = new ShadowgateError('SG_UNAUTHORIZED', 'admin API needs "Authorization: Bearer <admin token>"');
    res.status(401).set('www-authenticate', 'Bearer realm="shadowgate"').json(err.toJSON());
  };
}
