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
 * Starts one cluster node on a free bus port. A port found free can be taken before redis-server
 * binds it (by another process, or by a sibling node started at the same moment that was handed
 * the same port for its own): the node then exits with "Address already in use", and is started
 * again on a new bus port (its own port is chosen again by `startNode`).
 */
async function startClusterNode(startNode, getFreePort, nodeTimeoutMs) {
  for (let attempt = 1; ; attempt++) {
    const busPort = await getFreePort();
    try {
      return await startNode([
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-port', String(busPort),
        '--cluster-node-timeout', String(nodeTimeoutMs),
      ]);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(error instanceof Error ? error.message : String(error))) throw error;
    }
  }
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
  const nodes = await Promise.all(Array.from({ length: total }, () => startClusterNode(startNode, getFreePort, nodeTimeoutMs)));
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

module.exports = { startRedisCluster, startClusterNode };
