'use strict';
// A tiny RESP2 client: just enough to ask a redis-server we started whether it is up
// (PING, CLUSTER INFO) without pulling a Redis client library into the runner.
const net = require('node:net');
const tls = require('node:tls');

/** Parses one RESP2 reply at `offset`; returns [value, nextOffset] or undefined when incomplete. */
function parseReply(buffer, offset = 0) {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new Error(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buffer.length < next + length + 2) return undefined;
      return [buffer.toString('utf8', next, next + length), next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const parsed = parseReply(buffer, cursor);
        if (!parsed) return undefined;
        items.push(parsed[0]);
        cursor = parsed[1];
      }
      return [items, cursor];
    }
    default:
      throw new Error(`Unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

function encodeCommand(args) {
  return args.map(String).reduce(
    (out, arg) => `${out}$${Buffer.byteLength(arg)}\r\n${arg}\r\n`,
    `*${args.length}\r\n`,
  );
}

/**
 * Sends commands on one fresh connection (AUTH first when a password is given) and resolves
 * with the reply to the last one. Redis error replies reject.
 *
 * @param {{ host?: string, port: number, password?: string, tls?: { ca: string | Buffer }, timeoutMs?: number }} target
 * @param {Array<Array<string | number>>} commands
 */
function sendCommands(target, commands) {
  const host = target.host ?? '127.0.0.1';
  const all = target.password ? [['AUTH', target.password], ...commands] : commands;
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const replies = [];
    const socket = target.tls
      ? tls.connect({ host, port: target.port, ca: target.tls.ca })
      : net.connect({ host, port: target.port });
    const finish = (error, value) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    socket.setTimeout(target.timeoutMs ?? 2000, () =>
      finish(new Error(`No reply from ${host}:${target.port} within ${target.timeoutMs ?? 2000} ms`)),
    );
    socket.once('error', (error) => finish(error));
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      socket.write(all.map(encodeCommand).join(''));
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let parsed;
      while ((parsed = parseReply(buffer)) !== undefined) {
        replies.push(parsed[0]);
        buffer = buffer.subarray(parsed[1]);
      }
      const failed = replies.find((reply) => reply instanceof Error);
      if (failed) finish(failed);
      else if (replies.length >= all.length) finish(undefined, replies[replies.length - 1]);
    });
    socket.once('close', () => finish(new Error(`Connection to ${host}:${target.port} closed early`)));
  });
}

/** Resolves with the reply to one command. */
function sendCommand(target, ...args) {
  return sendCommands(target, [args]);
}

module.exports = { sendCommand, sendCommands, parseReply };
