/** What a 0Gate session does for its user: buy crypto, sell crypto, or swap one token for another. */
export type Flow = 'on_ramp' | 'off_ramp' | 'swap';
export const FLOWS: readonly Flow[] = ['on_ramp', 'off_ramp', 'swap'];
