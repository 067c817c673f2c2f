// Every section of the console, in navigation order. A new section adds its definition
// module (eager, small: nav labels and a dynamic import) to this list.
import type { SectionDef } from './section.ts';
import { operatorSection } from '../operator/section.ts';
import { customerSection } from '../customer/section.ts';
import { portalSection } from '../portal/section.ts';
import { adminSection } from '../admin/section.ts';

export const SECTIONS: SectionDef[] = [
  operatorSection,
  customerSection,
  adminSection,
  portalSection,
];
