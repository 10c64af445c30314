/** Self-signed and derived certificates for the pinning tests, made with the openssl CLI. */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificate {
  key: string;
  cert: string;
  /** As Node prints a peer certificate's `fingerprint256`. */
  fingerprint256: string;
}

function read(dir: string, name: string): TestCertificate {
  const cert = fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8');
  return { key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'), cert, fingerprint256: new crypto.X509Certificate(cert).fingerprint256 };
}

const SAN = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

/**
 * `root`: self-signed for 127.0.0.1 with CA:TRUE, as `openssl req -x509` makes by default and as
 * many self-hosted servers use. `issuedByRoot`: another certificate for 127.0.0.1 signed with the
 * root's key, which chains to the root, so only a fingerprint check tells it apart.
 * `stranger`: an unrelated self-signed certificate.
 */
export function makeCertificates(): { root: TestCertificate; issuedByRoot: TestCertificate; stranger: TestCertificate } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-certs-'));
  try {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const selfSigned = (name: string) =>
      run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
        '-days', '2', '-subj', `/CN=127.0.0.1 ${name}`, '-addext', SAN, '-addext', 'basicConstraints=critical,CA:TRUE');
    selfSigned('root');
    selfSigned('stranger');
    run('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'issued.key', '-out', 'issued.csr', '-subj', '/CN=127.0.0.1 issued');
    fs.writeFileSync(path.join(dir, 'ext.cnf'), `${SAN}\n`);
    run('x509', '-req', '-in', 'issued.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-days', '2', '-out', 'issued.pem', '-extfile', 'ext.cnf');
    return { root: read(dir, 'root'), issuedByRoot: read(dir, 'issued'), stranger: read(dir, 'stranger') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
