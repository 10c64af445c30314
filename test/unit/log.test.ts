/**
 * The log's own redaction. imapflow already hides the LOGIN password in what it logs, so a trace
 * of a real login proves nothing about Mailroom's redaction: these tests feed the lines that
 * reach it when imapflow does not hide them (a server echoing a command back, a literal, a SASL
 * continuation, another library's format) and check the secret is gone in every form.
 */
import * as assert from 'node:assert/strict';
import { imapflowLogger, redact, secretForms, silentLog, taggedLog, type MailLog } from '../../src/core/imap/log';

const user = 'alice';
const password = 'S3cr"et\\pw';
const forms = secretForms(user, password);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** True when no recognisable part of the password survived. */
function leaks(line: string): boolean {
  return line.includes('S3cr') || line.includes(b64(`\0${user}\0${password}`)) || line.includes(b64(password));
}

function capture(): { log: MailLog; lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  const at = (level: string) => (text: string) => lines.push({ level, text });
  return { log: { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

describe('redacting secrets from the log', () => {
  describe('LOGIN (RFC 3501 6.2.3)', () => {
    it('with quoted arguments, escapes included', () => {
      const out = redact('A1 LOGIN "alice" "S3cr\\"et\\\\pw"');
      assert.equal(out, 'A1 LOGIN "alice" "<redacted>"');
    });

    it('with atoms', () => {
      assert.equal(redact('a2 login alice hunter2'), 'a2 login alice "<redacted>"');
    });

    it('with the password sent as a literal: the marker, then the literal on its own line', () => {
      assert.equal(redact('A1 LOGIN alice {10}'), 'A1 LOGIN alice "<redacted>"');
      assert.equal(redact('A1 LOGIN alice {10+}'), 'A1 LOGIN alice "<redacted>"');
      assert.equal(redact('A1 LOGIN {5+} {10+}'), 'A1 LOGIN {5+} "<redacted>"');
      assert.equal(redact(password, forms), '<redacted>');
    });

    it('leaves other commands alone', () => {
      const line = 'A3 UID FETCH 1:* (FLAGS) "LOGINS"';
      assert.equal(redact(line), line);
      assert.equal(redact('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready', forms), '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready');
    });
  });

  describe('AUTHENTICATE (RFC 4959, RFC 4616)', () => {
    it('hides the SASL-IR initial response', () => {
      const line = `A1 AUTHENTICATE PLAIN ${b64(`\0${user}\0${password}`)}`;
      assert.equal(redact(line), 'A1 AUTHENTICATE PLAIN <redacted>');
    });

    it('hides a PLAIN continuation sent on a line of its own, with or without authzid', () => {
      assert.equal(redact(b64(`\0${user}\0${password}`), forms), '<redacted>');
      assert.equal(redact(b64(`${user}\0${user}\0${password}`), forms), '<redacted>');
    });

    it('hides the AUTH=LOGIN password continuation (base64 of the password alone)', () => {
      assert.equal(redact(b64(password), forms), '<redacted>');
    });
  });

  describe('a password echoed back by a server', () => {
    it('quoted and escaped, as in a BAD response that repeats the command', () => {
      const echoed = '* BAD Invalid arguments: "alice" "S3cr\\"et\\\\pw"';
      const out = redact(echoed, forms);
      assert.ok(!leaks(out), out);
      assert.match(out, /^\* BAD Invalid arguments: "alice" /);
    });

    it('escaped without its quotes', () => {
      const out = redact('* NO unknown user alice, password S3cr\\"et\\\\pw', forms);
      assert.ok(!leaks(out), out);
    });

    it('bare, anywhere in a line, as often as it occurs', () => {
      assert.equal(redact(`x ${password} y ${password}`, forms), 'x <redacted> y <redacted>');
    });
  });

  describe('secretForms', () => {
    it('lists the password, its quoted forms and its base64 SASL forms, longest first', () => {
      for (const form of [password, '"S3cr\\"et\\\\pw"', 'S3cr\\"et\\\\pw', b64(`\0alice\0${password}`), b64(`alice\0alice\0${password}`), b64(password)]) {
        assert.ok(forms.includes(form), `missing ${form}`);
      }
      assert.deepEqual(forms, [...forms].sort((a, b) => b.length - a.length));
      assert.equal(new Set(forms).size, forms.length);
    });

    it('has nothing to hide for an empty password (an empty secret would eat every line)', () => {
      assert.deepEqual(secretForms('alice', ''), []);
      assert.equal(redact('A1 NOOP', ['']), 'A1 NOOP');
    });

    it('redacts a quoted form whole, not just the password inside it', () => {
      assert.equal(redact('"S3cr\\"et\\\\pw"', forms), '<redacted>');
    });
  });

  describe('the imapflow logger', () => {
    it('sends wire lines to trace with their direction, redacted', () => {
      const { log, lines } = capture();
      const logger = imapflowLogger(log, forms);
      logger.debug({ src: 'c', msg: 'A1 LOGIN alice "x"' });
      logger.debug({ src: 's', msg: `* BAD echo ${password}` });
      logger.info({ src: 'c', msg: b64(`\0${user}\0${password}`) });
      assert.deepEqual(lines, [
        { level: 'trace', text: 'C: A1 LOGIN alice "<redacted>"' },
        { level: 'trace', text: 'S: * BAD echo <redacted>' },
        { level: 'trace', text: 'C: <redacted>' },
      ]);
    });

    it('sends other entries by level (info as debug, its errors as warnings: a lost link is reported by the session), redacted', () => {
      const { log, lines } = capture();
      const logger = imapflowLogger(log, forms);
      logger.trace({ msg: 't' });
      logger.debug({ msg: 'd' });
      logger.info({ msg: 'i' });
      logger.warn({ msg: `w ${password}` });
      logger.error({ msg: 'e' });
      logger.error({});
      logger.error({ err: { code: 'EPIPE', message: `write after end ${password}` } });
      assert.deepEqual(lines, [
        { level: 'trace', text: 't' },
        { level: 'debug', text: 'd' },
        { level: 'debug', text: 'i' },
        { level: 'warn', text: 'w <redacted>' },
        { level: 'warn', text: 'e' },
        { level: 'warn', text: '' },
        { level: 'warn', text: 'EPIPE: write after end <redacted>' },
      ]);
    });

    it('logs a command the server refused at debug, with what the server said, never a bare "Command failed"', () => {
      const { log, lines } = capture();
      const logger = imapflowLogger(log, forms);
      const refused = { message: 'Command failed', responseStatus: 'NO', responseText: 'Mailbox doesn\'t exist: Work', executedCommand: '5 EXAMINE Work' };
      logger.error({ err: refused });
      logger.warn({ err: { ...refused, executedCommand: '9 UID FETCH 1:* (FLAGS)', responseStatus: 'BAD', responseText: `echo ${password}` } });
      assert.deepEqual(lines, [
        { level: 'debug', text: 'EXAMINE refused: NO Mailbox doesn\'t exist: Work' },
        { level: 'debug', text: 'UID FETCH refused: BAD echo <redacted>' },
      ]);
    });

    it('folds the server\'s "* OK Still here" lines into a count at trace', () => {
      const { log, lines } = capture();
      const logger = imapflowLogger(log, forms);
      logger.debug({ src: 's', msg: '+ idling' });
      for (let i = 0; i < 40; i++) logger.debug({ src: 's', msg: '* OK Still here' });
      logger.debug({ src: 's', msg: '* 3 EXISTS' });
      logger.debug({ src: 'c', msg: 'DONE' });
      assert.deepEqual(lines.map((l) => l.text), ['S: + idling', 'S: * OK Still here (40 times, folded)', 'S: * 3 EXISTS', 'C: DONE']);
    });
  });

  it('tags every level of a log with its component', () => {
    const { log, lines } = capture();
    const tagged = taggedLog(log, 'imap alice');
    tagged.trace('a');
    tagged.debug('b');
    tagged.info('c');
    tagged.warn('d');
    tagged.error('e');
    assert.deepEqual(lines.map((l) => `${l.level} ${l.text}`), ['trace [imap alice] a', 'debug [imap alice] b', 'info [imap alice] c', 'warn [imap alice] d', 'error [imap alice] e']);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) silentLog[level]('nothing');
  });

  describe('LOGIN and AUTHENTICATE in their less common shapes', () => {
    it('with several spaces between the arguments', () => {
      assert.equal(redact('A1 LOGIN   alice   hunter2'), 'A1 LOGIN   alice   "<redacted>"');
      assert.equal(redact('A1 AUTHENTICATE   PLAIN   AGFsaWNlAGh1bnRlcjI='), 'A1 AUTHENTICATE   PLAIN   <redacted>');
    });

    it('with a quoted user name that holds an escaped quote and spaces', () => {
      assert.equal(redact('A1 LOGIN "al \\"ice" hunter2'), 'A1 LOGIN "al \\"ice" "<redacted>"');
    });

    it('with a quoted password that holds spaces and an escaped backslash', () => {
      assert.equal(redact('A1 LOGIN alice "a b\\\\c d"'), 'A1 LOGIN alice "<redacted>"');
    });

    it('with literals of several digits, synchronising or not (RFC 3501 4.3, RFC 7888)', () => {
      assert.equal(redact('A1 LOGIN {12} {345}'), 'A1 LOGIN {12} "<redacted>"');
      assert.equal(redact('A1 LOGIN {12+} {345+}'), 'A1 LOGIN {12+} "<redacted>"');
      assert.equal(redact('A1 LOGIN alice {12}'), 'A1 LOGIN alice "<redacted>"');
      assert.equal(redact('A1 LOGIN alice {12+}'), 'A1 LOGIN alice "<redacted>"');
    });

    it('changes nothing else when no secret is known', () => {
      assert.equal(redact('* OK Stryker was here and hunter2 too'), '* OK Stryker was here and hunter2 too');
    });
  });

  describe('log levels', () => {
    it('a silent log keeps no level, so imapflow prepares no line for it', () => {
      for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) assert.equal(silentLog.enabled?.(level), false, level);
      assert.equal(imapflowLogger(silentLog, []).isLevelEnabled('debug'), false);
    });

    it('a tagged log asks the log it wraps, and keeps every level when that log does not say', () => {
      const asked: string[] = [];
      const inner: MailLog = { ...capture().log, enabled: (level) => (asked.push(level), level === 'warn') };
      const tagged = taggedLog(inner, 'x');
      assert.equal(tagged.enabled?.('warn'), true);
      assert.equal(tagged.enabled?.('trace'), false);
      assert.deepEqual(asked, ['warn', 'trace']);
      assert.equal(taggedLog(capture().log, 'x').enabled, undefined, 'no answer means every level is kept');
    });

    it('tells imapflow which levels are kept: its info is our debug, and a log that does not say keeps all', () => {
      const asked: string[] = [];
      const log: MailLog = { ...capture().log, enabled: (level) => (asked.push(level), level !== 'trace' && level !== 'debug') };
      const logger = imapflowLogger(log, []);
      assert.equal(logger.isLevelEnabled('info'), false, 'info is logged as debug, which is off');
      assert.equal(logger.isLevelEnabled('warn'), true);
      assert.equal(logger.isLevelEnabled('trace'), false);
      assert.deepEqual(asked, ['debug', 'warn', 'trace']);
      assert.equal(imapflowLogger(capture().log, []).isLevelEnabled('trace'), true);
    });

    it('names an error entry without a code or a message as well as it can', () => {
      const { log, lines } = capture();
      const logger = imapflowLogger(log, []);
      logger.error({ err: { message: 'socket hang up' } });
      logger.error({ err: { code: 'ECONNRESET' } });
      assert.deepEqual(lines.map((l) => l.text), ['error: socket hang up', 'ECONNRESET: ']);
    });

    it('hands nothing to a level that is off: the wire lines of a busy connection are not even built', () => {
      const got: string[] = [];
      const log: MailLog = {
        enabled: (level) => level !== 'trace' && level !== 'debug',
        trace: (m) => got.push(`trace ${m}`),
        debug: (m) => got.push(`debug ${m}`),
        info: (m) => got.push(`info ${m}`),
        warn: (m) => got.push(`warn ${m}`),
        error: (m) => got.push(`error ${m}`),
      };
      const logger = imapflowLogger(log, ['secret']);
      logger.debug({ src: 's', msg: '* 1 FETCH (UID 1)' });
      logger.info({ msg: 'Connection established' });
      logger.warn({ msg: 'slow server, secret inside' });
      assert.deepEqual(got, ['warn slow server, <redacted> inside']);
    });
  });
});
