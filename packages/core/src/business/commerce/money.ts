// Money at the edges of commerce: integer fen in storage, decimal CNY strings on the
// wire ("99.00"); all arithmetic goes through @idaas/agreement (decimal.js), rounded
// half up once at the end.
import { money, round2, type Amount } from '@idaas/agreement';
import { AppError } from '../../errors.ts';

const CNY = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** "99.00" for 9900 fen. */
export function fenToCny(fen: number): string {
  return money(fen).dividedBy(100).toFixed(2);
}

/** A decimal CNY amount rounded half up to fen. */
export function toFen(cny: Amount): number {
  return round2(cny).times(100).toNumber();
}

/** Parses a positive CNY amount with at most 2 decimals; anything else is a 400 naming `field`. */
export function parseCny(text: unknown, field: string, opts: { allowZero?: boolean } = {}): number {
  const s = typeof text === 'number' ? String(text) : text;
  if (typeof s !== 'string' || !CNY.test(s.trim()))
    throw new AppError(
      'validation_failed',
      `${field}: must be a positive amount in CNY with at most 2 decimals, e.g. 99.00`,
      { issues: [{ field, message: 'must be a positive amount in CNY with at most 2 decimals' }] },
    );
  const fen = money(s.trim()).times(100).toNumber();
  if (fen <= 0 && !opts.allowZero)
    throw new AppError('validation_failed', `${field}: must be greater than 0`, {
      issues: [{ field, message: 'must be greater than 0' }],
    });
  if (!Number.isSafeInteger(fen))
    throw new AppError('validation_failed', `${field}: too large`, {
      issues: [{ field, message: 'too large' }],
    });
  return fen;
}
