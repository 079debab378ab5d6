'use strict';
// A local Redis Cluster: each node gets its own port, its own cluster bus port (cluster-port, so
// port+10000 need not be free) and its own folder. The rig's has masters only; failover suites
// give each master replicas and a short node timeout.
const { execFile } = require('node:child_process');
const { sendCommand } = require('./resp');
const { delay } = require('./redis-process');

function run(file, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Starts `masters * (1 + replicasPerMaster)` nodes with `startNode(extraArgs)` (which returns a
 * started node with a `port`), joins them with `redis-cli --cluster create`, and waits until
 * every node reports cluster_state:ok and knows all the others, and every replica's link to its
 * master is up (its first sync done).
 * @template {{ port: number }} N
 * @param {{ masters: number, replicasPerMaster?: number, nodeTimeoutMs?: number, startNode: (args: string[]) => Promise<N>, getFreePort: () => Promise<number>, timeoutMs?: number }} options
 * @returns {Promise<{ nodes: N[], addresses: string[] }>}
 */
async function startRedisCluster({ masters, replicasPerMaster = 0, nodeTimeoutMs = 5000, startNode, getFreePort, timeoutMs = 30_000 }) {
  const total = masters * (1 + replicasPerMaster);
  const nodes = await Promise.all(
    Array.from({ length: total }, async () => {
      const busPort = await getFreePort();
      return startNode([
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-port', String(busPort),
        '--cluster-node-timeout', String(nodeTimeoutMs),
      ]);
    }),
  );
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], timeoutMs);

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(
      nodes.map((node) =>
        sendCommand({ port: node.port }, 'CLUSTER', 'INFO')
          .then(async (info) => `${info}\n${await sendCommand({ port: node.port }, 'INFO', 'replication')}`)
          .catch((error) => String(error)),
      ),
    );
    const ready = infos.every(
      (info) =>
        /cluster_state:ok/.test(info) &&
        new RegExp(`cluster_known_nodes:${total}\\b`).test(info) &&
        (/role:master/.test(info) || /master_link_status:up/.test(info)),
    );
    if (ready) return { nodes, addresses };
    if (Date.now() > deadline) {
      throw new Error(`Redis Cluster ${addresses.join(',')} did not reach cluster_state:ok:\n${infos.join('\n---\n')}`);
    }
    await delay(100);
  }
}

module.exports = { startRedisCluster };
