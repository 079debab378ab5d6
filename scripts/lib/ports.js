'use strict';
const net = require('node:net');

/**
 * Asks the kernel for a free TCP port on 127.0.0.1. There is a short window in which another
 * process could take it; callers start their server right away.
 * @returns {Promise<number>}
 */
function getFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

module.exports = { getFreePort };
