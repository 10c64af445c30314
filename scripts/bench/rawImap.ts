/** A bare IMAP client on a socket: the cheapest way to ask the same question, for the baselines. */
import * as net from 'node:net';

export class RawImap {
  /** The answer so far, as the chunks came: joined once, when the tagged line ends it. */
  private chunks: Buffer[] = [];
  /** The last bytes received, where the tagged line is looked for (never the whole answer: 100k lines). */
  private tail = '';
  private tag = 0;
  private waiting: { tag: string; resolve: (text: string) => void } | undefined;
  /** Waiting for unsolicited news (during IDLE): the time it came, in ms of `performance.now()`. */
  private watchers: { pattern: RegExp; resolve: (at: number) => void }[] = [];
  private idleTag: string | undefined;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      if (this.watchers.length) {
        const text = chunk.toString('latin1');
        this.watchers = this.watchers.filter((w) => !(w.pattern.test(text) && (w.resolve(at), true)));
      }
      this.chunks.push(chunk);
      this.tail = (this.tail + chunk.toString('latin1')).slice(-512);
      const w = this.waiting;
      if (w && new RegExp(`(^|\\r\\n)${w.tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n$`).test(this.tail)) {
        const text = Buffer.concat(this.chunks).toString('latin1');
        this.chunks = [];
        this.tail = '';
        this.waiting = undefined;
        w.resolve(text);
      }
    });
  }
  static async open(port: number): Promise<RawImap> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('data', resolve));
    const raw = new RawImap(socket);
    await raw.run('LOGIN alice secret');
    await raw.run('ENABLE QRESYNC');
    return raw;
  }
  run(command: string): Promise<string> {
    const tag = `R${++this.tag}`;
    return new Promise((resolve) => {
      this.waiting = { tag, resolve };
      this.socket.write(`${tag} ${command}\r\n`);
    });
  }
  /** Starts IDLE (RFC 2177) and resolves once the server is idling. */
  async idle(): Promise<void> {
    this.idleTag = `R${++this.tag}`;
    const idling = this.news(/^\+ /m);
    this.socket.write(`${this.idleTag} IDLE\r\n`);
    await idling;
  }

  /** Ends IDLE and resolves with the server's answer to it. */
  done(): Promise<string> {
    const tag = this.idleTag!;
    this.idleTag = undefined;
    return new Promise((resolve) => {
      this.waiting = { tag, resolve };
      this.socket.write('DONE\r\n');
    });
  }

  /** Resolves with the time (performance.now()) the server next sends something matching `pattern`. */
  news(pattern: RegExp): Promise<number> {
    return new Promise((resolve) => this.watchers.push({ pattern, resolve }));
  }

  close(): void {
    this.socket.destroy();
  }
}

