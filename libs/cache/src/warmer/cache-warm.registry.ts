import { Injectable } from '@nestjs/common';
import type { WarmJobFn } from './cache-warm.types';

/** The warm jobs known to this instance, by name: found by the explorer or added in code. */
@Injectable()
export class CacheWarmRegistry {
  private readonly jobs = new Map<string, WarmJobFn>();

  /** Adds a job; a second job of the same name is a mistake and stops the start. */
  register(name: string, job: WarmJobFn): void {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`Invalid warm job name: ${name}`);
    if (this.jobs.has(name)) throw new Error(`Two warm jobs are named ${name}`);
    this.jobs.set(name, job);
  }

  get(name: string): WarmJobFn | undefined {
    return this.jobs.get(name);
  }

  /** Job names, sorted: reports come in the same order whichever module registered first. */
  names(): string[] {
    return [...this.jobs.keys()].sort();
  }
}
