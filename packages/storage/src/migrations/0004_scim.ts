// 0004: SCIM 2.0 provisioning (filled in by the SCIM work).
const common = (_t: { text: string; int: string }): string[] => [];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
