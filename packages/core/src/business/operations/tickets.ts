// Support tickets (G5.2): consultation or fault tickets for an instance with severity
// 1 (critical) … 4 (low); operators answer; open → answered → resolved → closed;
// first response tracked against a target per severity; both sides notified.
import { HOUR } from '@idaas/agreement';
import { AppError, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Repos } from '../../ports.ts';
import type { Ticket, TicketKind, TicketMessage, TicketStatus } from '../operations-ports.ts';
import type { OperationsDeps } from './deps.ts';
import type { NoticeService } from './notices.ts';

export type Actor = { kind: 'customer' | 'operator'; id: string | null };

/** Allowed status changes, by who may make them. */
const FLOW: Record<TicketStatus, Partial<Record<TicketStatus, Actor['kind'][]>>> = {
  open: {
    answered: ['operator'],
    resolved: ['operator', 'customer'],
    closed: ['customer', 'operator'],
  },
  answered: {
    open: ['customer'],
    resolved: ['operator', 'customer'],
    closed: ['customer', 'operator'],
  },
  resolved: { open: ['customer'], closed: ['customer', 'operator'] },
  closed: {},
};

export function mayTransition(from: TicketStatus, to: TicketStatus, by: Actor['kind']): boolean {
  return FLOW[from][to]?.includes(by) ?? false;
}

const KINDS: TicketKind[] = ['consultation', 'fault'];

export class TicketService {
  readonly #d: OperationsDeps;
  readonly #notices: NoticeService;
  constructor(deps: OperationsDeps, notices: NoticeService) {
    this.#d = deps;
    this.#notices = notices;
  }

  async #now(accountId: string): Promise<Date> {
    return (await this.#d.clocks.clockFor(accountId)).now();
  }

