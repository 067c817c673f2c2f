// A section of the console: a group of screens under one path prefix, shown to some
// personas, loaded lazily (its code is a separate chunk fetched on first visit).
import type { ComponentType } from 'react';
import type { Persona } from '../auth.ts';

export type Group = 'operator' | 'customer' | 'admin';

export interface NavItem {
  /** in-app path, e.g. '/operator/plans' */
  to: string;
  /** i18n key of the label (registered eagerly by the section's definition module) */
  label: string;
}

export interface SectionProps {
  /** the path below BASE, e.g. '/operator/customers/acc_1' */
  path: string;
  query: URLSearchParams;
}

export interface SectionDef {
  group: Group;
  /** every path starting with this prefix belongs to the section */
  prefix: string;
  personas: Persona[];
  nav: NavItem[];
  /** the persona's start page when it is this section's */
  home?: Partial<Record<Persona, string>>;
  load: () => Promise<{ default: ComponentType<SectionProps> }>;
}
