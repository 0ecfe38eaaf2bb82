import { EventEmitter } from 'node:events';
import { logger } from '../observability/logger.ts';

/**
 * The in-process domain events, by name. Modules declare theirs by augmenting this interface from their
 * `events.ts`, so the kernel never imports a module:
 *
 *   declare module '../../platform/events/bus.ts' { interface DomainEvents { ProductPublished: { productId: string } } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation
export interface DomainEvents {}

export type EventName = keyof DomainEvents & string;
export type EventHandler<K extends EventName> = (event: DomainEvents[K]) => void | Promise<void>;

/**
 * Publish/subscribe within one process. A handler's failure (thrown or rejected) is logged and never reaches
 * the publisher or the other handlers. Events that must reach every replica are published on each one by a
 * cross-replica mechanism (the tenancy module does it from PostgreSQL notifications), so handlers should be
 * idempotent.
 */
export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  private readonly log = logger('events');

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends EventName>(name: K, handler: EventHandler<K>): () => void {
    const listener = (event: DomainEvents[K]) => {
      try {
        const result = handler(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.handlerFailed(name, error));
      } catch (error) {
        this.handlerFailed(name, error);
      }
    };
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  publish<K extends EventName>(name: K, event: DomainEvents[K]): void {
    this.emitter.emit(name, event);
  }

  /** Resolves with the next event of that name (tests, one-off waits). */
  next<K extends EventName>(name: K, matching: (event: DomainEvents[K]) => boolean = () => true): Promise<DomainEvents[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (event) => {
        if (!matching(event)) return;
        off();
        resolve(event);
      });
    });
  }

  private handlerFailed(name: string, error: unknown): void {
    this.log.error({ err: error, event: name }, 'event handler failed');
  }
}
