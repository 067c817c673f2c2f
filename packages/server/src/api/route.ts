// A route of the admin API: one declaration drives request validation, the handler,
// response production (through the response schema) and the OpenAPI operation.
import type { Context } from 'koa';
import type { z } from 'zod';
import type { Access, Instance, RoutePermission } from '@idaas/core';
import type { ServerContext, TokenInfo } from '../context.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type In<S> = S extends z.ZodType ? z.input<S> : void;

export interface Call<Q, B> {
  ctx: Context;
  sctx: ServerContext;
  admin: TokenInfo;
  /** A path parameter (declared in the path template, so always present). */
  param(name: string): string;
  /** The instance named by the `{slug}` path parameter; 404 when there is none. */
  instance(): Promise<Instance>;
  /**
   * The caller's permissions on the `{slug}` instance (null when the route names none);
   * `access.operator` is true for the operator.
   */
  access: Access | null;
  /** True when the caller is the operator (idaas:admin). */
  operator: boolean;
  query: Out<Q>;
  body: Out<B>;
}

export interface RouteDef<
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
> {
  method: Method;
  /** OpenAPI-style template under /api/v1, e.g. `/instances/{slug}/users/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /**
   * The permission a caller needs (delegated administration, issue 6). Instance routes
   * name an instance permission; operator-only routes `platform:operate`; commerce routes
   * authorised by account membership `account:member`.
   */
  permission: RoutePermission;
  /**
   * For a route with an instance permission but no `{slug}` (e.g. listing instances):
   * members may call it because the handler returns only the instances they hold
   * permissions on. Without it such routes are the operator's.
   */
  ownInstancesOnly?: boolean;
  query?: Q;
  body?: B;
  /** Success status: 200 by default, 201 for creations, 204 when there is no response body. */
  status?: 200 | 201 | 204;
  response?: R;
  /**
   * A success body that is not JSON (exports): the media types the handler may answer
   * with. The handler sets ctx.type and ctx.body (a string or a stream) itself; `response`
   * is then absent.
   */
  produces?: string[];
  /** Additional error statuses this route may produce (beyond 400/401/403/404/413/415/500). */
  errors?: number[];
  /** Extra words for the OpenAPI description. */
  description?: string;
  handler(call: Call<Q, B>): Promise<In<R>>;
}

// The table holds routes of different shapes; their handlers are only ever called
// with what their own schemas produced.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any>;

export function route<
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(def: RouteDef<Q, B, R>): AnyRoute {
  return def as AnyRoute;
}

/** Compiles `/instances/{slug}/users/{id}` into a matcher with named groups. */
export function compilePath(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  return { regex: new RegExp(`^${pattern}$`), names };
}
