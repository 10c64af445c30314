/**
 * A small TCP proxy between a client and the test Dovecot that makes Dovecot behave like the
 * servers users have and we cannot run here:
 * - `stripUidNext`: drops `* OK [UIDNEXT n]` from SELECT/EXAMINE, as Courier does (RFC 3501 7.3.1
 *   makes it optional);
 * - `stripCopyUid`: drops the `[COPYUID …]` response code (RFC 4315 3) from COPY and MOVE answers, as
 *   a server without UIDPLUS would;
 * - `holdIdleMs`: holds what the server pushes during IDLE for that long, as Cyrus without idled or
 *   Courier do (up to 60 s), until the client ends the IDLE with DONE;
 * - `cutAll()` and `accepting`: drop every link and refuse new ones, for reconnect tests;
 * - `silent` and `silenceWhenClientSends()`: a server that stops answering but keeps its sockets
 *   open (a hung server, a half-dead NAT): what it sends is swallowed until `silent` is false again;
 * - `holdWhenClientSends()`: a slow link on one connection: the server's answers to it are held
 *   back (not lost) until the test lets them go, so that something can happen in between.
 * It reads responses whole (a line plus any `{n}` literals, RFC 3501 4.3) and forwards bytes as
 * they came; it does not speak TLS, and it hides COMPRESS=DEFLATE (RFC 4978) for the same reason.
 */
import * as net from 'node:net';

export interface ImapProxyOptions {
  stripUidNext?: boolean;
  stripCopyUid?: boolean;
  holdIdleMs?: number;
  /** Every line either side sends, as `C: …` or `S: …` (a response's first line), in the order the proxy passed them on. */
  transcript?: string[];
}

export interface ImapProxy {
  port: number;
  /** False: new connections are closed at once (the server is "down"). */
  accepting: boolean;
  /** Closes every link now, both sides. */
  cutAll(): void;
  /** Cuts every link once, when a client next sends a line matching `pattern` (before it reaches the server). */
  cutWhenClientSends(pattern: RegExp): Promise<void>;
  /**
   * True: every link, open or new, stays open but nothing the server sends reaches the client
   * (greetings included); what the client sends still reaches the server. False: answers flow again.
   */
  silent: boolean;
  /** Turns `silent` on once, when a client next sends a line matching `pattern` (the line still reaches the server). */
  silenceWhenClientSends(pattern: RegExp): Promise<void>;
  /**
   * When a client next sends a line matching `pattern` (it still reaches the server), holds back
   * everything the server sends on that link from then on. Resolves once the server's tagged answer
   * to that line is held, with the function that lets it all go, in order.
   */
  holdWhenClientSends(pattern: RegExp): Promise<() => void>;
  /**
   * When a client next sends a line matching `pattern`, the line never reaches the server: the proxy
   * answers it with a tagged `answer` (by default a `NO [SERVERBUG]`), as a server that refuses the
   * command would. Resolves then.
   */
  refuseWhenClientSends(pattern: RegExp, answer?: string): Promise<void>;
  /**
   * When a client sends the `nth` line matching `pattern` (from 1), every other link is cut; that
   * one goes on. E.g. the second login: the first connection dies while the second logs in.
   */
  cutOthersWhenClientSends(pattern: RegExp, nth: number): Promise<void>;
  /**
   * When a client next sends a line matching `pattern` (it still reaches the server), lets the next
   * `count` responses on that link through and holds back everything after them: a long answer
   * (a LIST of thousands of folders) caught halfway. Resolves once the hold begins, with the
   * function that lets it all go, in order.
   */
  holdAfterWhenClientSends(pattern: RegExp, count: number): Promise<() => void>;
  /**
   * As `holdAfterWhenClientSends`, but the link ends after the `count` responses (those reach the
   * client first): a server or link that dies in the middle of an answer. Resolves then.
   */
  cutAfterWhenClientSends(pattern: RegExp, count: number): Promise<void>;
  /** Links open now. */
  readonly links: number;
  /** Links whose client has sent IDLE and not yet DONE. */
  readonly idlingLinks: number;
  stop(): Promise<void>;
}

