import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generate } from 'selfsigned';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';

export interface TlsCredentials {
  key: string;
  cert: string;
  /** Where they came from, for the start-up message. */
  source: string;
}

/**
 * TLS_CERT_FILE/TLS_KEY_FILE when configured; otherwise a self-signed
 * certificate for MAIL_HOSTNAME, made on first start and kept under
 * DATA_DIR/tls so every start (and every process) presents the same one.
 * Key and certificate live in one file written atomically (rename), so two
 * processes starting together never pair one's key with the other's cert.
 */
export async function loadTlsCredentials(config: PostbodeConfig): Promise<TlsCredentials> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    return {
      cert: readPem(config.tlsCertFile, 'TLS_CERT_FILE', 'CERTIFICATE'),
      key: readPem(config.tlsKeyFile, 'TLS_KEY_FILE', 'PRIVATE KEY'),
      source: config.tlsCertFile,
    };
  }
  const dir = resolve(config.dataDir, 'tls');
  const file = resolve(dir, `selfsigned-${config.mailHostname}.pem`);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const key = pemBlock(text, 'PRIVATE KEY');
    const cert = pemBlock(text, 'CERTIFICATE');
    if (key && cert) return { key, cert, source: `${file} (self-signed)` };
  }
  const pems = await generate([{ name: 'commonName', value: config.mailHostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: config.mailHostname }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${pems.private.trim()}\n${pems.cert.trim()}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return { key: pems.private, cert: pems.cert, source: `${file} (self-signed, made now)` };
}

function pemBlock(text: string, label: string): string | null {
  const m = new RegExp(`-----BEGIN ((?:[A-Z]+ )?${label})-----[\\s\\S]+?-----END \\1-----`).exec(text);
  return m ? m[0] : null;
}

function readPem(path: string, variable: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!pemBlock(text, label)) throw new Error(`${variable}: ${path} holds no PEM ${label}`);
  return text;
}
