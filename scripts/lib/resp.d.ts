// Types for resp.js, which test/support/redis-ha.ts imports.
export interface RespTarget {
  host?: string;
  port: number;
  password?: string;
  tls?: { ca: string | Buffer };
  timeoutMs?: number;
}

export type RespReply = string | number | null | RespReply[];

/** Sends one command on a fresh connection; a Redis error reply rejects. */
export function sendCommand(target: RespTarget, ...args: (string | number)[]): Promise<RespReply>;
export function sendCommands(target: RespTarget, commands: (string | number)[][]): Promise<RespReply>;
