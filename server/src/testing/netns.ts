import { spawnSync } from 'node:child_process';

/**
 * A test host of its own: a network namespace joined to this one by a veth
 * pair (iproute2; needs root). `cut()`/`restore()` take the link down and up,
 * which is how the fault tests cut a nurse's or a bridge's network: this
 * kernel has no netem.
 */
export interface TestHost {
  readonly namespace: string;
  /** This side's address on the link (where the test host reaches the server). */
  readonly hostIp: string;
  /** The test host's own address (changes with `changeAddress`). */
  readonly peerIp: string;
  cut(): void;
  restore(): void;
  /**
   * Gives the test host a new address on the same link and drops the old one,
   * as a laptop moving from Wi-Fi to mobile gets a new IP: its open
   * connections (from the old address) go dead. Returns the new address.
   */
  changeAddress(): string;
  remove(): void;
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message}`);
}

/**
 * Throws, naming what is missing, unless namespaces can be made here. The
 * fault tests fail rather than skip: a suite that quietly passes without its
 * network cut proves nothing (`npm test` runs as root, as the README says).
 */
export function assertNetnsAvailable(what: string): void {
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.status === 0 && typeof process.getuid === 'function' && process.getuid() === 0) return;
  throw new Error(
    `${what} needs \`ip netns\` (iproute2) and root; ` +
      `got status ${String(probe.status)} ${probe.stderr || probe.error?.message || ''}`,
  );
}

/**
 * Makes the namespace `<prefix><pid>` on 10.213.<n>.0/29 (n from the pid and `subnet`, so parallel suites differ):
 * this side .1, the test host .2, and .3–.6 free for `changeAddress`.
 */
export function createTestHost(prefix: string, subnet: number): TestHost {
  const id = process.pid % 100_000;
  const namespace = `${prefix}${id}`;
  const vethHost = `${prefix.slice(0, 4)}h${id}`;
  const vethPeer = `${prefix.slice(0, 4)}p${id}`;
  const net = `10.213.${(id + subnet) % 250}`;
  const hostIp = `${net}.1`;
  let peerIp = `${net}.2`;
  let nextHost = 3;
  const remove = (): void => {
    // Deleting the namespace destroys its end of the pair, which takes the host end with it.
    spawnSync('ip', ['netns', 'del', namespace]);
    spawnSync('ip', ['link', 'del', vethHost]);
  };
  remove(); // leftovers of an earlier run with the same pid would make `ip` fail
  ip('netns', 'add', namespace);
  ip('link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethPeer);
  ip('link', 'set', vethPeer, 'netns', namespace);
  ip('addr', 'add', `${hostIp}/29`, 'dev', vethHost);
  ip('link', 'set', vethHost, 'up');
  ip('-n', namespace, 'addr', 'add', `${peerIp}/29`, 'dev', vethPeer);
  ip('-n', namespace, 'link', 'set', vethPeer, 'up');
  ip('-n', namespace, 'link', 'set', 'lo', 'up');
  return {
    namespace,
    hostIp,
    get peerIp() {
      return peerIp;
    },
    cut: () => ip('link', 'set', vethHost, 'down'),
    restore: () => ip('link', 'set', vethHost, 'up'),
    changeAddress: () => {
      if (nextHost > 6) throw new Error('no free address left on the test link');
      const next = `${net}.${nextHost++}`;
      // Old one first: deleting a primary address takes its secondaries with it (no promote_secondaries).
      ip('-n', namespace, 'addr', 'del', `${peerIp}/29`, 'dev', vethPeer);
      ip('-n', namespace, 'addr', 'add', `${next}/29`, 'dev', vethPeer);
      peerIp = next;
      return next;
    },
    remove,
  };
}
