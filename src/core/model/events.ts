/** A minimal, vscode-free event emitter in the shape of `vscode.EventEmitter`, so core stays plain Node. */

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        // A failing listener must not stop the others or the session that fired.
        console.error('Mailroom: event listener failed', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/**
 * The base of everything in core that holds listeners, timers or connections (STYLE pattern 1):
 * whatever it `register`s is disposed with it, newest first, and nothing registered after its
 * disposal outlives it.
 */
export abstract class DisposableBase implements Disposable {
  private readonly owned: Disposable[] = [];
  private disposedAlready = false;

  protected get isDisposed(): boolean {
    return this.disposedAlready;
  }

  protected register<T extends Disposable>(item: T): T {
    if (this.disposedAlready) {
      item.dispose();
    } else {
      this.owned.push(item);
    }
    return item;
  }

  /** An emitter disposed with this object. */
  protected emitter<T>(): Emitter<T> {
    return this.register(new Emitter<T>());
  }

  dispose(): void {
    this.disposedAlready = true;
    while (this.owned.length) {
      this.owned.pop()!.dispose();
    }
  }
}
