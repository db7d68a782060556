import { buildPackage } from '../scripts/build.ts';

/** Tests that import `@0bit/gate` by name get dist/, as a partner does; build it from the current sources. */
export default async function setup(): Promise<void> {
  await buildPackage();
}
