import type { ChildProcess } from "node:child_process";

/** The platforms a release ships, as `${process.platform}-${process.arch}`. */
export declare const platforms: string[];

/** The path of the b2cemu binary: $B2CEMU_BINARY, else this platform's @b2cemu/<platform>-<arch>'s. */
export declare function binaryPath(): string;

export interface StartOptions {
  /** A b2cemu.yaml; without it, the demo tenant (or $B2CEMU_CONFIG). */
  config?: string;
  /** More `b2cemu serve` arguments. */
  args?: string[];
  /** More environment variables, e.g. B2CEMU_DETERMINISTIC_SEED. */
  env?: Record<string, string>;
  /** Sets B2CEMU_ADMIN_TOKEN and sends it with the admin API requests. */
  adminToken?: string;
  /** A b2cemu binary to run instead of the installed one. */
  binary?: string;
  /** How long to wait for b2cemu to serve, in ms (30000). */
  timeout?: number;
  /** Given each line b2cemu logs. */
  log?: (line: string) => void;
}

export interface Email {
  time: string;
  runId: string;
  policy: string;
  technicalProfile?: string;
  to: string;
  subject: string;
  code: string;
}

export interface User {
  objectId: string;
  identities: Array<Record<string, string>>;
  attributes: Record<string, unknown>;
  createdDateTime: string;
}

export declare class B2cemu {
  readonly process: ChildProcess;
  /** Where it serves, e.g. http://127.0.0.1:43117. */
  readonly url: string;
  /** The same as url, named as Playwright names it. */
  readonly baseURL: string;
  emails(to?: string): Promise<Email[]>;
  code(to: string): Promise<string>;
  users(): Promise<User[]>;
  createUser(user: Record<string, unknown>): Promise<User>;
  deleteUser(objectId: string): Promise<void>;
  reset(): Promise<void>;
  api(method: string, path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

/** Starts b2cemu on a free loopback port and resolves once GET /healthz answers 200. */
export declare function startB2cemu(options?: StartOptions): Promise<B2cemu>;
