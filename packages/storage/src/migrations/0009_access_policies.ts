// access_policies: issue 6 (filled in by its owner; empty until then).
export const sqlite: string[] = [];
export const postgres: string[] = [];
