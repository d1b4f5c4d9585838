import type { TestType, PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions } from "@playwright/test";
import type { B2cemu, StartOptions } from "./index";

export { expect } from "@playwright/test";
export { startB2cemu } from "./index";

export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & { b2cemu: B2cemu; b2cemuOptions: StartOptions }
>;
