/** The two modes of every partner: test (sandbox) and live. They never mix (0gate-environments-and-modes). */
export type Mode = 'test' | 'live';
export const MODES: readonly Mode[] = ['test', 'live'];

/** Everything a partner reads or writes is scoped to one partner and one mode; the two modes never mix. */
export interface Scope {
  partnerId: string;
  mode: Mode;
}