  async open(input: {
    accountId: string;
    instanceId: string | null;
    kind: string;
    severity: number;
    subject: string;
    body: string;
    openedBy: string | null;
  }): Promise<Ticket> {
    if (!KINDS.includes(input.kind as TicketKind))
      throw invalid('kind', 'must be consultation or fault');
    if (![1, 2, 3, 4].includes(input.severity)) throw invalid('severity', 'must be 1, 2, 3 or 4');
    if (!input.subject.trim()) throw invalid('subject', 'must not be empty');
    if (!input.body.trim()) throw invalid('body', 'must not be empty');
    const acct = await this.#d.store.repos.opsLookups.accountKind(input.accountId);
    if (!acct) throw invalid('accountId', 'no such account');
    if (input.instanceId) {
      const ref = await this.#d.store.repos.opsLookups.instanceRef(input.instanceId);
      if (!ref || ref.accountId !== input.accountId)
        throw invalid('instance', 'no such instance of this account');
    }
    const now = await this.#now(input.accountId);
    const severity = input.severity as Ticket['severity'];
    const t: Ticket = {
      id: newId(this.#d.clock),
      accountId: input.accountId,
      instanceId: input.instanceId,
      kind: input.kind as TicketKind,
      severity,
      status: 'open',
      subject: input.subject.trim(),
      createdAt: now,
      updatedAt: now,
      firstResponseAt: null,
      responseDueAt: new Date(now.getTime() + this.#d.options.responseHours[severity] * HOUR),
      openedBy: input.openedBy,
    };
    await this.#d.store.transaction(async (tx) => {
      await tx.tickets.insert(t);
      await tx.tickets.addMessage({
        id: newId(this.#d.clock),
        ticketId: t.id,
        authorKind: 'customer',
        authorId: input.openedBy,
        body: input.body,
        createdAt: now,
      });
      await this.#notifyBoth(tx, t, 'opened', now, t.id);
    });
    return t;
  }

  async #notifyBoth(tx: Repos, t: Ticket, event: string, at: Date, ref: string): Promise<void> {
    const vars = {
      ticket: t.id,
      subject: t.subject,
      status: t.status,
      severity: t.severity,
      kind: t.kind,
      response_due_at: t.responseDueAt.toISOString(),
    };
    const key = `ticket:${t.id}:${event}:${ref}`;
    await this.#notices.notifyRows(
      {
        accountId: t.accountId,
        instanceId: t.instanceId,
        template: `ticket.${event}`,
        vars,
        clause: 'G5.2.1',
        dedupeKey: `${key}:customer`,
        at,
      },
      tx,
    );
    const operator = await tx.opsLookups.operatorAccount();
    if (operator && operator !== t.accountId)
      await this.#notices.notifyRows(
        {
          accountId: operator,
          instanceId: t.instanceId,
          template: `ticket.operator.${event}`,
          vars,
          clause: 'G5.2.1',
          dedupeKey: `${key}:operator`,
          at,
        },
        tx,
      );
  }

  async get(
    id: string,
    accountId?: string,
  ): Promise<{ ticket: Ticket; messages: TicketMessage[] }> {
    const t = await this.#d.store.repos.tickets.get(id);
    if (!t || (accountId !== undefined && t.accountId !== accountId)) throw notFound('ticket');
    return { ticket: t, messages: await this.#d.store.repos.tickets.messages(id) };
  }

  list(q: { accountId?: string; status?: TicketStatus; limit: number; cursor: string | null }) {
    return this.#d.store.repos.tickets.list(q);
  }

  /**
   * A message on a ticket. The first operator reply is the first response; an operator
   * reply moves an open ticket to answered, a customer reply an answered one back to open.
   */
  async reply(
    id: string,
    by: Actor,
    body: string,
  ): Promise<{ ticket: Ticket; message: TicketMessage }> {
    if (!body.trim()) throw invalid('body', 'must not be empty');
    const cur = (await this.get(id)).ticket;
    if (cur.status === 'closed')
      throw new AppError('conflict', 'status: the ticket is closed', {
        issues: [{ field: 'status', message: 'closed' }],
      });
    const now = await this.#now(cur.accountId);
    const next: Ticket = { ...cur, updatedAt: now };
    if (by.kind === 'operator') {
      next.firstResponseAt ??= now;
      if (cur.status === 'open') next.status = 'answered';
    } else if (cur.status === 'answered' || cur.status === 'resolved') next.status = 'open';
    const message: TicketMessage = {
      id: newId(this.#d.clock),
      ticketId: id,
      authorKind: by.kind,
      authorId: by.id,
      body,
      createdAt: now,
    };
    await this.#d.store.transaction(async (tx) => {
      if (!(await tx.tickets.update(next, cur.status)))
        throw new AppError('conflict', 'status: the ticket changed meanwhile; retry', {
          issues: [{ field: 'status', message: 'changed meanwhile' }],
        });
      await tx.tickets.addMessage(message);
      await this.#notifyBoth(
        tx,
        next,
        by.kind === 'operator' ? 'answered' : 'replied',
        now,
        message.id,
      );
    });
    return { ticket: next, message };
  }

  /** A status change; one the flow does not allow is a 409 naming `status`. */
  async transition(id: string, by: Actor, to: string): Promise<Ticket> {
    const statuses: TicketStatus[] = ['open', 'answered', 'resolved', 'closed'];
    if (!statuses.includes(to as TicketStatus))
      throw invalid('status', 'must be open, answered, resolved or closed');
    const cur = (await this.get(id)).ticket;
    if (!mayTransition(cur.status, to as TicketStatus, by.kind))
      throw new AppError(
        'conflict',
        `status: ${cur.status} → ${to} is not allowed for the ${by.kind}`,
        {
          issues: [{ field: 'status', message: `${cur.status} → ${to} not allowed` }],
        },
      );
    const now = await this.#now(cur.accountId);
    const next: Ticket = { ...cur, status: to as TicketStatus, updatedAt: now };
    if (by.kind === 'operator') next.firstResponseAt ??= now;
    await this.#d.store.transaction(async (tx) => {
      if (!(await tx.tickets.update(next, cur.status)))
        throw new AppError('conflict', 'status: the ticket changed meanwhile; retry', {
          issues: [{ field: 'status', message: 'changed meanwhile' }],
        });
      await this.#notifyBoth(tx, next, to, now, newId(this.#d.clock));
    });
    return next;
  }

  /** Tickets whose first response is late (or still missing past its due time). */
  breaches(at: Date): Promise<Ticket[]> {
    return this.#d.store.repos.tickets.breaches(at);
  }
}