export async function startImapProxy(targetPort: number, options: ImapProxyOptions = {}): Promise<ImapProxy> {
  const links = new Set<Link>();
  let trap:
    | {
        pattern: RegExp;
        action: 'cut' | 'silence' | 'hold' | 'refuse' | 'after' | 'cut-others';
        answer?: string;
        /** Matching lines to let pass before the trap springs. */
        skip?: number;
        sprung: (link: Link, line: string) => void;
      }
    | undefined;
  /** True when the line sprang a cutting trap: the caller then forwards nothing. */
  const springs = (line: string, link: Link): boolean => {
    if (!trap || !trap.pattern.test(line)) return false;
    if (trap.skip) {
      trap.skip--;
      return false;
    }
    const { sprung, action, answer } = trap;
    trap = undefined;
    if (action === 'refuse') {
      link.answer(`${line.split(' ')[0]} ${answer}\r\n`);
      sprung(link, line);
      return true;
    }
    if (action === 'after') {
      sprung(link, line);
      return false;
    }
    if (action === 'cut-others') {
      for (const other of [...links]) if (other !== link) other.close();
      sprung(link, line);
      return false;
    }
    if (action === 'silence' || action === 'hold') {
      if (action === 'silence') proxy.silent = true;
      sprung(link, line);
      return false;
    }
    proxy.cutAll();
    sprung(link, line);
    return true;
  };
  const server = net.createServer((client) => {
    if (!proxy.accepting) {
      client.destroy();
      return;
    }
    const link = new Link(client, targetPort, options, springs, () => proxy.silent, () => links.delete(link));
    links.add(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') {
    throw new Error('the IMAP proxy could not read its port');
  }
  const proxy: ImapProxy = {
    port: address.port,
    accepting: true,
    cutAll() {
      for (const link of [...links]) link.close();
    },
    cutWhenClientSends(pattern) {
      return new Promise((resolve) => (trap = { pattern, action: 'cut', sprung: () => resolve() }));
    },
    silent: false,
    silenceWhenClientSends(pattern) {
      return new Promise((resolve) => (trap = { pattern, action: 'silence', sprung: () => resolve() }));
    },
    holdWhenClientSends(pattern) {
      return new Promise((resolve) => {
        trap = {
          pattern,
          action: 'hold',
          sprung: (link, line) => link.holdUntilAnswered(line.split(' ')[0], () => resolve(() => link.letGo())),
        };
      });
    },
    refuseWhenClientSends(pattern, answer = 'NO [SERVERBUG] refused by the test proxy') {
      return new Promise((resolve) => (trap = { pattern, action: 'refuse', answer, sprung: () => resolve() }));
    },
    cutOthersWhenClientSends(pattern, nth) {
      return new Promise((resolve) => (trap = { pattern, action: 'cut-others', skip: nth - 1, sprung: () => resolve() }));
    },
    holdAfterWhenClientSends(pattern, count) {
      return new Promise((resolve) => {
        trap = { pattern, action: 'after', sprung: (link) => link.passThen(count, 'hold', () => resolve(() => link.letGo())) };
      });
    },
    cutAfterWhenClientSends(pattern, count) {
      return new Promise((resolve) => {
        trap = { pattern, action: 'after', sprung: (link) => link.passThen(count, 'cut', () => resolve()) };
      });
    },
    get links() {
      return links.size;
    },
    get idlingLinks() {
      return [...links].filter((link) => link.idling).length;
    },
    stop() {
      proxy.cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

class Link {
  private readonly upstream: net.Socket;
  private fromServer = Buffer.alloc(0);
  private fromClient = '';
  /** Tag of the client's IDLE while it runs. */
  private idleTag: string | undefined;
  private held: { data: Buffer; due: number }[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Answers held back by `holdWhenClientSends`, and the tag whose answer the test waits for. */
  private paused: { responses: Buffer[]; tag: string; answered: () => void } | undefined;

  constructor(
    private readonly client: net.Socket,
    targetPort: number,
    private readonly options: ImapProxyOptions,
    private readonly springsTrap: (line: string, link: Link) => boolean,
    private readonly silent: () => boolean,
    private readonly onClose: () => void,
  ) {
    this.upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, this.upstream]) {
      socket.on('error', () => this.close());
      socket.on('close', () => this.close());
    }
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    this.upstream.on('data', (chunk: Buffer) => this.onServerData(chunk));
  }

  get idling(): boolean {
    return this.idleTag !== undefined;
  }

  /** Holds back what the server sends from now on; `answered` once the answer tagged `tag` is held. */
  holdUntilAnswered(tag: string, answered: () => void): void {
    this.paused = { responses: [], tag, answered };
  }

  /** Responses still let through before `passThen` holds or cuts. */
  private passing: { left: number; then: 'hold' | 'cut'; reached: () => void } | undefined;

  /** Lets the next `count` responses through, then holds back the rest (`letGo`) or ends the link after them. */
  passThen(count: number, then: 'hold' | 'cut', reached: () => void): void {
    this.passing = { left: count, then, reached };
  }

  /** Sends the client a response of the proxy's own. */
  answer(text: string): void {
    if (!this.closed) this.client.write(text);
  }

  /** Lets every held answer go, in order. */
  letGo(): void {
    const paused = this.paused;
    this.paused = undefined;
    if (paused && !this.closed) for (const response of paused.responses) this.client.write(response);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.holdTimer);
    this.client.destroy();
    this.upstream.destroy();
    this.onClose();
  }

  private onClientData(chunk: Buffer): void {
    // Watch the client's lines only to know when IDLE starts and ends; bytes pass unchanged.
    this.fromClient += chunk.toString('latin1');
    let forward = chunk;
    let end: number;
    while ((end = this.fromClient.indexOf('\r\n')) >= 0) {
      const line = this.fromClient.slice(0, end);
      this.fromClient = this.fromClient.slice(end + 2);
      if (this.springsTrap(line, this)) {
        if (this.closed) return;
        // A refused line: the server never sees it.
        forward = Buffer.from(forward.toString('latin1').replace(`${line}\r\n`, ''), 'latin1');
        continue;
      }
      this.options.transcript?.push(`C: ${line}`);
      const idle = /^(\S+) IDLE$/i.exec(line);
      if (idle) {
        this.idleTag = idle[1];
      } else if (/^DONE$/i.test(line) && this.idleTag) {
        // The server answers the next command with everything it held back.
        this.idleTag = undefined;
        this.release(Number.POSITIVE_INFINITY);
      }
    }
    if (forward.length) this.upstream.write(forward);
  }

  private onServerData(chunk: Buffer): void {
    if (this.silent()) {
      // Swallowed whole, with any response begun before: the client never sees it.
      this.fromServer = Buffer.alloc(0);
      this.held = [];
      return;
    }
    this.fromServer = Buffer.concat([this.fromServer, chunk]);
    let response: Buffer | undefined;
    while ((response = this.takeResponse())) {
      this.onServerResponse(response);
    }
  }

  /** One whole response: a line, and where it ends in `{n}`, the literal and the rest of the line. */
  private takeResponse(): Buffer | undefined {
    let at = 0;
    for (;;) {
      const end = this.fromServer.indexOf('\r\n', at, 'latin1');
      if (end < 0) return undefined;
      const literal = /\{(\d+)\+?\}$/.exec(this.fromServer.subarray(at, end).toString('latin1'));
      if (!literal) {
        const response = this.fromServer.subarray(0, end + 2);
        this.fromServer = this.fromServer.subarray(end + 2);
        return response;
      }
      at = end + 2 + Number(literal[1]);
      if (at > this.fromServer.length) return undefined;
    }
  }

  private onServerResponse(raw: Buffer): void {
    let response = raw;
    let text = response.toString('latin1');
    if (/ COMPRESS=DEFLATE/i.test(text)) {
      // The proxy reads every line it passes on: it cannot let the link be compressed (Cyrus offers it).
      text = text.replace(/ COMPRESS=DEFLATE/gi, '');
      response = Buffer.from(text, 'latin1');
    }
    if (this.options.stripCopyUid && /\[COPYUID [^\]]*\] ?/i.test(text)) {
      text = text.replace(/\[COPYUID [^\]]*\] ?/gi, '');
      response = Buffer.from(text, 'latin1');
    }
    if (this.options.stripUidNext && /^\* OK \[UIDNEXT \d+\]/i.test(text)) {
      return;
    }
    if (this.passing && this.passing.left-- <= 0) {
      const { then, reached } = this.passing;
      this.passing = undefined;
      if (then === 'cut') {
        // Ended, not destroyed: what was let through still reaches the client before the end.
        this.closed = true;
        this.client.end();
        this.upstream.destroy();
        this.onClose();
        reached();
        return;
      }
      this.holdUntilAnswered('', () => undefined);
      reached();
    }
    if (this.paused) {
      this.paused.responses.push(response);
      if (text.startsWith(`${this.paused.tag} `)) this.paused.answered();
      return;
    }
    const holdMs = this.options.holdIdleMs ?? 0;
    if (holdMs > 0 && this.idleTag && text.startsWith('* ')) {
      this.held.push({ data: response, due: Date.now() + holdMs });
      this.scheduleRelease();
      return;
    }
    // Nothing may overtake what is held: a tagged answer comes after the pushes before it.
    this.release(Number.POSITIVE_INFINITY);
    this.options.transcript?.push(`S: ${text.slice(0, text.indexOf('\r\n'))}`);
    this.client.write(response);
  }

  private release(upTo: number): void {
    if (this.silent()) {
      this.held = [];
      return;
    }
    while (this.held.length && this.held[0].due <= upTo) {
      this.client.write(this.held.shift()!.data);
    }
    this.scheduleRelease();
  }

  private scheduleRelease(): void {
    clearTimeout(this.holdTimer);
    if (this.held.length && !this.closed) {
      this.holdTimer = setTimeout(() => this.release(Date.now()), Math.max(0, this.held[0].due - Date.now()));
    }
  }
}
