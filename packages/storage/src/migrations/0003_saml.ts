// 0003: SAML 2.0 identity provider (filled in by the SAML work).
const common = (_t: { text: string; int: string }): string[] => [];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
