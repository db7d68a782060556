import type { Db } from '@0bit/db/connection';
import { partnerName } from '../store/people.ts';

/** The partner's name, as the console shows it (always escaped: partners name themselves). */
export const partnerNameOf = (db: Db, partnerId: string): Promise<string> => partnerName(db, partnerId);
