// When a timer falls due: its anchor instant plus its delay (model.ts, Delay).
import type { Delay } from './model.ts';
import { DAY, HOUR, naturalDayStart } from './time.ts';

export function dueAt(delay: Delay, anchor: number, zone: string): number {
  switch (delay.kind) {
    case 'hours':
      return anchor + (delay.before ? -1 : 1) * delay.n * HOUR;
    case 'days':
      return anchor + (delay.before ? -1 : 1) * delay.n * DAY;
    case 'natural-day':
      return naturalDayStart(zone, anchor, delay.day, delay.count);
  }
}
