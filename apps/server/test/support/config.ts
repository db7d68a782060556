import { ConfigError, loadConfig } from '@0bit/server/config';

/** Every problem loadConfig names for this environment ([] when it is valid). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
