// In-process events of the identity runtime, for metering (MAU, authentications), SLA
// windows and audit. Emitting never blocks or fails a request: listeners must not throw
// (an error is logged and dropped).
import { EventEmitter } from 'node:events';

export interface RuntimeEvents {
  /** An end user signed in (hosted sign-in form or any later factor). */
  authenticated: { instanceId: string; userId: string; at: Date };
  /** The token endpoint issued tokens. `userId` is null for client credentials. */
  tokenIssued: {
    instanceId: string;
    clientId: string;
    grantType: string;
    userId: string | null;
    at: Date;
  };
  /** An HTTP request under /i/:slug finished (SLA1: 5xx count as failed; 4xx are excluded by the consumer). */
  instanceRequest: { instanceSlug: string; status: number; at: Date };
}

export class RuntimeEventBus {
  readonly #emitter = new EventEmitter();
  readonly #onError: (err: unknown, event: string) => void;
  constructor(onError: (err: unknown, event: string) => void) {
    this.#onError = onError;
    this.#emitter.setMaxListeners(50);
  }
  on<K extends keyof RuntimeEvents>(
    event: K,
    listener: (e: RuntimeEvents[K]) => void | Promise<void>,
  ): void {
    this.#emitter.on(event, (e: RuntimeEvents[K]) => {
      try {
        const r = listener(e);
        if (r && typeof (r as Promise<void>).catch === 'function')
          (r as Promise<void>).catch((err) => this.#onError(err, event));
      } catch (err) {
        this.#onError(err, event);
      }
    });
  }
  emit<K extends keyof RuntimeEvents>(event: K, e: RuntimeEvents[K]): void {
    this.#emitter.emit(event, e);
  }
}
