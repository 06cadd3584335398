import { execFileSync, execSync } from 'node:child_process';

let updated = false;

/**
 * Makes sure a Debian package's command is there, installing the package
 * when it is missing (tests run as root, as CI does). Fails naming the
 * package when it cannot: a test never skips silently.
 */
export function ensureDebianCommand(command: string, pkg: string): string {
  const find = () => {
    try {
      return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  let path = find();
  if (path) return path;
  try {
    if (!updated) {
      execSync('apt-get update -qq', { stdio: 'ignore', timeout: 300_000 });
      updated = true;
    }
    execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkg}`, { stdio: 'ignore', timeout: 300_000 });
  } catch (err) {
    throw new Error(`this test needs the Debian package "${pkg}" (command ${command}) and could not install it: ${(err as Error).message}`);
  }
  path = find();
  if (!path) throw new Error(`installed the Debian package "${pkg}" but ${command} is still missing`);
  return path;
}
