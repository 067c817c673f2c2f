export * from './clock.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './envelope.ts';
export * from './password.ts';
export type * from './domain.ts';
export type * from './ports.ts';
