import { ValidationError } from '@0bit/core/errors';
import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { findBranding, mergeBranding } from '../store/branding.ts';
import type { Branding } from './shapes.ts';

export const DEFAULT_BRANDING: Branding = {
  logo_url: null,
  primary_color: null,
  secondary_color: null,
  accent_color: null,
  brand_name: null,
};

const HEX = /^#[0-9A-Fa-f]{6}$/;

const toBranding = ({
  logo_url,
  primary_color,
  secondary_color,
  accent_color,
  brand_name,
}: Branding): Branding => ({
  logo_url,
  primary_color,
  secondary_color,
  accent_color,
  brand_name,
});

export async function getBranding(db: Db, scope: Scope): Promise<Branding> {
  const row = await findBranding(db, scope);
  return row ? toBranding(row) : { ...DEFAULT_BRANDING };
}

/** PATCH semantics: given fields replace, `null` clears, absent fields stay. Every problem reported at once. */
export async function updateBranding(db: Db, scope: Scope, changes: Partial<Branding>): Promise<Branding> {
  const problems: string[] = [];
  const clean: Partial<Branding> = {};
  if (changes.logo_url !== undefined) {
    if (changes.logo_url !== null) {
      let url: URL | null = null;
      try {
        url = new URL(changes.logo_url);
      } catch {}
      if (url?.protocol !== 'https:')
        problems.push('logo_url must be an absolute https URL such as "https://partner.example/logo.png"');
    }
    clean.logo_url = changes.logo_url;
  }
  for (const field of ['primary_color', 'secondary_color', 'accent_color'] as const) {
    const value = changes[field];
    if (value === undefined) continue;
    if (value !== null && !HEX.test(value))
      problems.push(`${field} must be a hex colour #RRGGBB such as "#FF4B1F"`);
    clean[field] = value === null ? null : value.toUpperCase();
  }
  if (changes.brand_name !== undefined) {
    const name = changes.brand_name === null ? null : changes.brand_name.trim();
    if (name !== null && (name.length < 1 || name.length > 64))
      problems.push('brand_name must be 1–64 characters after trimming');
    clean.brand_name = name;
  }
  if (problems.length > 0) throw new ValidationError(problems);
  if (Object.keys(clean).length === 0) return getBranding(db, scope);
  return toBranding(await mergeBranding(db, scope, clean));
}
