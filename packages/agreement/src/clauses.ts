// Every clause id of agreement.md, and the one place that says which of them this
// package does not carry out, and why. scripts/clause-coverage.ts checks that this
// list matches the spec and that every other clause is cited by a test.

export const CLAUSE_IDS = [
  'G2', 'G3.1', 'G3.2.1', 'G3.2.2', 'G3.3', 'G3.4', 'G3.5',
  'G4.5', 'G4.6', 'G4.7', 'G4.10', 'G5.2.1', 'G5.2.2', 'G5.6', 'G5.8',
  'G6.1', 'G6.2', 'G6.3', 'G6.4', 'G6.5', 'G6.6',
  'G9.1.1', 'G9.1.2', 'G9.1.3', 'G9.1.4', 'G9.2', 'G9.3.1', 'G9.3.2', 'G9.3.3', 'G9.3.4', 'G9.4',
  'G10.1', 'G10.3', 'G10.4', 'G10.6', 'G11.1', 'G11.3', 'G11.4', 'G14.1', 'G14.2',
  'P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10',
  'P11', 'P12', 'P13', 'P14', 'P15', 'P16', 'P17', 'P18', 'P19', 'P20',
  'P21', 'P22', 'P23', 'P24', 'P25', 'P26', 'P27', 'P28', 'P29', 'P30', 'P31',
  'ID1', 'ID2', 'ID3', 'SLA1', 'SLA2', 'SLA3',
] as const; // prettier-ignore
export type ClauseId = (typeof CLAUSE_IDS)[number];

const known = new Set<string>(CLAUSE_IDS);
export function isClauseId(x: unknown): x is ClauseId {
  return typeof x === 'string' && known.has(x);
}

/**
 * Clauses this package does not carry out. `prose`: the clause states no rule a
 * program can execute. `elsewhere`: an executable rule that belongs to another
 * package (named), not to the agreement math; it is not hidden, just not here.
 */
export const NOT_HERE: Readonly<Record<string, { kind: 'prose' | 'elsewhere'; reason: string }>> = {
  G2: {
    kind: 'elsewhere',
    reason: 'one instance belongs to one account: the core domain model (instances, accounts)',
  },
  'G4.5': {
    kind: 'elsewhere',
    reason: 'secret hashing, show-once secrets and rotation: core and server security code',
  },
  'G4.7': {
    kind: 'elsewhere',
    reason: 'self-service export/backup and restore: core use-cases and the server API',
  },
  'G4.10': {
    kind: 'prose',
    reason: 'publishing operating guides is documentation, not a rule to compute',
  },
  'G5.2.1': { kind: 'elsewhere', reason: 'support channels: core tickets' },
  'G5.2.2': { kind: 'elsewhere', reason: 'fault reports by ticket: core tickets' },
  'G5.6': {
    kind: 'elsewhere',
    reason: 'authorised accounts acting for the customer: core accounts and audit',
  },
  'G6.1': { kind: 'prose', reason: 'ownership of data is a legal statement' },
  'G6.2': { kind: 'prose', reason: 'purposes of use and disclosure are a legal statement' },
  'G6.6': {
    kind: 'elsewhere',
    reason: 'data stays in the chosen region: storage/server deployment configuration',
  },
  'G9.3.1': {
    kind: 'prose',
    reason: 'termination by mutual agreement has terms agreed case by case (money math: G9.3.3)',
  },
  'G9.3.2': {
    kind: 'elsewhere',
    reason:
      'termination for serious breach is an operator decision in core; no timer or event of this package',
  },
  'G9.4': {
    kind: 'prose',
    reason:
      'no notice period is fixed for service or price changes; delivery of the notice itself is G11.3',
  },
  'G10.1': {
    kind: 'prose',
    reason: 'the provider MAY act on breach: a discretionary operator action, no deadline',
  },
  'G11.1': {
    kind: 'elsewhere',
    reason: 'keeping contact details current: core accounts (validity of notices is G11.4)',
  },
  'G14.1': { kind: 'prose', reason: 'precedence between documents is for people reading them' },
};
